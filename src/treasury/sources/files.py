"""The file connector: read an extract dropped in the landing zone as an Arrow table.

Parquet keeps its types; CSV (UTF-8, comma, semicolon or tab separated) and XLSX (first sheet)
are read with every column as a string, so codes keep their leading zeros and the warehouse's
contract decides the types. Empty cells are nulls. Anything unreadable raises
:class:`ExtractError` with a message that names the file (and the line, where there is one).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

EXTENSIONS = (".parquet", ".csv", ".xlsx")
_BOM = codecs.BOM_UTF8
_CHUNK = 1 << 20


class ExtractError(ValueError):
    """An extract that cannot be read; the message is meant for the person who supplied it."""


def read_extract(path: Path | str) -> pa.Table:
    """Read one extract file.

    Parameters
    ----------
    path:
        A ``.parquet``, ``.csv`` or ``.xlsx`` file.

    Returns
    -------
    pyarrow.Table
        Parquet with its own schema; CSV and XLSX with all columns as ``string``.

    Raises
    ------
    ExtractError
        Missing, empty, undecodable or malformed file, or an unsupported extension.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = f.write_text("kode_ba,nilai\\n015,12\\n", encoding="utf-8")
    >>> read_extract(f).to_pylist()
    [{'kode_ba': '015', 'nilai': '12'}]
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise ExtractError(
            f"{path.name}: unsupported file type {suffix!r}; use .parquet, .csv or .xlsx"
        )
    if not path.is_file():
        raise ExtractError(f"{path.name}: file not found ({path})")
    if path.stat().st_size == 0:
        raise ExtractError(f"{path.name}: the file is empty")
    if suffix == ".parquet":
        try:
            return pq.read_table(path)
        except (pa.ArrowException, OSError) as exc:
            raise ExtractError(f"{path.name}: not a readable Parquet file ({exc})") from exc
    if suffix == ".csv":
        return _read_csv(path)
    return _read_xlsx(path)


def _first_bad_utf8(path: Path) -> tuple[int, int] | None:
    """(line, byte offset) of the first byte sequence that is not UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 1
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            try:
                decoder.decode(chunk, final=False)
            except UnicodeDecodeError as exc:
                bad = exc.start
                return lines + chunk.count(b"\n", 0, max(bad, 0)), offset + max(bad, 0)
            lines += chunk.count(b"\n")
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return lines, offset
    return None


def _header(path: Path) -> tuple[list[str], str]:
    with path.open("rb") as f:
        raw = f.readline()
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        line = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise ExtractError(
            f"{path.name}: line 1 is not valid UTF-8 text; save the file as CSV UTF-8"
        ) from None
    delimiter = max(",;\t", key=line.count)
    names = next(csv.reader([line], delimiter=delimiter), [])
    names = [n.strip() for n in names]
    if not names or any(not n for n in names):
        raise ExtractError(f"{path.name}: line 1 must name every column")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ExtractError(f"{path.name}: column names repeated in line 1: {', '.join(duplicates)}")
    return names, delimiter


def _read_csv(path: Path) -> pa.Table:
    names, delimiter = _header(path)
    try:
        return _parse_csv(path, names, delimiter, threads=True, bad_rows=[])
    except pa.ArrowInvalid as exc:
        bad_text = _first_bad_utf8(path)
        if bad_text is not None:
            line, offset = bad_text
            raise ExtractError(
                f"{path.name}: line {line} is not valid UTF-8 text (byte {offset}); "
                "save the file as CSV UTF-8"
            ) from exc
        bad_rows: list[int | None] = []
        with contextlib.suppress(pa.ArrowInvalid):  # one thread knows the bad row's line
            _parse_csv(path, names, delimiter, threads=False, bad_rows=bad_rows)
        if bad_rows:
            where = f"line {bad_rows[0]}" if bad_rows[0] is not None else "a line"
            raise ExtractError(
                f"{path.name}: {where} does not have {len(names)} fields like the header"
            ) from exc
        raise ExtractError(f"{path.name}: not a readable CSV file ({exc})") from exc


def _parse_csv(
    path: Path, names: list[str], delimiter: str, threads: bool, bad_rows: list[int | None]
) -> pa.Table:
    def invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append(row.number)
        return "error"

    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=threads),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=invalid),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=True,
            null_values=[""],
        ),
    )


def _cell(value: object) -> str | None:
    """One spreadsheet cell as text (whole numbers without a decimal point)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path) -> pa.Table:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise ExtractError(f"{path.name}: not a readable XLSX workbook ({exc})") from exc
    if not rows:
        raise ExtractError(f"{path.name}: the first sheet is empty")
    names = [str(_cell(v) or "").strip() for v in rows[0]]
    while names and not names[-1]:
        names.pop()
    if not names or any(not n for n in names):
        raise ExtractError(f"{path.name}: row 1 of the first sheet must name every column")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ExtractError(f"{path.name}: column names repeated in row 1: {', '.join(duplicates)}")
    width = len(names)
    body = rows[1:]
    for number, row in enumerate(body, start=2):
        if any(v not in (None, "") for v in row[width:]):
            raise ExtractError(f"{path.name}: row {number} has values beyond the named columns")
    return pa.table({n: _text_column([_at(r, i) for r in body]) for i, n in enumerate(names)})


def _at(row: Sequence[object], i: int) -> object:
    return row[i] if i < len(row) else None


def _text_column(values: list[object]) -> pa.Array:
    """A spreadsheet column as strings: whole columns of text or numbers at once, mixed
    columns cell by cell."""
    kinds = {type(v) for v in values if v is not None and v != ""}
    if kinds <= {str}:
        return pa.array([v or None for v in values], pa.string())
    if kinds <= {float, int}:
        numbers = pa.array([None if v == "" else v for v in values], pa.float64())
        whole = pc.equal(pc.floor(numbers), numbers)
        as_int = pc.cast(pc.cast(numbers, pa.int64(), safe=False), pa.string())
        return pc.if_else(whole, as_int, pc.cast(numbers, pa.string()))
    return pa.array([_cell(v) for v in values], pa.string())
