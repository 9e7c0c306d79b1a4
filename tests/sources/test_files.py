"""The file connector reads Parquet, CSV and XLSX extracts and explains what it cannot read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from treasury.sources.files import ExtractError, read_extract


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    """A minimal XLSX workbook (inline strings and numbers), written without a library."""

    def cell(ref: str, value: object) -> str:
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    body = "".join(
        f'<row r="{r}">'
        + "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row) if v is not None)
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook {ns} xmlns:r="{rel}"><sheets>'
            '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": f"<worksheet {ns}><sheetData>{body}</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, text in parts.items():
            z.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + text)
    return path


def test_parquet_keeps_its_types(tmp_path: Path) -> None:
    table = pa.table({"kode_ba": ["015"], "nilai": pa.array([12], pa.int64())})
    pq.write_table(table, tmp_path / "x.parquet")
    assert read_extract(tmp_path / "x.parquet").equals(table)


def test_csv_reads_everything_as_text(tmp_path: Path) -> None:
    path = tmp_path / "dipa.csv"
    path.write_bytes(
        "\ufeffkode_satker;nama;pagu\n015001;Kantor Pelayanan Pajak Pratama Surabaya;1,5\n"
        "015002;;12\n".encode()
    )
    table = read_extract(path)
    assert table.schema == pa.schema([(n, pa.string()) for n in ("kode_satker", "nama", "pagu")])
    assert table.to_pylist()[1] == {"kode_satker": "015002", "nama": None, "pagu": "12"}
    (tmp_path / "header.csv").write_text("a,b\n", encoding="utf-8")
    assert read_extract(tmp_path / "header.csv").num_rows == 0


def test_csv_errors_name_the_file_and_line(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"kode,nama\n001,Jakarta\n002,Bogor\n003,Cianjur \xe9\n")
    with pytest.raises(ExtractError, match=r"latin\.csv: line 4 is not valid UTF-8"):
        read_extract(latin)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    with pytest.raises(ExtractError, match=r"ragged\.csv: line 3 does not have 2 fields"):
        read_extract(ragged)
    (tmp_path / "dup.csv").write_text("a,a\n1,2\n", encoding="utf-8")
    with pytest.raises(ExtractError, match="repeated"):
        read_extract(tmp_path / "dup.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ExtractError, match="empty"):
        read_extract(tmp_path / "empty.csv")
    with pytest.raises(ExtractError, match="not found"):
        read_extract(tmp_path / "missing.csv")
    with pytest.raises(ExtractError, match="unsupported"):
        read_extract(tmp_path / "data.json")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(ExtractError, match="Parquet"):
        read_extract(tmp_path / "bad.parquet")
    assert issubclass(ExtractError, ValueError)


def test_xlsx_reads_the_first_sheet_as_text(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "upload.xlsx",
        [["kode_pemda", "nilai", "catatan"], ["3578", 1500000, "kota"], ["3500", 2.5, None]],
    )
    table = read_extract(path)
    assert table.column_names == ["kode_pemda", "nilai", "catatan"]
    assert table.to_pylist() == [
        {"kode_pemda": "3578", "nilai": "1500000", "catatan": "kota"},
        {"kode_pemda": "3500", "nilai": "2.5", "catatan": None},
    ]
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(ExtractError, match=r"broken\.xlsx: not a readable XLSX"):
        read_extract(tmp_path / "broken.xlsx")
