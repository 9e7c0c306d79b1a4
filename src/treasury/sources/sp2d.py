"""SPAN payments: ``span_sp2d`` lines and the SP2D/SPM documents behind them, month by month.

Each month's central spending per payment stream (:mod:`treasury.sources.payments`) is the
calibrated target of :mod:`treasury.sources.profiles`, to the rupiah. Its lines are split into
three value tiers shaped like the real rank shares (FACTS.md): the smallest 98.2% of lines carry
about 12.95% of the value, the largest 0.006% about 47.66%, the rest in between. Tier values are
fitted per stream (IPF: interest, subsidies, pensions take the huge tier), lines get lognormal
weights within their tier and integer amounts that add up exactly to the stream's target.

Absolute sizes differ from the real system: the line count is scaled down (1M lines for the
``small`` scale against several million a year in SPAN) while totals are real, so lines are
larger. At least 12 huge and 24 mid lines are drawn each month, so at small line counts (the
``tiny`` scale) the top tier holds a larger share of lines than 0.006%.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from treasury.sources import codes, sakti, timing, uraian
from treasury.sources.allocate import FloatArray, IntArray, allocate, allocate_groups, ipf
from treasury.sources.calibration import SUBSIDY_PROGRAM_SUBKELOMPOK, subsidy_program_shares
from treasury.sources.payments import GAJI_TNI_POLRI, TNI_POLRI_BA, Stream, streams
from treasury.sources.profiles import monthly_targets
from treasury.sources.run import Run
from treasury.sources.schemas import conform
from treasury.sources.seeds import stream as random_stream

TIER_LINES = np.array([0.982, 0.01794, 0.00006])
TIER_VALUES = np.array([0.1295, 0.3939, 0.4766])
TIER_SIGMA = np.array([1.1, 0.8, 0.8])
MIN_HUGE, MIN_MID = 12, 24
SMALL, MID, HUGE = 0, 1, 2
LINES_POWER = 0.7
"""Monthly line counts follow the monthly money to this power (busy months, larger lines)."""
StrA = npt.NDArray[np.str_]
_WA_SHARE = {"belanja_pegawai": 1.0, "belanja_barang": 0.4, "belanja_modal": 0.1}
_SUMBER: dict[str, tuple[str, tuple[float, ...]]] = {
    "belanja_barang": ("ADGI", (0.85, 0.11, 0.01, 0.03)),
    "belanja_modal": ("ABCDH", (0.82, 0.08, 0.02, 0.06, 0.02)),
    "bansos": ("AB", (0.95, 0.05)),
}


@dataclass(frozen=True)
class MonthPayments:
    """One month of payments: SP2D lines, and SPM documents including the pending ones."""

    sp2d: pa.Table
    spm: pa.Table


@cache
def stream_values(year: int) -> IntArray:
    """Rupiah per payment stream (rows, order of :func:`streams`) and month (columns)."""
    targets, matrix = monthly_targets(year, "belanja")
    by_sub = {t.subkelompok: row for t, row in zip(targets, matrix, strict=True)}
    shares = subsidy_program_shares(year)
    out = np.zeros((len(streams()), 12), dtype=np.int64)
    for sub in set(SUBSIDY_PROGRAM_SUBKELOMPOK.values()):
        programs = [p for p, s in SUBSIDY_PROGRAM_SUBKELOMPOK.items() if s == sub]
        w = [shares[p] for p in programs]
        split = np.array([allocate(int(v), w) for v in by_sub[sub]]).T
        for p, row in zip(programs, split, strict=True):
            by_sub[p] = row
    for i, s in enumerate(streams()):
        out[i] = by_sub[s.name]
    return out


def lines_per_month(run: Run, year: int) -> IntArray:
    """SP2D lines of each month of ``year``."""
    key = ("sp2d_lines", year)
    if key not in run.cache:
        per_year = run.per_year(run.scale.sp2d_lines)
        money = stream_values(year).sum(axis=0).astype(np.float64)
        run.cache[key] = allocate(per_year[year], money**LINES_POWER)
    return run.cache[key]  # type: ignore[return-value]


def plan_tiers(values: IntArray, n_lines: int) -> tuple[IntArray, IntArray]:
    """Lines and rupiah per (stream, tier) for one month; rows sum to ``values`` exactly.

    Tier values are fitted (IPF) to the streams' totals and the tiers' value shares; line
    counts follow the fitted values, from the huge tier down, and each time the fit is redone
    without the cells that got no lines, so the tier shares are met by the streams that can.
    """
    affinity = np.array([s.tiers for s in streams()])
    tier_totals = TIER_VALUES * values.sum()
    seed = values[:, None] * affinity
    counts = np.zeros(seed.shape, dtype=np.int64)
    n_huge = max(round(n_lines * TIER_LINES[HUGE]), MIN_HUGE)
    n_mid = max(round(n_lines * TIER_LINES[MID]), MIN_MID)
    n_small = max(n_lines - n_huge - n_mid, 0)
    for tier, n in ((HUGE, n_huge), (MID, n_mid), (SMALL, n_small)):
        desired = ipf(seed, values, tier_totals)
        if desired[:, tier].sum() > 0:
            counts[:, tier] = allocate(n, desired[:, tier])
        seed[counts[:, tier] == 0, tier] = 0.0
        if tier != SMALL:  # a stream that lost a tier keeps its money one tier down
            lost = (counts[:, tier] == 0) & (values > 0) & (seed[:, tier - 1] == 0)
            seed[lost, tier - 1] = values[lost] * 1e-3
    empty = (values > 0) & (counts.sum(axis=1) == 0)
    counts[empty, SMALL] = 1
    seed[empty, SMALL] = 1.0
    desired = ipf(seed, values, tier_totals)
    amounts = np.array(
        [
            allocate(int(v), d) if v > 0 else np.zeros(3, np.int64)
            for v, d in zip(values, desired, strict=True)
        ]
    )
    return counts, amounts


def _satker_cumulative(run: Run, index: int, s: Stream) -> FloatArray:
    key = ("satker_weights", index)
    if key not in run.cache:
        sat = run.satker
        w = sat.weight.copy()
        if s.kelompok == "belanja_pegawai":
            w = np.sqrt(w)
        if s.ministries:
            mult = np.zeros(len(w)) if s.kelompok == "bansos" else np.ones(len(w))
            for ba, m in s.ministries:
                here = sat.kode_ba == ba
                total = w[here].sum()
                mult[here] = m / total if s.kelompok == "bansos" and total > 0 else m
            w = w * mult
        if s.subkelompok in ("barang_blu", "modal_blu"):
            names = np.array(sat.table["nama_satker"].to_pylist())
            blu = np.strings.find(names, "UNIVERSITAS") >= 0
            blu |= np.strings.find(names, "RUMAH SAKIT") >= 0
            w = w * np.where(blu | (np.strings.find(names, "POLITEKNIK") >= 0), 20.0, 0.05)
        w[sat.role != ""] = 0.0
        run.cache[key] = np.cumsum(w / w.sum())
    return run.cache[key]  # type: ignore[return-value]


def _documents(
    rng: np.random.Generator, line_stream: IntArray, tier: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Group lines into SP2D documents: (line order, document of each line, line number)."""
    n = len(line_stream)
    huge = tier == HUGE
    order = np.lexsort((rng.random(n), huge, line_stream))
    ls, hg = line_stream[order], huge[order]
    per_doc = np.array([s.lines_per_doc for s in streams()])[ls]
    start = rng.random(n) < 1.0 / per_doc
    start[0] = True
    start[1:] |= (ls[1:] != ls[:-1]) | hg[1:] | hg[:-1]
    doc = np.cumsum(start) - 1
    first = np.flatnonzero(start)
    baris = np.arange(n) - first[doc] + 1
    return order, doc.astype(np.int64), baris.astype(np.int64)


def _choose(
    rng: np.random.Generator, options: list[str] | str, weights: tuple[float, ...], n: int
) -> StrA:
    cum = np.cumsum(weights) / sum(weights)
    return np.array(list(options))[np.minimum(np.searchsorted(cum, rng.random(n)), len(cum) - 1)]


def _line_accounts(
    rng: np.random.Generator,
    line_stream: IntArray,
    baris: IntArray,
    tni_polri: npt.NDArray[np.bool_],
) -> StrA:
    out = np.empty(len(line_stream), dtype="<U6")
    for i, s in enumerate(streams()):
        here = np.flatnonzero(line_stream == i)
        if here.size == 0:
            continue
        accounts = np.array(s.accounts)
        if s.sequential:
            tp = np.array(GAJI_TNI_POLRI)
            pos = baris[here] - 1
            out[here] = np.where(tni_polri[here], tp[pos % len(tp)], accounts[pos % len(accounts)])
        else:
            cum = np.cumsum(s.account_weights) / sum(s.account_weights)
            out[here] = accounts[np.searchsorted(cum, rng.random(here.size))]
    return out


def _sumber_dana(rng: np.random.Generator, line_stream: IntArray) -> StrA:
    out = np.full(len(line_stream), "A")
    for i, s in enumerate(streams()):
        here = np.flatnonzero(line_stream == i)
        if s.role or here.size == 0:
            continue
        if s.subkelompok in ("barang_blu", "modal_blu"):
            out[here] = "F"
        elif s.kelompok in _SUMBER:
            options, weights = _SUMBER[s.kelompok]
            out[here] = _choose(rng, options, weights, here.size)
    return out


def _rekening(
    rng: np.random.Generator,
    penerima: StrA,
    satker: IntArray,
    doc_stream: IntArray,
    bun: npt.NDArray[np.bool_],
) -> pa.Array:
    """Payee accounts: the satker's treasurer, its payroll, its vendors, national firms and
    institutions (BUN payees are a handful of state enterprises and banks)."""
    n = len(penerima)
    kind = np.select(
        [penerima == "bendahara", penerima == "pegawai", penerima == "pihak_ketiga"],
        [1, 2, 3],
        np.where(penerima == "badan_usaha", np.where(bun, 5, 4), 6),
    )
    owner = np.where(kind <= 3, satker, np.where(kind == 4, 0, doc_stream))
    spread = np.select(
        [kind == 1, kind == 2, kind == 3, kind == 4, kind == 5], [1, 3, 200, 3000, 2], 8
    )
    return codes.bank_account(owner, kind, (rng.random(n) * spread).astype(np.int64))


def _sequence(groups: npt.NDArray[np.int64]) -> IntArray:
    """1-based running number of each item within its group, in the items' current order."""
    order = np.lexsort((np.arange(len(groups)), groups))
    sorted_groups = groups[order]
    first = np.searchsorted(sorted_groups, sorted_groups, side="left")
    out = np.empty(len(groups), dtype=np.int64)
    out[order] = np.arange(len(groups)) - first + 1
    return out


@dataclass
class Documents:
    """The month's SP2D documents (one per SPM) in order of issue, and their lines' link."""

    satker: IntArray
    stream: IntArray
    issued: IntArray
    uploaded: IntArray
    total: IntArray
    nomor_sp2d: IntArray
    nomor_spm: pa.Array
    kode_satker: pa.Array
    kode_kppn: StrA
    jenis_pembayaran: StrA
    penerima: StrA
    waktu_sp2d: npt.NDArray[np.datetime64]
    waktu_unggah: npt.NDArray[np.datetime64]


def _document_satker(run: Run, rng: np.random.Generator, doc_stream: IntArray) -> IntArray:
    """The paying satker of each document: the BUN unit of its role, else drawn by weight."""
    out = np.empty(len(doc_stream), dtype=np.int64)
    for i, s in enumerate(streams()):
        here = np.flatnonzero(doc_stream == i)
        if here.size and s.role:
            out[here] = run.satker.index_of_role[s.role]
        elif here.size:
            cum = _satker_cumulative(run, i, s)
            out[here] = np.minimum(np.searchsorted(cum, rng.random(here.size)), len(cum) - 1)
    return out


def _payment_kind(rng: np.random.Generator, doc_stream: IntArray, month: int) -> tuple[StrA, StrA]:
    """(jenis_pembayaran, jenis_penerima): LS to the payee, advances (UP early in the year,
    GUP replenishments, TUP extra advances) to the satker's treasurer."""
    all_streams = streams()
    n = len(doc_stream)
    is_ls = rng.random(n) < np.array([s.ls_share for s in all_streams])[doc_stream]
    advance = (0.3, 0.55, 0.15) if month <= 2 else (0.02, 0.78, 0.2)
    jenis = np.where(is_ls, "LS", _choose(rng, ["UP", "GUP", "TUP"], advance, n))
    base = np.array([s.penerima for s in all_streams])[doc_stream]
    kelompok = np.array([s.kelompok for s in all_streams])[doc_stream]
    swap = rng.random(n) < 0.3
    base = np.where((kelompok == "belanja_barang") & swap, "badan_usaha", base)
    base = np.where((kelompok == "belanja_modal") & swap, "pihak_ketiga", base)
    return jenis, np.where(is_ls, base, "bendahara")


def _documents_of_month(
    run: Run, rng: np.random.Generator, year: int, month: int, doc_stream: IntArray
) -> tuple[Documents, IntArray]:
    """Documents in order of issue, and the new position of each original document."""
    sat = run.satker
    satker = _document_satker(run, rng, doc_stream)
    payroll = np.isin(
        doc_stream, [i for i, s in enumerate(streams()) if s.kelompok == "belanja_pegawai"]
    )
    day = timing.pick_workdays(rng, year, month, len(doc_stream), payroll)
    jakarta = np.isin(sat.kode_kppn[satker], timing.JAKARTA_KPPN)
    issued, uploaded = timing.sp2d_times(rng, day, month, jakarta)
    by_time = np.argsort(issued, kind="stable")
    rank = np.empty(len(by_time), dtype=np.int64)
    rank[by_time] = np.arange(len(by_time))
    satker, doc_stream = satker[by_time], doc_stream[by_time]
    issued, uploaded = issued[by_time], uploaded[by_time]
    kppn = sat.kode_kppn[satker]
    kppn_int = kppn.astype(np.int64)
    nomor_sp2d = (year % 100) * 10**13 + kppn_int * 10**10 + month * 10**8 + _sequence(kppn_int)
    kode_satker = pa.array(sat.kode_satker).take(pa.array(satker))
    nomor_spm = pc.binary_join_element_wise(
        codes.digits(month * 100_000 + _sequence(satker), 7), kode_satker, str(year), "/"
    )
    jenis, penerima = _payment_kind(rng, doc_stream, month)
    # Seconds: an SPM in the first half of its minute, its SP2D in the second half.
    second = np.timedelta64(1, "s")
    n = len(issued)
    docs = Documents(
        satker=satker,
        stream=doc_stream,
        issued=issued,
        uploaded=uploaded,
        total=np.zeros(n, dtype=np.int64),
        nomor_sp2d=nomor_sp2d,
        nomor_spm=nomor_spm,
        kode_satker=kode_satker,
        kode_kppn=kppn,
        jenis_pembayaran=jenis,
        penerima=penerima,
        waktu_sp2d=timing.timestamps(year, issued) + rng.integers(30, 60, n) * second,
        waktu_unggah=timing.timestamps(year, uploaded) + rng.integers(0, 30, n) * second,
    )
    return docs, rank


def generate_month(run: Run, year: int, month: int) -> MonthPayments:
    """The SP2D lines and SPM documents of one month (deterministic by run seed, year, month).

    Examples
    --------
    >>> import datetime as dt
    >>> run = Run.create("tiny", seed=1, as_of=dt.date(2024, 12, 31))
    >>> month = generate_month(run, 2023, 3)
    >>> month.sp2d.num_rows > 100, month.spm.num_rows > 50
    (True, True)
    """
    rng = random_stream(run.seed, "span_sp2d", year, month)
    all_streams = streams()
    sat = run.satker
    values = stream_values(year)[:, month - 1]
    counts, amounts = plan_tiers(values, int(lines_per_month(run, year)[month - 1]))
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    tier = cell % 3
    nilai = allocate_groups(amounts.ravel(), cell, rng.lognormal(0.0, TIER_SIGMA[tier]), 1)
    order, doc, baris = _documents(rng, cell // 3, tier)
    line_stream, nilai = (cell // 3)[order], nilai[order]
    docs, rank = _documents_of_month(run, rng, year, month, line_stream[baris == 1])

    # Lines follow their documents.
    line_doc = rank[doc]
    line_order = np.lexsort((baris, line_doc))
    line_doc, line_stream = line_doc[line_order], line_stream[line_order]
    baris, nilai = baris[line_order], nilai[line_order]
    if nilai.size:
        docs.total[:] = np.add.reduceat(nilai, np.flatnonzero(baris == 1))
    bun = np.array([bool(s.role) for s in all_streams])[docs.stream]
    rekening = _rekening(rng, docs.penerima, docs.satker, docs.stream, bun)
    paid, submitted = sakti.as_of_cut(run, year, month, docs, rng)

    lsat = docs.satker[line_doc]
    akun = _line_accounts(rng, line_stream, baris, np.isin(sat.kode_ba[lsat], TNI_POLRI_BA))
    wa_share = np.array([1.0 if s.role else _WA_SHARE.get(s.kelompok, 0.3) for s in all_streams])
    use_wa = rng.random(len(lsat)) < wa_share[line_stream]
    text, start, count = uraian.pool(tuple(s.name for s in all_streams), year, month, rng)
    pick = start[line_stream] + (rng.random(len(lsat)) * count[line_stream]).astype(np.int64)
    keep = paid[line_doc]
    if run.is_cut(year, month):
        by_stream = np.zeros(len(all_streams), dtype=np.int64)
        np.add.at(by_stream, line_stream[keep], nilai[keep])
        run.cache[("subsidi_paid", year, month)] = {
            s.program: int(v) for s, v in zip(all_streams, by_stream, strict=True) if s.program
        }
    ld = pa.array(line_doc[keep])
    chosen = lsat[keep]
    wa = use_wa[keep]
    sp2d = conform(
        "span_sp2d",
        {
            "nomor_sp2d": pc.cast(pa.array(docs.nomor_sp2d), pa.string()).take(ld),
            "baris": baris[keep],
            "tanggal_sp2d": pa.array(docs.waktu_sp2d.astype("datetime64[D]")).take(ld),
            "nomor_spm": docs.nomor_spm.take(ld),
            "tanggal_spm": pa.array(docs.waktu_unggah.astype("datetime64[D]")).take(ld),
            "kode_satker": docs.kode_satker.take(ld),
            "kode_kppn": pa.array(docs.kode_kppn).take(ld),
            "kode_ba": pa.array(sat.kode_ba[chosen]),
            "kode_program": pa.array(
                np.where(wa, sat.program_wa[chosen], sat.program_tech[chosen])
            ),
            "kode_kegiatan": pa.array(
                np.where(wa, sat.kegiatan_wa[chosen], sat.kegiatan_tech[chosen])
            ),
            "kode_output": pa.array(np.where(wa, sat.output_wa[chosen], sat.output_tech[chosen])),
            "kode_akun": pa.array(akun[keep]),
            "sumber_dana": pa.array(_sumber_dana(rng, line_stream)[keep]),
            "jenis_pembayaran": pa.array(docs.jenis_pembayaran).take(ld),
            "jenis_penerima": pa.array(docs.penerima).take(ld),
            "rekening_penerima": rekening.take(ld),
            "uraian": text.take(pa.array(pick[keep])),
            "nilai": nilai[keep],
        },
    )
    return MonthPayments(sp2d=sp2d, spm=sakti.sakti_spm(docs, paid, submitted))
