"""The extracts pass the warehouse's own contracts (field constraints, keys, references)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from treasury import reference

CONTRACTS = Path(__file__).resolve().parents[2] / "src" / "treasury" / "warehouse" / "contracts"
FILES = sorted(CONTRACTS.glob("*.json")) if CONTRACTS.is_dir() else []
Extract = Callable[[str], pa.Table]


def _reference_codes(resource: str, extract: Extract) -> set[str]:
    tables = {
        "ref_akun": lambda: reference.accounts()["kode_akun"],
        "ref_kppn": lambda: reference.kppn()["kode_kppn"],
        "ref_pemda": lambda: reference.pemda()["kode_pemda"],
        "ref_desa": lambda: reference.villages()["kode_desa"],
        "ref_provinsi": lambda: reference.provinces()["kode_provinsi"],
        "ref_kabkota": lambda: reference.kabkota()["kode_kabkota"],
        "ref_ba": lambda: reference.ministries()["kode_ba"],
        "span_satker": lambda: extract("span_satker")["kode_satker"],
    }
    return set(tables[resource]().to_pylist())


@pytest.mark.skipif(not FILES, reason="the warehouse contracts are not in this tree")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_extract_passes_warehouse_contract(path: Path, extract: Extract) -> None:
    contract = json.loads(path.read_text(encoding="utf-8"))
    table = extract(contract["name"])
    for field in contract["fields"]:
        column = table[field["name"]]
        rules = field.get("constraints", {})
        if rules.get("required"):
            assert column.null_count == 0, field["name"]
        if "pattern" in rules:
            ok = pc.match_substring_regex(pc.cast(column, pa.string()), rules["pattern"])
            assert pc.all(pc.fill_null(ok, True)).as_py(), field["name"]
        if "enum" in rules:
            assert set(column.unique().to_pylist()) - {None} <= set(rules["enum"]), field["name"]
        if "minimum" in rules:
            assert pc.min(column).as_py() >= rules["minimum"], field["name"]
        if "maximum" in rules:
            assert pc.max(column).as_py() <= rules["maximum"], field["name"]
    key = contract.get("primaryKey")
    if key:
        key = [key] if isinstance(key, str) else key
        assert table.group_by(key).aggregate([]).num_rows == table.num_rows
    for foreign in contract.get("foreignKeys", []):
        (column,) = foreign["fields"]
        known = _reference_codes(foreign["reference"]["resource"], extract)
        assert set(table[column].unique().to_pylist()) - {None} <= known, column
