"""Saved scenarios in the app database: save, get, list, compare."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from treasury.db.simulations import Simulation

MAX_COMPARE = 4


def save(
    session: Session, scenario: dict[str, Any], result: dict[str, Any], user: str | None
) -> int:
    """Store a run (its input as given, and its result); return the new id."""
    row = Simulation(
        nama=result["nama"],
        jenis=result["jenis"],
        tahun_dasar=result["tahun_dasar"],
        draws=result["draws"],
        seed=result["seed"],
        scenario=scenario,
        result=result,
        created_by=user,
    )
    session.add(row)
    session.flush()
    return int(row.id)


def as_dict(row: Simulation) -> dict[str, Any]:
    """A saved run as JSON: its id, who saved it and when, the input and the result."""
    return {
        "id": row.id,
        "nama": row.nama,
        "jenis": row.jenis,
        "dibuat_oleh": row.created_by,
        "dibuat_pada": row.created_at.isoformat() if row.created_at else None,
        "skenario": row.scenario,
        "hasil": row.result,
    }


def get(session: Session, simulation_id: int) -> dict[str, Any] | None:
    """A saved run, or None."""
    row = session.get(Simulation, simulation_id)
    return as_dict(row) if row else None


def recent(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    """The latest saved runs, newest first, without their full results."""
    rows = session.scalars(select(Simulation).order_by(Simulation.id.desc()).limit(limit))
    return [
        {
            "id": r.id,
            "nama": r.nama,
            "jenis": r.jenis,
            "tahun_dasar": r.tahun_dasar,
            "draws": r.draws,
            "seed": r.seed,
            "dibuat_oleh": r.created_by,
            "dibuat_pada": r.created_at.isoformat() if r.created_at else None,
        }
        for r in rows
    ]


def compare(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Up to four results side by side: per year and indicator, one value per scenario."""
    if not 1 <= len(results) <= MAX_COMPARE:
        raise ValueError(f"compare 1 to {MAX_COMPARE} scenarios")
    indicators = (
        "pendapatan",
        "belanja",
        "defisit",
        "defisit_pct_pdb",
        "keseimbangan_primer",
        "pembiayaan",
        "utang_pct_pdb",
        "prob_defisit_di_atas_3pct",
        "prob_utang_di_atas_60pct",
    )
    years = [row["tahun"] for row in results[0]["tahun"]]
    table = []
    for i, year in enumerate(years):
        for key in indicators:
            values = [r["tahun"][i].get(key) if i < len(r["tahun"]) else None for r in results]
            table.append({"tahun": year, "indikator": key, "nilai": values})
    return {"skenario": [r["nama"] for r in results], "baris": table}
