from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from treasury import reference

DATA = Path(reference.__file__).parent / "data"


def test_domain_tables_keep_their_csv_columns() -> None:
    loaders = {
        "apbn_annual.csv": reference.apbn_annual,
        "macro_assumptions.csv": reference.macro_assumptions,
        "macro_outcomes.csv": reference.macro_outcomes,
        "spending_cumulative_share.csv": reference.spending_cumulative_share,
        "dana_desa.csv": reference.dana_desa_history,
        "energy_subsidy.csv": reference.energy_subsidy,
        "sensitivity.csv": reference.sensitivity,
    }
    for name, loader in loaders.items():
        with (DATA / name).open() as f:
            header = next(csv.reader(f))
        table = loader()
        assert table.column_names == header, name
        assert table.num_rows > 0


def test_apbn_2026_budget_row() -> None:
    rows = [
        r for r in reference.apbn_annual().to_pylist() if (r["year"], r["vintage"]) == (2026, "B")
    ]
    assert len(rows) == 1
    row = rows[0]
    assert row["pendapatan"] == 3153.6
    assert row["belanja"] == 3842.7
    assert row["defisit"] == 689.1
    assert abs(row["belanja"] - row["pendapatan"] - row["defisit"]) < 0.1
    assert abs(row["perpajakan"] + row["pnbp"] + row["hibah"] - row["pendapatan"]) < 0.1
    assert abs(row["bpp"] + row["tkd"] - row["belanja"]) < 0.1


def test_types() -> None:
    table = reference.apbn_annual()
    assert table.schema.field("year").type == pa.int64()
    assert table.schema.field("pajak_djp").type == pa.float64()
    assert reference.sensitivity().schema.field("unit").type == pa.string()
