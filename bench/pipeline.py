"""Pipeline benchmark: end to end at a scale, against pandas and a bare DuckDB scan.

Each step runs in a fresh process so its peak memory is its own. Results:
``bench/results/pipeline_<scale>.json``.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path
from typing import Any

from bench.harness import measure, write_result

SEED = 20240101
AS_OF = "2026-11-23"


def bench_home(scale: str) -> Path:
    """Where the benchmark's generated extracts and lake live (kept between runs)."""
    root = Path(os.environ.get("TREASURY_BENCH_HOME", ".treasury-bench"))
    return (root / scale).resolve()


def ensure_sources(home: Path, scale: str) -> dict[str, Any] | None:
    """Generate the extracts once per scale; return the generation measurement if it ran."""
    marker = home / "landing" / ".complete"
    if marker.exists():
        return None
    shutil.rmtree(home / "landing", ignore_errors=True)
    result = measure(
        f"""
        import datetime as dt
        from pathlib import Path
        from treasury.sources.generate import generate
        written = generate(Path({str(home / "landing")!r}), scale={scale!r}, seed={SEED},
                           as_of=dt.date.fromisoformat({AS_OF!r}))
        extra = {{"files": sum(len(v) for v in written.values())}}
        """
    )
    marker.write_text("ok\n")
    return result


def run(args: argparse.Namespace) -> None:
    """Run the pipeline benchmark at ``args.scale`` and write its JSON result."""
    scale = args.scale
    home = bench_home(scale)
    env = {"TREASURY_HOME": str(home), "TREASURY_AS_OF": AS_OF}
    generation = ensure_sources(home, scale)
    sp2d = sorted(str(p) for p in (home / "landing" / "span_sp2d").glob("*.parquet"))

    for folder in ("lake", "serving"):
        shutil.rmtree(home / folder, ignore_errors=True)
    (home / "app.db").unlink(missing_ok=True)
    load_before = os.getloadavg()
    pipeline = measure(
        """
        from treasury.config import get_settings
        from treasury.warehouse.pipeline import run_pipeline
        result = run_pipeline(get_settings())
        assert result.status == "succeeded", result
        usage = resource.getrusage(resource.RUSAGE_SELF)
        extra = {
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "rows_in": sum(s.rows_in for s in result.stages if s.stage == "validate"),
            "rows_quarantined": sum(s.rows_quarantined for s in result.stages),
            "sp2d_rows": sum(
                s.rows_in for s in result.stages
                if s.stage == "validate" and s.dataset == "span_sp2d"
            ),
            "stages": [
                {"stage": s.stage, "dataset": s.dataset, "rows_in": s.rows_in, "seconds": s.seconds}
                for s in result.stages
            ],
        }
        """,
        env=env,
    )
    load_after = os.getloadavg()
    if scale == "large":
        pandas = None  # the whole table in pandas needs ~50 GB at 100M rows: not run
    else:
        pandas = measure(
            f"""
            from pathlib import Path
            import pyarrow.parquet as pq
            from treasury import reference
            from bench.pandas_baseline import validate_and_aggregate
            satker = set(pq.read_table(
                sorted(Path({str(home / "landing" / "span_satker")!r}).glob("*.parquet"))[0],
                columns=["kode_satker"],
            ).column(0).to_pylist())
            kppn = set(reference.kppn().column("kode_kppn").to_pylist())
            accounts = set(reference.accounts().column("kode_akun").to_pylist())
            valid, bad, monthly = validate_and_aggregate(
                [Path(p) for p in {sp2d!r}], satker, kppn, accounts)
            extra = {{"valid": valid, "rejected": bad, "groups": len(monthly)}}
            """
        )
    floor = measure(
        f"""
        import duckdb
        con = duckdb.connect()
        con.execute("SET threads=2")
        files = {sp2d!r}
        row = con.execute(
            "select count(*), sum(nilai), min(nomor_sp2d), max(uraian), min(rekening_penerima), "
            "min(kode_satker), max(kode_akun), min(tanggal_sp2d), min(tanggal_spm), max(baris), "
            "min(nomor_spm), min(kode_kppn), min(kode_ba), min(kode_program), min(kode_kegiatan), "
            "min(kode_output), min(sumber_dana), min(jenis_pembayaran), min(jenis_penerima) "
            "from read_parquet(?)", [files]).fetchone()
        extra = {{"rows": row[0]}}
        """
    )

    rows_in = pipeline["extra"]["rows_in"]
    sp2d_rows = pipeline["extra"]["sp2d_rows"]
    pipeline_rate = rows_in / pipeline["seconds"]
    # Our share of the same work: validating (and committing) the SP2D extract, plus the
    # monthly satker aggregation mart.
    ours = sum(
        s["seconds"]
        for s in pipeline["extra"]["stages"]
        if (s["stage"], s["dataset"])
        in {("validate", "span_sp2d"), ("marts", "mart_belanja_satker_bulanan")}
    )
    result = {
        "scale": scale,
        "targets": {"rows_per_second": 500_000, "peak_mb": 4096, "ratio_vs_pandas": 10},
        "pipeline": {
            "rows_in": rows_in,
            "sp2d_rows": sp2d_rows,
            "seconds": round(pipeline["seconds"], 3),
            "rows_per_second": round(pipeline_rate),
            # CPU of the run's process (all threads): on the shared 2-core machine the wall time
            # depends on what else runs; the CPU time much less.
            "cpu_seconds": round(pipeline["extra"]["cpu_seconds"], 1),
            "machine_load_before_after": [round(load_before[0], 1), round(load_after[0], 1)],
            "peak_mb": round(pipeline["peak_mb"]),
            "rows_quarantined": pipeline["extra"]["rows_quarantined"],
            "stages": pipeline["extra"]["stages"],
        },
        "duckdb_bare_scan_sp2d": {
            "rows": floor["extra"]["rows"],
            "seconds": round(floor["seconds"], 3),
            "rows_per_second": round(floor["extra"]["rows"] / floor["seconds"]),
            "peak_mb": round(floor["peak_mb"]),
        },
        "ours_validate_and_aggregate_sp2d_seconds": round(ours, 3),
    }
    if pandas is not None:
        result["pandas_validate_and_aggregate_sp2d"] = {
            "rows": sp2d_rows,
            "seconds": round(pandas["seconds"], 3),
            "rows_per_second": round(sp2d_rows / pandas["seconds"]),
            "peak_mb": round(pandas["peak_mb"]),
        }
        result["ratios"] = {
            "validate_and_aggregate_vs_pandas": round(pandas["seconds"] / ours, 2),
            "pipeline_end_to_end_rows_per_second_vs_pandas": round(
                pipeline_rate / (sp2d_rows / pandas["seconds"]), 2
            ),
        }
    result.setdefault("ratios", {})["pipeline_rows_per_second_vs_bare_scan"] = round(
        pipeline_rate / (floor["extra"]["rows"] / floor["seconds"]), 3
    )
    if generation is not None:
        result["generation"] = {"seconds": round(generation["seconds"], 1), **generation["extra"]}
    path = write_result(f"pipeline_{scale}", result)
    print(f"wrote {path}")
