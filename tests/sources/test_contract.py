"""The extracts carry exactly the datasets, columns and Arrow types of docs/datasets.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from treasury.sources.schemas import SCHEMAS

DOC = Path(__file__).resolve().parents[2] / "docs" / "datasets.md"
_TYPES = {
    "int16": pa.int16(),
    "int8": pa.int8(),
    "int64": pa.int64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "double": pa.float64(),
    "string": pa.string(),
}


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    return [*parts, current.strip()]


def _documented() -> dict[str, list[tuple[str, pa.DataType | None]]]:
    out: dict[str, list[tuple[str, pa.DataType | None]]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `(\w+)` \| [^|]+ \| (.+?) \| [^|]+ \|$", line)
        if not m:
            continue
        columns = []
        default = pa.string() if "(all string)" in m.group(2) else None
        for item in _split_top_level(m.group(2).replace("(all string)", "")):
            name = item.split()[0]
            hint = re.search(r"\((\w+)", item)
            dtype = _TYPES.get(hint.group(1)) if hint else None
            columns.append((name, dtype or default))
        out[m.group(1)] = columns
    return out


def test_schemas_equal_the_documented_contract() -> None:
    documented = _documented()
    assert set(documented) == set(SCHEMAS)
    for dataset, columns in documented.items():
        schema = SCHEMAS[dataset]
        assert [name for name, _ in columns] == schema.names, dataset
        for name, dtype in columns:
            if dtype is not None:
                assert schema.field(name).type == dtype, (dataset, name)


def test_every_extract_has_its_contract_schema(
    landing: Path, extract: Callable[[str], pa.Table]
) -> None:
    for dataset, schema in SCHEMAS.items():
        assert (landing / dataset).is_dir(), dataset
        assert extract(dataset).schema == schema, dataset
        assert extract(dataset).num_rows > 0, dataset
