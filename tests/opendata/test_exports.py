"""Exports: every format parses back to the API's rows; BOM; formula neutralisation; sheets."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook

from treasury.opendata.exports import BOM, csv_chunks, neutralise, write_xlsx, xlsx_chunks

SP2D = "sp2d-rincian"
PUBLIC = "bansos-2023"
INTERNAL_XLSX = "kas-harian"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api_rows(client: TestClient, slug: str, headers: dict, **params: str) -> list[dict]:
    rows: list[dict] = []
    query: dict[str, str] = {"limit": "1000", **params}
    while True:
        body = client.get(f"/api/v1/datasets/{slug}/rows", params=query, headers=headers).json()
        assert body["ok"], body
        rows.extend(body["data"])
        if not body["meta"]["next"]:
            return rows
        query["next"] = body["meta"]["next"]


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return str(value)


# -- writers ---------------------------------------------------------------------------------


def formula_batch() -> pa.RecordBatch:
    return pa.record_batch(
        {
            "teks": ['=HYPERLINK("http://x")', "+62 812", "-SUM(A1)", "@cmd", "aman", None, "a=b"],
            "kode": pa.array(["=1", "x", "y", "z", "w", "v", "u"]).dictionary_encode(),
            "nilai": pa.array([-5, 6, -7, 8, 9, 10, -11], pa.int64()),
            "rasio": pa.array([-0.5, 1.5, None, 2.0, 3.0, 4.0, 5.0]),
        }
    )


def test_neutralise_text_but_not_numbers() -> None:
    out = neutralise(formula_batch())
    assert out.column("teks").to_pylist() == [
        '\'=HYPERLINK("http://x")',
        "'+62 812",
        "'-SUM(A1)",
        "'@cmd",
        "aman",
        None,
        "a=b",
    ]
    assert out.column("kode").to_pylist()[0] == "'=1"
    assert out.column("nilai").to_pylist() == [-5, 6, -7, 8, 9, 10, -11]
    assert out.column("rasio").to_pylist()[0] == -0.5


def test_csv_writer_neutralises_and_keeps_negative_numbers() -> None:
    batch = formula_batch()
    text = b"".join(csv_chunks(batch.schema, [batch])).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["teks", "kode", "nilai", "rasio"]
    assert [r[0] for r in rows[1:5]] == [
        '\'=HYPERLINK("http://x")',
        "'+62 812",
        "'-SUM(A1)",
        "'@cmd",
    ]
    assert [r[2] for r in rows[1:]] == ["-5", "6", "-7", "8", "9", "10", "-11"]
    assert rows[1][3] == "-0.5"


def test_xlsx_writer_splits_sheets(tmp_path: Path) -> None:
    table = pa.table({"n": list(range(25)), "t": [f"baris {i}" for i in range(25)]})
    path = tmp_path / "split.xlsx"
    names = write_xlsx(table.schema, table.to_batches(max_chunksize=7), path, 25, sheet_rows=10)
    assert names == ["data", "data_2", "data_3"]
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == names
    values = []
    for name in names:
        sheet = book.get_sheet_by_name(name).to_python()
        assert sheet[0] == ["n", "t"] and len(sheet) <= 11
        values.extend(sheet[1:])
    assert [(int(n), t) for n, t in values] == list(
        zip(range(25), table["t"].to_pylist(), strict=True)
    )


def test_xlsx_writer_formula_cells_and_types(tmp_path: Path) -> None:
    batch = formula_batch()
    data = b"".join(xlsx_chunks(batch.schema, [batch], batch.num_rows))
    path = tmp_path / "f.xlsx"
    path.write_bytes(data)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert sheet[1][0] == '\'=HYPERLINK("http://x")' and sheet[1][2] == -5
    assert [r[2] for r in sheet[1:]] == [-5, 6, -7, 8, 9, 10, -11]


def test_xlsx_too_many_rows_is_refused(tmp_path: Path) -> None:
    schema = pa.schema([("n", pa.int64())])
    with pytest.raises(ValueError, match="use CSV or Parquet"):
        write_xlsx(schema, [], tmp_path / "x.xlsx", rows=20_000_000)


# -- through the API ---------------------------------------------------------------------------


def test_csv_export_parses_back_to_the_rows(api_client: TestClient, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["steward"])
    response = api_client.get(f"/api/v1/datasets/{SP2D}/export.csv", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert not response.content.startswith(BOM)
    parsed = list(csv.DictReader(io.StringIO(response.content.decode())))
    expected = api_rows(api_client, SP2D, headers)
    assert len(parsed) == len(expected) > 1000
    # An export without sort= comes in the table's order; pages come in key order.
    parsed.sort(key=lambda r: (r["nomor_sp2d"], int(r["baris"])))
    assert parsed == [{k: as_text(v) for k, v in row.items()} for row in expected]


def test_csv_export_bom_filters_and_row_policy(
    api_client: TestClient, tokens: dict[str, str]
) -> None:
    headers = bearer(tokens["analis.jatim"])
    params = {"bom": "true", "nilai__gt": "1000000", "columns": "nomor_sp2d,kode_provinsi,nilai"}
    response = api_client.get(f"/api/v1/datasets/{SP2D}/export.csv", params=params, headers=headers)
    assert response.content.startswith(BOM)
    parsed = list(csv.DictReader(io.StringIO(response.content[len(BOM) :].decode())))
    assert parsed and {r["kode_provinsi"] for r in parsed} == {"35"}
    assert all(int(r["nilai"]) > 1_000_000 for r in parsed)
    expected = api_rows(
        api_client, SP2D, headers, nilai__gt="1000000", columns="nomor_sp2d,kode_provinsi,nilai"
    )
    assert len(parsed) == len(expected)


@pytest.mark.parametrize("slug", [PUBLIC, INTERNAL_XLSX])
def test_xlsx_export_opens_and_equals(
    api_client: TestClient, tokens: dict[str, str], tmp_path: Path, slug: str
) -> None:
    from treasury.catalog import load_catalog

    headers = bearer(tokens["analis.pusat"])
    order = {"sort": ",".join(load_catalog().get(slug).primary_key)}
    response = api_client.get(f"/api/v1/datasets/{slug}/export.xlsx", params=order, headers=headers)
    assert response.status_code == 200, response.text
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    expected = api_rows(api_client, slug, headers, **order)
    assert sheet[0] == list(expected[0])
    assert len(sheet) - 1 == len(expected)
    for got, want in zip(sheet[1:], expected, strict=True):
        for cell, value in zip(got, want.values(), strict=True):
            if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
                assert cell == dt.date.fromisoformat(value)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                assert cell == pytest.approx(value)
            else:
                assert cell == ("" if value is None else as_text(value))


def test_parquet_ndjson_json_exports_equal_the_rows(
    api_client: TestClient, tokens: dict[str, str]
) -> None:
    headers = bearer(tokens["analis.jatim"])
    expected = api_rows(api_client, SP2D, headers)
    params = {"sort": "nomor_sp2d,baris"}  # the pages' order
    parquet = api_client.get(
        f"/api/v1/datasets/{SP2D}/export.parquet", params=params, headers=headers
    )
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.num_rows == len(expected)
    assert table.column("nomor_sp2d").to_pylist() == [r["nomor_sp2d"] for r in expected]
    assert set(table.column("rekening_penerima").to_pylist()) <= {"***", None}
    assert table.column("tanggal_sp2d").to_pylist()[0] == dt.date.fromisoformat(
        expected[0]["tanggal_sp2d"]
    )
    ndjson = api_client.get(
        f"/api/v1/datasets/{SP2D}/export.ndjson", params=params, headers=headers
    )
    assert [json.loads(line) for line in ndjson.text.splitlines()] == expected
    as_json = api_client.get(f"/api/v1/datasets/{SP2D}/export.json", params=params, headers=headers)
    assert as_json.json() == expected


def test_empty_export_has_a_header(api_client: TestClient, tmp_path: Path) -> None:
    params = {"bulan__gt": "99"}
    text = api_client.get(f"/api/v1/datasets/{PUBLIC}/export.csv", params=params).text
    assert text.splitlines()[0].startswith("tahun,bulan") and len(text.splitlines()) == 1
    assert api_client.get(f"/api/v1/datasets/{PUBLIC}/export.json", params=params).json() == []
    response = api_client.get(f"/api/v1/datasets/{PUBLIC}/export.xlsx", params=params)
    path = tmp_path / "empty.xlsx"
    path.write_bytes(response.content)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert sheet[0][:2] == ["tahun", "bulan"]


def test_json_exports_write_timestamps_like_the_api(
    api_client: TestClient, tokens: dict[str, str]
) -> None:
    slug, headers = "spm-pengajuan", bearer(tokens["analis.pusat"])
    params = {"sort": "nomor_spm", "columns": "nomor_spm,waktu_unggah,waktu_sp2d"}
    expected = api_rows(api_client, slug, headers, **params)
    assert any(isinstance(r["waktu_unggah"], str) and "T" in r["waktu_unggah"] for r in expected)
    ndjson = api_client.get(
        f"/api/v1/datasets/{slug}/export.ndjson", params=params, headers=headers
    )
    assert [json.loads(line) for line in ndjson.text.splitlines()] == expected
    as_json = api_client.get(f"/api/v1/datasets/{slug}/export.json", params=params, headers=headers)
    assert as_json.json() == expected
