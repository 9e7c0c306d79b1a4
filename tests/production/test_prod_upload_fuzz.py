"""Upload fuzzing (hypothesis) on the CSV/XLSX readers: any bytes, any text, any cells give a
parse or a clear :class:`UploadError`, never another exception; through the API never a 500.
Formula cells in an uploaded CSV come back neutralised in CSV and XLSX exports."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.testkit import bearer

from treasury.warehouse import uploads as ingest

LIMIT = 5 * 1024 * 1024
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def parse(path: Path) -> None:
    """What the upload route does before validation; only UploadError may escape."""
    ingest.check_file(path, path.suffix, LIMIT)
    table = ingest.read_file(path, path.name)
    fields = ingest.infer_schema(table)
    headers = list(table.column_names)
    result = ingest.validate(table, fields, headers)
    assert result.valid.num_rows + result.invalid_rows == table.num_rows


def check(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        parse(path)
    except ingest.UploadError as error:
        assert 400 <= error.status < 500
        assert error.message and "Traceback" not in error.message


cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
csv_text = st.lists(st.lists(cell, min_size=1, max_size=5), min_size=1, max_size=8).map(
    lambda rows: "\n".join(",".join(r) for r in rows)
)
separator = st.sampled_from([",", ";", "\t", "|"])


@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_as_csv(tmp_path: Path, data: bytes) -> None:
    check(tmp_path / "fuzz.csv", data)


@FUZZ
@given(text=csv_text, sep=separator, encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
def test_random_csv_text(tmp_path: Path, text: str, sep: str, encoding: str) -> None:
    check(tmp_path / "fuzz.csv", text.replace(",", sep).encode(encoding, errors="replace"))


@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_as_xlsx(tmp_path: Path, data: bytes) -> None:
    check(tmp_path / "fuzz.xlsx", data)


@FUZZ
@given(
    members=st.dictionaries(
        st.sampled_from(
            ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "[Content_Types].xml", "a.txt"]
        ),
        st.binary(max_size=512),
        max_size=4,
    )
)
def test_random_zip_archives_as_xlsx(tmp_path: Path, members: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    check(tmp_path / "fuzz.xlsx", buffer.getvalue())


@FUZZ
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                cell,
                st.integers(-(10**12), 10**12),
                st.floats(allow_nan=False, allow_infinity=False),
                st.booleans(),
                st.none(),
            ),
            min_size=2,
            max_size=2,
        ),
        min_size=0,
        max_size=6,
    ),
    header=st.lists(cell, min_size=2, max_size=2),
)
def test_random_workbooks(tmp_path: Path, rows: list[list[object]], header: list[str]) -> None:
    from rustpy_xlsxwriter import FastExcel

    path = tmp_path / "fuzz.xlsx"
    names = [h or f"c{i}" for i, h in enumerate(header)]
    if len(set(names)) < 2:
        names = ["a", "b"]
    records = iter([dict(zip(names, r, strict=True)) for r in rows] or [dict.fromkeys(names)])
    FastExcel(str(path)).sheet("data", records).save()
    check(path, path.read_bytes())


def test_api_never_answers_500_to_odd_files(api_client: TestClient, tokens: dict[str, str]) -> None:
    odd = [
        ("a.csv", b""),
        ("a.csv", b"\xff\xfe\x00a\x00b"),
        ("a.csv", b"x\n" + b'"unterminated\n' * 3),
        ("a.csv", b"a,b\n1,2,3,4\n"),
        ("a.csv", "kolom,nilai\n" + "é,1\n".encode("latin-1").decode("latin-1")),
        ("a.xlsx", b"PK\x03\x04garbage"),
        ("a.xlsx", b"a,b\n1,2\n"),
        ("a.txt", b"a,b\n1,2\n"),
        ("a.csv", b"PK\x03\x04" + b"\x00" * 64),
        ("a.csv", ",,,\n,,,\n"),
        ("a.csv", "=1+1,+2\n-3,@SUM(A1)\n"),
    ]
    for name, content in odd:
        body = content if isinstance(content, bytes) else content.encode()
        r = api_client.post(
            "/api/v1/uploads",
            files={"file": (name, body, "application/octet-stream")},
            data={"title": "Uji fuzz"},
            headers=bearer(tokens["analis.pusat"]),
        )
        assert r.status_code < 500, (name, r.text[:300])
        assert r.json()["ok"] in (True, False)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_uploaded_formulas_come_back_neutralised(fmt: str) -> None:
    """The export writers neutralise what an upload could carry (formula-looking text)."""
    import pyarrow as pa

    from treasury.opendata.exports import WRITERS

    dangerous = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1"]
    batch = pa.RecordBatch.from_pydict({"uraian": dangerous, "nilai": [1, -2, 3, 4, 5]})
    writer = WRITERS[fmt]
    args = (batch.schema, iter([batch]))
    chunks = writer.write(*args, 1 * len(dangerous)) if fmt == "xlsx" else writer.write(*args)
    data = b"".join(chunks)
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        for value in dangerous:
            assert f"\n{value}," not in text and f'\n"{value}",' not in text
        assert "\n'=HYPERLINK" in text or "\n\"'=HYPERLINK" in text
        assert ",-2\n" in text  # numbers stay numbers
    else:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            sheet = book.read("xl/worksheets/sheet1.xml")
            strings = (
                book.read("xl/sharedStrings.xml")
                if "xl/sharedStrings.xml" in book.namelist()
                else b""
            )
        assert b"<f>" not in sheet and b"<f " not in sheet  # no formula cell
        assert b"'=HYPERLINK" in strings + sheet
