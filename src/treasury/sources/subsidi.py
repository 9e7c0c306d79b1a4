"""Subsidy payments by programme, province and month (``subsidi_realisasi``).

Each programme's monthly amount is exactly what ``span_sp2d`` pays that month through the BUN
subsidy satker of the programme, so the two views agree to the rupiah. Volumes follow national
levels of roughly the real size (subsidised diesel and kerosene about 17 million kl a year, 3 kg
LPG about 2.7 billion tubes, subsidised electricity about 60 TWh, fertiliser about 8 million
tons, PSO rail and sea about 260 million passengers, KUR about 8 million debtors) with seasonal
patterns (planting seasons for fertiliser, Lebaran and holidays for PSO), spread over provinces
by consumption weights. The amount of a (programme, month) is split over provinces in
proportion to volume x unit subsidy (economic price - retail price, which moves with ICP and the
exchange rate and is the same across provinces), then fitted to the month's payments.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from treasury.sources.allocate import FloatArray, IntArray, allocate_groups
from treasury.sources.calibration import SUBSIDY_PROGRAM_SUBKELOMPOK
from treasury.sources.payments import streams
from treasury.sources.provinces import economic_weight, profiles
from treasury.sources.run import Run
from treasury.sources.schemas import conform
from treasury.sources.seeds import stream
from treasury.sources.sp2d import generate_month, stream_values

PROGRAMS = tuple(SUBSIDY_PROGRAM_SUBKELOMPOK)
# programme: (unit, annual national volume in 2023, yearly growth, monthly seasonality).
VOLUMES: dict[str, tuple[str, float, float, tuple[float, ...]]] = {
    "bbm": ("kilo_liter", 17_400_000, 0.02, (1.0,) * 12),
    "lpg_3kg": ("tabung_juta", 2_700, 0.03, (1.0, 0.95, 1.0, 1.05, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05)),
    "listrik": ("mwh", 60_000_000, 0.04, (0.95, 0.9, 1.0, 1.0, 1.05, 1.0, 1.0, 1.0, 1.05, 1.05, 1.0, 1.0)),
    "pupuk": ("ton", 8_000_000, 0.0, (1.4, 1.1, 0.8, 0.9, 1.2, 1.1, 0.8, 0.6, 0.7, 1.0, 1.2, 1.4)),
    "pso": ("penumpang_ribu", 260_000, 0.03, (0.9, 0.85, 0.95, 1.2, 1.0, 1.0, 1.05, 0.95, 0.95, 1.0, 1.0, 1.15)),
    "bunga_kur": ("debitur", 8_000_000, 0.05, (1.0,) * 12),
}  # fmt: skip
_COVID = {2020: 0.9, 2021: 0.95}
# Where each programme is consumed (multipliers of the province's population or economy).
_WHERE: dict[str, dict[str, float]] = {
    "bbm": {"12": 1.3, "14": 1.3, "16": 1.2, "64": 1.5, "63": 1.3},
    "pupuk": {"35": 2.5, "33": 2.2, "32": 1.8, "73": 2.0, "18": 1.6, "52": 1.8, "12": 1.3},
    "pso": {"31": 6.0, "32": 2.5, "36": 2.0, "33": 1.2, "35": 1.2, "81": 3.0, "91": 3.0},
    "listrik": {"53": 1.5, "91": 1.5, "52": 1.3},
}


def _weights(program: str) -> FloatArray:
    p = profiles()
    base = economic_weight() if program == "bunga_kur" else p.population_share()
    mult = np.array([_WHERE.get(program, {}).get(c, 1.0) for c in p.kode])
    w = base * mult
    return w / w.sum()


STOCKS = ("bunga_kur",)
"""Programmes whose volume is a stock (debtors with a subsidised loan), not a monthly flow."""


def national_volume(program: str, year: int, month: int) -> float:
    """The national volume of one programme in one month."""
    _, level, growth, season = VOLUMES[program]
    yearly = level * (1 + growth) ** (year - 2023) * _COVID.get(year, 1.0)
    per_month = yearly if program in STOCKS else yearly / 12
    return per_month * season[month - 1] / (sum(season) / 12)


def paid_by_program(run: Run, year: int, month: int) -> IntArray:
    """What ``span_sp2d`` paid per programme in one month (order of :data:`PROGRAMS`)."""
    index = [next(i for i, s in enumerate(streams()) if s.program == p) for p in PROGRAMS]
    if not run.is_cut(year, month):
        return stream_values(year)[index, month - 1]
    key = ("subsidi_paid", year, month)
    if key not in run.cache:
        generate_month(run, year, month)
    paid: dict[str, int] = run.cache[key]  # type: ignore[assignment]
    return np.array([paid.get(p, 0) for p in PROGRAMS], dtype=np.int64)


def subsidi_realisasi(run: Run, year: int) -> pa.Table:
    """Subsidy volume and payments per programme, province and month of ``year``."""
    rng = stream(run.seed, "subsidi_realisasi", year)
    months = run.months(year)
    provinces = np.array(profiles().kode)
    cols: dict[str, list[np.ndarray]] = {
        k: [] for k in ("bulan", "program", "prov", "vol", "nilai")
    }
    units = np.array([VOLUMES[p][0] for p in PROGRAMS])
    for month in months:
        paid = paid_by_program(run, year, month)
        for j, program in enumerate(PROGRAMS):
            share = _weights(program) * rng.lognormal(0.0, 0.05, len(provinces))
            volume = national_volume(program, year, month) * share / share.sum()
            nilai = allocate_groups([paid[j]], np.zeros(len(provinces), np.int64), volume)
            cols["bulan"].append(np.full(len(provinces), month))
            cols["program"].append(np.full(len(provinces), j))
            cols["prov"].append(provinces)
            cols["vol"].append(np.round(volume, 2))
            cols["nilai"].append(nilai)
    data = {k: np.concatenate(v) for k, v in cols.items()}
    n = len(data["bulan"])
    return conform(
        "subsidi_realisasi",
        {
            "tahun": np.full(n, year, dtype=np.int16),
            "bulan": data["bulan"].astype(np.int8),
            "program": pa.array(np.array(PROGRAMS)[data["program"]]),
            "kode_provinsi": pa.array(data["prov"]),
            "volume": data["vol"],
            "satuan": pa.array(units[data["program"]]),
            "nilai": data["nilai"],
        },
    )
