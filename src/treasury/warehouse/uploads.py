"""Uploads as a source: a user's CSV/XLSX file checked, validated and committed to the lake.

An uploaded dataset lives in ``$TREASURY_HOME/lake/upload/<slug>`` (one Delta table; each
upload is a new version, so any earlier version can be read again) and its rejected rows in
``lake/quarantine/upload-<slug>`` with the rule, column and value that failed. Files are
checked before they are parsed: the type from the content, not the name; an XLSX's uncompressed
size from its zip directory (a zip bomb is refused unread); no formula cells; UTF-8 text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from treasury.config import Settings
from treasury.sources.files import ExtractError, read_extract
from treasury.warehouse import lake

ZIP_MAGIC = b"PK\x03\x04"
MAX_RATIO = 200
"""Largest uncompressed/compressed ratio accepted for an XLSX (real sheets stay far below)."""
MAX_ERRORS = 1000
"""Errors listed in a report (the counts are always complete)."""
TYPES = ("string", "integer", "number", "boolean", "date", "datetime", "year")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DIGITS = re.compile(r"^[0-9]+$|^[+-][0-9]+$")
_NUMBER = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$")
_BOOLEAN = {"true": True, "false": False, "1": True, "0": False, "ya": True, "tidak": False}
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


class UploadError(ValueError):
    """An upload refused before anything changed: HTTP ``status``, stable ``code``, message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def lake_path(settings: Settings, slug: str) -> Path:
    """The Delta table of an uploaded dataset."""
    return lake.table_path(settings.lake, "upload", slug)


def quarantine_path(settings: Settings, slug: str) -> Path:
    """The Delta table of an uploaded dataset's rejected rows."""
    return lake.table_path(settings.lake, "quarantine", f"upload-{slug}")


def source_table(slug: str) -> str:
    """The catalog source name of an uploaded dataset (``clean_upload_<slug>``)."""
    return "clean_upload_" + slug.replace("-", "_")


def read_version(settings: Settings, slug: str, version: int | None = None) -> ds.Dataset | None:
    """An uploaded dataset's rows at a lake version (default: the latest), or None."""
    return lake.read(lake_path(settings, slug), version)


def check_file(path: Path, suffix: str, max_bytes: int) -> None:
    """Refuse a file whose content is not what its name says, or an XLSX that is a zip bomb or
    holds formulas.

    Raises
    ------
    UploadError
        415 for a wrong type, 413 for too large a workbook, 400 for formulas or an empty file.
    """
    size = path.stat().st_size
    if size == 0:
        raise UploadError(400, "empty_file", "the file is empty")
    with path.open("rb") as f:
        head = f.read(8192)
    if suffix == ".xlsx":
        if not head.startswith(ZIP_MAGIC) or not zipfile.is_zipfile(path):
            raise UploadError(415, "wrong_type", "the file is not an XLSX workbook")
        _check_workbook(path, size, max_bytes)
    elif suffix == ".csv":
        if head.startswith(ZIP_MAGIC) or b"\x00" in head:
            raise UploadError(
                415, "wrong_type", "the file is not CSV text (a workbook? save it as .xlsx)"
            )
    else:
        raise UploadError(415, "wrong_type", f"unsupported file type {suffix!r}; use .csv or .xlsx")


def _check_workbook(path: Path, size: int, max_bytes: int) -> None:
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        unpacked = sum(m.file_size for m in members)
        if unpacked > max_bytes or unpacked > MAX_RATIO * max(size, 1):
            raise UploadError(
                413,
                "workbook_too_large",
                f"the workbook unpacks to {unpacked:,} bytes (from {size:,}); "
                "the limit is the upload size limit and a ratio of "
                f"{MAX_RATIO}: refused without reading it",
            )
        names = {m.filename for m in members}
        if "xl/workbook.xml" not in names:
            raise UploadError(415, "wrong_type", "the file is a zip archive but not an XLSX")
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                with archive.open(member) as sheet:
                    tail = b""
                    while chunk := sheet.read(1 << 20):
                        if _FORMULA.search(tail + chunk):
                            raise UploadError(
                                400,
                                "formula_cells",
                                f"{member.filename.rsplit('/', 1)[-1]} holds formula cells; "
                                "paste the values only (Paste Special > Values)",
                            )
                        tail = chunk[-16:]


def read_file(path: Path, name: str) -> pa.Table:
    """The uploaded rows as text columns (every column a string).

    Raises
    ------
    UploadError
        400 for bad encoding, a malformed file or no rows.
    """
    try:
        table = read_extract(path)
    except ExtractError as exc:
        message = str(exc).replace(path.name, name)
        code = "bad_encoding" if "UTF-8" in message else "unreadable_file"
        raise UploadError(400, code, message) from exc
    if table.num_rows == 0:
        raise UploadError(400, "no_rows", f"{name}: the file has a header but no rows")
    return table


def column_name(header: str) -> str:
    """A header as a column name (``Kode KPPN`` -> ``kode_kppn``)."""
    name = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    if not name or not name[0].isalpha():
        name = "kolom_" + name
    return name[:60]


def _kind(values: list[str]) -> str:
    if not values:
        return "string"
    if all(_DIGITS.match(v) for v in values):
        if any(len(v) > 1 and v.startswith("0") for v in values):
            return "string"  # codes keep their leading zeros
        if any(len(v.lstrip("+-")) > 18 for v in values):
            return "string"
        return "integer"
    if any(_DIGITS.match(v) and len(v) > 1 and v.startswith("0") for v in values):
        return "string"
    if all(_NUMBER.match(v) for v in values):
        return "number"
    if all(v.lower() in _BOOLEAN for v in values) and not all(v in "01" for v in values):
        return "boolean"
    if all(_DATE.match(v) for v in values):
        return "date"
    if all(_DATETIME.match(v) for v in values):
        return "datetime"
    return "string"


def infer_schema(table: pa.Table, sample: int = 10_000) -> list[dict[str, str]]:
    """A Table Schema ``fields`` list guessed from the first rows: name, title, type.

    Examples
    --------
    >>> t = pa.table({"Kode KPPN": ["086", "019"], "Pagu": ["12", "30"]})
    >>> [(f["name"], f["type"]) for f in infer_schema(t)]
    [('kode_kppn', 'string'), ('pagu', 'integer')]
    """
    out = []
    seen: set[str] = set()
    for header in table.column_names:
        name = column_name(header)
        while name in seen:
            name += "_2"
        seen.add(name)
        head = table.column(header).slice(0, sample).drop_null().to_pylist()
        out.append({"name": name, "title": header.strip(), "type": _kind(head)})
    return out


@dataclass
class Validation:
    """Rows that passed (typed) and every failure found (row, column, rule, value, message)."""

    valid: pa.Table
    invalid_rows: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    invalid: pa.Table | None = None


def _convert(kind: str, text: str) -> Any:
    if kind == "string":
        return text
    if kind in ("integer", "year"):
        if not _INTEGER.match(text):
            raise ValueError
        return int(text)
    if kind == "number":
        if not _NUMBER.match(text):
            raise ValueError
        return float(text)
    if kind == "boolean":
        return _BOOLEAN[text.lower()]
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "datetime":
        return dt.datetime.fromisoformat(text)
    raise ValueError


ARROW = {
    "string": pa.string(),
    "integer": pa.int64(),
    "year": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
}


def validate(table: pa.Table, fields: list[dict[str, Any]], headers: list[str]) -> Validation:
    """Check each row against the Table Schema ``fields`` (type and constraints).

    ``headers`` are the file's columns in the order of ``fields``. Rules: ``type``,
    ``required``, ``pattern``, ``enum``, ``minimum``, ``maximum``, ``minLength``, ``maxLength``.
    Row numbers count the header as row 1, as a spreadsheet does.
    """
    columns: dict[str, list[Any]] = {f["name"]: [] for f in fields}
    errors: list[dict[str, Any]] = []
    error_count = 0
    bad_rows: list[int] = []
    raw = {h: table.column(h).to_pylist() for h in headers}
    for i in range(table.num_rows):
        row_errors = []
        typed: dict[str, Any] = {}
        for f, header in zip(fields, headers, strict=True):
            text = raw[header][i]
            text = text.strip() if isinstance(text, str) else text
            problem = _check(f, text or None)
            if problem is None:
                typed[f["name"]] = None if not text else _convert(f["type"], text)
            else:
                row_errors.append((f["name"], problem, text))
        if row_errors:
            bad_rows.append(i)
            for column, (rule, message), value in row_errors:
                error_count += 1
                if len(errors) < MAX_ERRORS:
                    errors.append(
                        {
                            "row": i + 2,
                            "column": column,
                            "rule": rule,
                            "value": value,
                            "message": message,
                        }
                    )
            continue
        for name, value in typed.items():
            columns[name].append(value)
    valid = pa.table({f["name"]: pa.array(columns[f["name"]], ARROW[f["type"]]) for f in fields})
    invalid = None
    if bad_rows:
        picked = table.take(pa.array(bad_rows))
        invalid = pa.table(
            {
                "_row": pa.array([r + 2 for r in bad_rows], pa.int64()),
                "record": pa.array(
                    [json.dumps(r, ensure_ascii=False) for r in picked.to_pylist()], pa.string()
                ),
            }
        )
    return Validation(valid, len(bad_rows), errors, error_count, invalid)


def _check(f: dict[str, Any], text: str | None) -> tuple[str, str] | None:
    constraints = f.get("constraints") or {}
    if text is None:
        if constraints.get("required"):
            return "required", "a value is required"
        return None
    kind = f.get("type", "string")
    try:
        value = _convert(kind, text)
    except (ValueError, KeyError):
        return "type", f"not a valid {kind}"
    if "pattern" in constraints and not re.fullmatch(str(constraints["pattern"]), text):
        return "pattern", f"does not match {constraints['pattern']}"
    if (
        "enum" in constraints
        and value not in constraints["enum"]
        and text not in [str(v) for v in constraints["enum"]]
    ):
        return "enum", "not one of the allowed values"
    for rule, ok in (("minimum", lambda v, b: v >= b), ("maximum", lambda v, b: v <= b)):
        if rule in constraints:
            bound = constraints[rule]
            if isinstance(value, dt.date) and isinstance(bound, str):
                bound = type(value).fromisoformat(bound)
            if not ok(value, bound):
                return rule, f"{rule} is {bound}"
    if "minLength" in constraints and len(text) < int(constraints["minLength"]):
        return "minLength", f"shorter than {constraints['minLength']}"
    if "maxLength" in constraints and len(text) > int(constraints["maxLength"]):
        return "maxLength", f"longer than {constraints['maxLength']}"
    return None


@dataclass(frozen=True)
class Stored:
    """Where an upload landed: the lake version of the dataset and its row counts."""

    version: int
    rows: int
    rows_invalid: int


def store(
    settings: Settings,
    slug: str,
    result: Validation,
    batch: str,
    run_id: str,
    mode: str = "replace",
) -> Stored:
    """Commit valid rows as a new version of the dataset's table (``replace``: the upload is the
    whole dataset; ``append``: added to the current rows) and the rejected rows to its quarantine.

    Raises
    ------
    UploadError
        409 when ``append`` rows do not match the table's columns.
    """
    path = lake_path(settings, slug)
    rows = lake.with_tags(result.valid, batch, run_id)
    if mode == "append" and (current := read_version(settings, slug)) is not None:
        old = current.to_table()
        try:
            rows = pa.concat_tables([old, rows.cast(old.schema)])
        except (pa.ArrowInvalid, ValueError) as exc:
            raise UploadError(
                409, "schema_mismatch", f"the rows do not fit the dataset's columns ({exc})"
            ) from exc
    version = lake.overwrite(path, _plain_tags(rows))
    if result.invalid is not None and result.invalid.num_rows:
        writer = lake.TableWriter(quarantine_path(settings, slug), result.invalid.schema, [batch])
        writer.put(lake.with_tags(result.invalid, batch, run_id))
        writer.close()
    return Stored(version, rows.num_rows, result.invalid_rows)


def _plain_tags(table: pa.Table) -> pa.Table:
    """Tag columns as plain strings (Delta stores them so; dictionaries are a Parquet detail)."""
    for name in lake.TAGS:
        i = table.column_names.index(name)
        table = table.set_column(i, name, pc.cast(table.column(name), pa.string()))
    return table


def restore_version(settings: Settings, slug: str, version: int) -> int:
    """Commit an earlier version's rows as the newest version; returns the new version."""
    old = read_version(settings, slug, version)
    if old is None:
        raise UploadError(404, "no_such_version", f"{slug} has no lake version {version}")
    return lake.overwrite(lake_path(settings, slug), old.to_table())


def served_tables(settings: Settings) -> dict[str, ds.Dataset]:
    """Every uploaded dataset's latest rows by its catalog source name (``clean_upload_<slug>``),
    for the serving snapshot to expose beside the clean tables."""
    folder = settings.lake / "upload"
    if not folder.exists():
        return {}
    out = {}
    for path in sorted(p for p in folder.iterdir() if p.is_dir()):
        data = lake.read(path)
        if data is not None:
            out[source_table(path.name)] = data
    return out
