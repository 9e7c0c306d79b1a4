"""XLSX export of one or more results: years, revenue and spending detail, fan chart, inputs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

YEAR_COLUMNS = (
    "tahun",
    "pdb_nominal",
    "pendapatan",
    "belanja",
    "defisit",
    "defisit_pct_pdb",
    "keseimbangan_primer",
    "pembiayaan",
    "pembiayaan_utang",
    "utang",
    "utang_pct_pdb",
    "prob_defisit_di_atas_3pct",
    "prob_utang_di_atas_60pct",
)


def _rows(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    sheets: dict[str, list[dict[str, Any]]] = {
        "ringkasan": [],
        "rincian": [],
        "fan_chart": [],
        "asumsi": [],
    }
    for r in results:
        for row in r["tahun"]:
            sheets["ringkasan"].append(
                {"skenario": r["nama"], **{k: row.get(k) for k in YEAR_COLUMNS}}
            )
            for group in ("pendapatan_rincian", "belanja_rincian"):
                for line, value in row[group].items():
                    sheets["rincian"].append(
                        {
                            "skenario": r["nama"],
                            "tahun": row["tahun"],
                            "kelompok": group.split("_")[0],
                            "pos": line,
                            "nilai": value,
                        }
                    )
            for name in ("kuantil_defisit_pct_pdb", "kuantil_utang_pct_pdb"):
                if name in row:
                    sheets["fan_chart"].append(
                        {
                            "skenario": r["nama"],
                            "tahun": row["tahun"],
                            "indikator": name[8:],
                            **row[name],
                        }
                    )
        for year, values in r["asumsi"].items():
            sheets["asumsi"].append({"skenario": r["nama"], "tahun": int(year), **values})
    return {k: v for k, v in sheets.items() if v}


def xlsx_bytes(results: list[dict[str, Any]]) -> bytes:
    """An XLSX workbook of the results (one row per scenario and year on each sheet)."""
    from rustpy_xlsxwriter import FastExcel

    fd, name = tempfile.mkstemp(suffix=".xlsx", prefix="treasury-simulation-")
    os.close(fd)
    path = Path(name)
    try:
        book = FastExcel(str(path))
        for sheet, rows in _rows(results).items():
            book = book.sheet(sheet, iter(rows))
        book.save()
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
