"""Bad input: the run completes, good rows load, bad rows are quarantined with their reason,
and a file that cannot be read fails only its own batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from treasury.config import Settings
from treasury.warehouse import lake
from treasury.warehouse.pipeline import pipeline_status, run_pipeline

from .landing import master, monthly, write


def _csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


@pytest.fixture
def bad_landing(settings: Settings) -> Settings:
    landing = settings.landing
    write(landing, "span_satker", "2024-01-01", master()["span_satker"], fmt="csv")
    sp2d = monthly("2024-01", seed=1)["span_sp2d"]
    rows = [list(r.values()) for r in sp2d.slice(0, 6).to_pylist()]
    header = sp2d.column_names
    col = {name: i for i, name in enumerate(header)}
    bad = [list(r) for r in rows]
    bad[1][col["nilai"]] = "12x34"  # not a number
    bad[2][col["kode_satker"]] = "999999"  # unknown code
    bad[3][col["tanggal_spm"]] = "2023-12-30"  # SPM in another fiscal year
    dup_key = list(rows[4])
    dup_key[col["nilai"]] = 1  # same document line, another amount
    exact = list(rows[0])  # the same row twice
    bad[5][col["kode_ba"]] = str(int(bad[5][col["kode_ba"]]))  # "015" delivered as "15": cleansed
    _csv(
        landing / "span_sp2d" / "2024-01.csv",
        [*header, "catatan"],
        [[*r, "x"] for r in [*bad, dup_key, exact]],
    )
    # a wrong column set: nilai is missing
    _csv(landing / "span_sp2d" / "2024-02.csv", header[:-1], [r[:-1] for r in rows])
    # a file that is not UTF-8
    mpn = monthly("2024-01", seed=1)["mpn_penerimaan"]
    mpn_rows = [[*r.values()] for r in mpn.slice(0, 3).to_pylist()]
    mpn_rows[0][-1] = "Rp\xe9"
    _csv(landing / "mpn_penerimaan" / "2024-01.csv", mpn.column_names, mpn_rows, encoding="latin-1")
    # a Parquet file that is not Parquet at all
    (landing / "span_pembiayaan").mkdir()
    (landing / "span_pembiayaan" / "2024-01.parquet").write_bytes(b"PAR1 garbage")
    write(landing, "span_pembiayaan", "2024-02", monthly("2024-02", seed=2)["span_pembiayaan"])
    return settings


def test_bad_rows_go_to_quarantine_and_the_run_completes(bad_landing: Settings) -> None:
    result = run_pipeline(bad_landing)
    assert result.status == "succeeded", result.message
    sp2d = next(s for s in result.stages if s.dataset == "span_sp2d")
    assert (sp2d.rows_in, sp2d.rows_out, sp2d.rows_quarantined) == (8, 3, 5)
    assert sp2d.status == "warning"
    q = lake.read(lake.table_path(bad_landing.lake, "quarantine", "span_sp2d")).to_table()
    delivered = monthly("2024-01", seed=1)["span_sp2d"].to_pylist()
    key = {i: f"{delivered[i]['nomor_sp2d']}, {delivered[i]['baris']}" for i in (0, 4)}
    reasons = {(r["_row"], r["rule"], r["column"], r["value"], r["_batch"]) for r in q.to_pylist()}
    assert reasons == {
        (2, "type", "nilai", "12x34", "2024-01"),
        (3, "foreign_key", "kode_satker", "999999", "2024-01"),
        (4, "same_fiscal_year", "tanggal_spm", "2023-12-30", "2024-01"),
        (7, "primary_key", "nomor_sp2d, baris", key[4], "2024-01"),
        (8, "duplicate_exact", "nomor_sp2d, baris", key[0], "2024-01"),
    }
    assert all('"catatan"' not in r for r in q.column("record").to_pylist())
    clean = lake.read(lake.table_path(bad_landing.lake, "clean", "span_sp2d")).to_table()
    assert clean.num_rows == 3
    assert all(len(v) == 3 for v in clean.column("kode_ba").to_pylist())  # "15" became "015"
    assert "catatan" not in clean.column_names

    codes = {(e["code"], e.get("data", {}).get("batch")) for e in sp2d.events}
    assert ("W105", "2024-02") in codes  # wrong columns: that batch failed
    assert any(c == "W104" for c, _ in codes)  # extra column dropped
    mpn = next(s for s in result.stages if s.dataset == "mpn_penerimaan")
    assert mpn.status == "failed" and mpn.rows_in == 0
    [event] = [e for e in mpn.events if e["code"] == "W106"]
    assert "2024-01.csv" in event["message"]
    pemb = next(s for s in result.stages if s.dataset == "span_pembiayaan")
    assert pemb.rows_out == 2  # the good file loaded, the broken one failed alone
    assert any(e["code"] == "W106" and "2024-01.parquet" in e["message"] for e in pemb.events)

    status = pipeline_status(bad_landing)
    assert status is not None and status.run_id == result.run_id
    by_rule = {(r["dataset"], r["rule"]): r["rows"] for r in status.quarantine}
    assert by_rule[("span_sp2d", "type")] == 1 and by_rule[("span_sp2d", "duplicate_exact")] == 1

    # Failed batches are not in the ledger: fixed files are picked up by the next run.
    ledger = {(r["dataset"], r["batch"]) for r in lake.ledger(bad_landing.lake).to_pylist()}
    assert ("span_sp2d", "2024-01") in ledger and ("span_sp2d", "2024-02") not in ledger
    again = run_pipeline(bad_landing)
    assert any(e["code"] == "W105" for s in again.stages for e in s.events)
