"""Transfers to regions: ``tkd_penyaluran`` (month x pemda x jenis) and ``tkd_dana_desa``.

- DAU is paid every month, DBH quarterly, DAK and otsus by stages, insentif fiskal twice a year
  (months and monthly amounts from :mod:`treasury.sources.profiles`); each month's amount is
  split over the pemda by weights (population, resource regions for DBH, Aceh, Papua and DIY
  only for otsus, about 40% of pemda for insentif fiskal).
- Dana Desa goes to each village (reference villages of jenis ``desa``; a deterministic subset
  at small scales, and each year only that year's number of villages) in stages: 20/40/40 in
  2018-2019, 40/40/20 in 2020-2023, 40/60 from 2024 (60/40 for the ~15% independent villages).
  A village's allocation is 65% an equal base and 35% a formula part (lognormal); the villages of
  a year add up exactly to the year's Dana Desa, and ``tkd_penyaluran`` carries the same money
  per kab/kota and month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from treasury import reference
from treasury.sources import codes, timing
from treasury.sources.allocate import FloatArray, allocate, allocate_groups
from treasury.sources.profiles import dana_desa_stages, monthly_targets
from treasury.sources.provinces import profiles
from treasury.sources.run import Run
from treasury.sources.schemas import conform
from treasury.sources.seeds import stream

MANDIRI_SHARE = 0.15
BASE_SHARE = 0.65
_DBH_REGIONS = {"64": 6.0, "14": 4.0, "16": 2.0, "63": 2.5, "31": 3.0, "94": 3.0, "92": 2.0}
_EAST = ("52", "53", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92", "93", "94")
_OTSUS = ("11", "34", "91", "92", "93", "94", "95", "96")
JENIS = ("dau", "dbh", "dak_fisik", "dak_nonfisik", "otsus", "insentif_fiskal")


@dataclass(frozen=True)
class Villages:
    """The Dana Desa villages of a run, in a fixed random order (the first n in a year)."""

    kode_desa: npt.NDArray[np.str_]
    kode_pemda: npt.NDArray[np.str_]
    weight: FloatArray
    mandiri: npt.NDArray[np.bool_]


def villages(run: Run) -> Villages:
    """The run's villages (cached on the run)."""
    if "villages" not in run.cache:
        table = reference.villages().filter(pc.field("jenis") == "desa")
        kode = np.array(table["kode_desa"].to_pylist())
        h = codes.mix64(kode.astype(np.int64), run.seed)
        order = np.argsort(h, kind="stable")
        n = max(round(len(kode) * run.scale.village_share), 1)
        kode = kode[order][:n]
        rng = stream(run.seed, "villages")
        formula = rng.lognormal(0.0, 0.6, n)
        weight = BASE_SHARE + (1 - BASE_SHARE) * formula / formula.mean()
        run.cache["villages"] = Villages(
            kode, np.strings.slice(kode, 0, 4), weight, rng.random(n) < MANDIRI_SHARE
        )
    return run.cache["villages"]  # type: ignore[return-value]


def _village_count(year: int, n_run: int) -> int:
    """The year's number of villages (``dana_desa_history``), scaled to the run's subset."""
    history = {
        int(r["year"]): int(r["villages"]) for r in reference.dana_desa_history().to_pylist()
    }
    total = int(pc.sum(pc.equal(reference.villages()["jenis"], "desa")).as_py())
    known = history.get(year) or history[max(history)]
    return min(n_run, max(round(known / total * n_run), 1))


def _dd_target(year: int) -> int:
    targets, _ = monthly_targets(year, "belanja")
    return next(t.nilai for t in targets if t.subkelompok == "dana_desa")


def _dana_desa_rows(run: Run, year: int) -> dict[str, np.ndarray]:
    key = ("dana_desa", year)
    if key in run.cache:
        return run.cache[key]  # type: ignore[return-value]
    rng = stream(run.seed, "tkd_dana_desa", year)
    v = villages(run)
    n = _village_count(year, len(v.kode_desa))
    value = allocate(_dd_target(year), v.weight[:n] * rng.lognormal(0.0, 0.05, n))
    stages = dana_desa_stages(year)
    shares = np.array([s for s, _ in stages])
    share = np.tile(shares, (n, 1))
    if year >= 2024:
        share[v.mandiri[:n]] = shares[::-1]
    k = len(stages)
    amounts = np.floor(value[:, None] * share).astype(np.int64)
    amounts[:, -1] = value - amounts[:, :-1].sum(axis=1)
    months = np.empty((n, k), dtype=np.int64)
    for j, (_, weights) in enumerate(stages):
        m = np.array(sorted(weights))
        w = np.array([weights[x] for x in m], dtype=np.float64)
        months[:, j] = m[np.searchsorted(np.cumsum(w) / w.sum(), rng.random(n))]
    days = timing.workdays(year)
    month_of_day = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    lo = np.searchsorted(month_of_day, months)
    hi = np.searchsorted(month_of_day, months + 1)
    day = np.sort(lo + (rng.random((n, k)) * (hi - lo)).astype(np.int64), axis=1)
    rows = {
        "kode_desa": np.repeat(v.kode_desa[:n], k),
        "kode_pemda": np.repeat(v.kode_pemda[:n], k),
        "tahap": np.tile(np.arange(1, k + 1, dtype=np.int8), n),
        "tanggal": days[day.ravel()],
        "nilai": amounts.ravel(),
    }
    run.cache[key] = rows
    return rows


def tkd_dana_desa(run: Run, year: int) -> pa.Table:
    """Dana Desa per village and stage of ``year`` (disbursed by the as-of date)."""
    rows = _dana_desa_rows(run, year)
    keep = np.flatnonzero(rows["tanggal"] <= np.datetime64(run.as_of, "D"))
    keep = keep[np.lexsort((rows["tahap"][keep], rows["kode_desa"][keep]))]
    return conform(
        "tkd_dana_desa",
        {
            "tahun": np.full(keep.size, year, dtype=np.int16),
            "kode_desa": pa.array(rows["kode_desa"][keep]),
            "kode_pemda": pa.array(rows["kode_pemda"][keep]),
            "tahap": rows["tahap"][keep],
            "tanggal_salur": pa.array(rows["tanggal"][keep]),
            "nilai": rows["nilai"][keep],
        },
    )


def _pemda_weights(run: Run) -> tuple[npt.NDArray[np.str_], dict[str, FloatArray]]:
    """Pemda codes and each jenis's weights over them (fixed for the run)."""
    if "pemda_weights" not in run.cache:
        table = reference.pemda()
        kode = np.array(table["kode_pemda"].to_pylist())
        prov = np.array(table["kode_provinsi"].to_pylist())
        is_prov = np.array(table["jenis"].to_pylist()) == "provinsi"
        p = profiles()
        pop = dict(zip(p.kode, p.penduduk, strict=True))
        n_in = {c: int(((prov == c) & ~is_prov).sum()) or 1 for c in p.kode}
        rng = stream(run.seed, "tkd_pemda")
        size = np.array([pop[c] / n_in[c] for c in prov]) * rng.lognormal(0.0, 0.4, len(kode))
        size = np.where(is_prov, np.array([pop[c] for c in prov]) * 0.12, size)
        east = np.isin(prov, _EAST)
        resource = np.array([_DBH_REGIONS.get(c, 1.0) for c in prov])
        run.cache["pemda_weights"] = (
            kode,
            {
                "dau": size * np.where(east, 1.6, 1.0),
                "dbh": size * resource * rng.lognormal(0.0, 0.5, len(kode)),
                "dak_fisik": size * np.where(east, 1.4, 1.0),
                "dak_nonfisik": size,
                "otsus": np.where(np.isin(prov, _OTSUS), size, 0.0),
                "insentif_fiskal": size * (rng.random(len(kode)) < 0.4),
            },
        )
    return run.cache["pemda_weights"]  # type: ignore[return-value]


def tkd_penyaluran(run: Run, year: int) -> pa.Table:
    """TKD disbursed per month, pemda and jenis in ``year`` (up to the as-of date)."""
    rng = stream(run.seed, "tkd_penyaluran", year)
    kode, weights = _pemda_weights(run)
    targets, matrix = monthly_targets(year, "belanja")
    monthly = {t.subkelompok: row for t, row in zip(targets, matrix, strict=True)}
    days = timing.workdays(year)
    parts: list[dict[str, np.ndarray]] = []
    for jenis in JENIS:
        months = np.flatnonzero(monthly[jenis] > 0)
        eligible = np.flatnonzero(weights[jenis] > 0)
        group = np.repeat(np.arange(len(months)), len(eligible))
        pemda = np.tile(eligible, len(months))
        w = weights[jenis][pemda] * rng.lognormal(0.0, 0.05, pemda.size)
        nilai = allocate_groups(monthly[jenis][months], group, w)
        lo = np.array([timing.month_slice(year, int(m) + 1)[0] for m in months])[group]
        hi = np.array([timing.month_slice(year, int(m) + 1)[1] for m in months])[group]
        span = np.minimum(hi - lo, 5) if jenis == "dau" else hi - lo
        day = lo + (rng.random(pemda.size) * span).astype(np.int64)
        parts.append(
            {
                "bulan": months[group] + 1,
                "tanggal": days[day],
                "kode_pemda": kode[pemda],
                "jenis_tkd": np.full(pemda.size, jenis),
                "nilai": nilai,
            }
        )
    parts.append(_dana_desa_by_pemda(run, year))
    rows = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    keep = (rows["tanggal"] <= np.datetime64(run.as_of, "D")) & (rows["nilai"] > 0)
    order = np.lexsort((rows["jenis_tkd"][keep], rows["kode_pemda"][keep], rows["bulan"][keep]))
    return conform(
        "tkd_penyaluran",
        {
            "tahun": np.full(int(keep.sum()), year, dtype=np.int16),
            "bulan": rows["bulan"][keep][order].astype(np.int8),
            "tanggal_salur": pa.array(rows["tanggal"][keep][order]),
            "kode_pemda": pa.array(rows["kode_pemda"][keep][order]),
            "jenis_tkd": pa.array(rows["jenis_tkd"][keep][order]),
            "nilai": rows["nilai"][keep][order],
        },
    )


def _dana_desa_by_pemda(run: Run, year: int) -> dict[str, np.ndarray]:
    """Village stages summed per month and kab/kota (date: the month's last transfer)."""
    rows = _dana_desa_rows(run, year)
    if run.as_of.year == year:  # only what reached the villages by the as-of date
        keep = rows["tanggal"] <= np.datetime64(run.as_of, "D")
        rows = {k: v[keep] for k, v in rows.items()}
    table = pa.table(
        {
            "bulan": rows["tanggal"].astype("datetime64[M]").astype(np.int64) % 12 + 1,
            "kode_pemda": rows["kode_pemda"],
            "tanggal": pa.array(rows["tanggal"]),
            "nilai": rows["nilai"],
        }
    )
    grouped = table.group_by(["bulan", "kode_pemda"]).aggregate(
        [("tanggal", "max"), ("nilai", "sum")]
    )
    return {
        "bulan": grouped["bulan"].to_numpy(),
        "tanggal": grouped["tanggal_max"].to_numpy().astype("datetime64[D]"),
        "kode_pemda": np.array(grouped["kode_pemda"].to_pylist()),
        "jenis_tkd": np.full(grouped.num_rows, "dana_desa"),
        "nilai": grouped["nilai_sum"].to_numpy(),
    }
