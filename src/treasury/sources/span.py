"""SPAN budget and financing: ``span_dipa``, ``span_pagu_apbn`` and ``span_pembiayaan``.

- DIPA ceilings follow the payments: each (satker, program, akun, sumber dana) that paid
  anything in the year gets a pagu of its payments divided by an execution rate between 0.90 and
  1.00 (mean 0.95), so central spending reaches about 95% of the ceiling; in the as-of year the
  payments to date are first grossed up to the full year. DIPA covers central spending
  (accounts 51-58); transfer ceilings are in the posture (``span_pagu_apbn``).
- The APBN posture (``span_pagu_apbn``) is :func:`~treasury.sources.calibration.budget_targets`.
- Financing transactions add up per subkelompok to the calibrated net financing
  (defisit + SiLPA): gross SBN issuance with redemptions, loan drawdowns and repayments,
  investments (negative), other financing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from treasury.sources import timing
from treasury.sources.allocate import allocate, allocate_groups
from treasury.sources.calibration import annual_targets, budget_targets
from treasury.sources.codes import digits
from treasury.sources.run import Run
from treasury.sources.schemas import SCHEMAS, conform
from treasury.sources.seeds import stream

DIPA_KEYS = ["kode_satker", "kode_ba", "kode_program", "kode_akun", "sumber_dana"]


def realised_by_key(sp2d: pa.Table) -> pa.Table:
    """One month's payments summed per DIPA key (kept small for the year's DIPA)."""
    return (
        sp2d.group_by(DIPA_KEYS).aggregate([("nilai", "sum")]).rename_columns([*DIPA_KEYS, "nilai"])
    )


def span_dipa(run: Run, year: int, realised: list[pa.Table]) -> pa.Table:
    """The year's DIPA lines (central spending, accounts 51-58) from the year's payments."""
    rng = stream(run.seed, "span_dipa", year)
    sat = run.satker
    if not realised:
        return conform("span_dipa", {name: [] for name in SCHEMAS["span_dipa"].names})
    paid = realised_by_key(pa.concat_tables(realised))
    if year == run.as_of.year:
        targets = annual_targets(year)
        full_year = sum(t.nilai for t in targets if t.pos == "belanja" and t.kelompok != "tkd")
        gross_up = full_year / max(pc.sum(paid["nilai"]).as_py() or 1, 1)
        grossed = np.round(paid["nilai"].to_numpy() * max(gross_up, 1.0)).astype(np.int64)
        paid = paid.set_column(5, "nilai", pa.array(grossed))
    table = paid.sort_by([(k, "ascending") for k in DIPA_KEYS])
    rate = 1.0 - 0.1 * rng.random(table.num_rows)
    pagu = np.ceil(table["nilai"].to_numpy() / rate).astype(np.int64)
    es1 = pa.array(sat.table["kode_eselon1"]).take(
        pc.index_in(table["kode_satker"], value_set=sat.table["kode_satker"])
    )
    head = pc.binary_join_element_wise("DIPA-", table["kode_ba"], "")
    nomor = pc.binary_join_element_wise(
        pc.binary_join_element_wise(head, es1, "1", table["kode_satker"], "."), str(year), "/"
    )
    return conform(
        "span_dipa",
        {
            "tahun": np.full(table.num_rows, year, dtype=np.int16),
            "nomor_dipa": nomor,
            "kode_satker": table["kode_satker"],
            "kode_ba": table["kode_ba"],
            "kode_program": table["kode_program"],
            "kode_akun": table["kode_akun"],
            "sumber_dana": table["sumber_dana"],
            "pagu": pagu,
        },
    )


def span_pagu_apbn(year: int) -> pa.Table:
    """The APBN posture of ``year`` (budget law where there is one)."""
    targets = budget_targets(year)
    return conform(
        "span_pagu_apbn",
        {
            "tahun": np.full(len(targets), year, dtype=np.int16),
            "pos": [t.pos for t in targets],
            "kelompok": [t.kelompok for t in targets],
            "subkelompok": [t.subkelompok for t in targets],
            "pagu": [t.nilai for t in targets],
        },
    )


# subkelompok -> (receipt accounts, payment accounts, gross flow per unit of net financing).
_FLOWS: dict[str, tuple[tuple[str, ...], tuple[str, ...], float]] = {
    "sbn": (("711111", "711112", "711113", "711211", "711212"),
            ("721111", "721112", "721113", "721211"), 0.7),
    "pinjaman_luar_negeri": (("713111", "713112"), ("723111", "723112", "723113"), 0.12),
    "pinjaman_dalam_negeri": (("712111",), ("722111",), 0.01),
    "penerimaan_kembali_investasi": (("714111", "714112"), (), 0.0),
    "investasi_bumn": ((), ("724111",), 0.0),
    "investasi_blu": ((), ("724211",), 0.0),
    "investasi_lembaga": ((), ("724311",), 0.0),
    "investasi_organisasi_internasional": ((), ("724411",), 0.0),
    "pemberian_pinjaman": (("715111",), ("725111",), 0.01),
    "kewajiban_penjaminan": ((), ("726111",), 0.0),
    "hasil_pengelolaan_aset": (("716211",), (), 0.0),
    "saldo_anggaran_lebih": (("716111",), (), 0.0),
}  # fmt: skip
_URAIAN = {
    "711111": "Penerbitan Surat Perbendaharaan Negara melalui lelang",
    "711112": "Penerbitan SUN seri FR melalui lelang",
    "711113": "Penerbitan SUN valas (global bond)",
    "711211": "Penerbitan SBSN seri PBS melalui lelang",
    "711212": "Penerbitan SBSN valas (global sukuk)",
    "712111": "Penarikan pinjaman dalam negeri",
    "713111": "Penarikan pinjaman program",
    "713112": "Penarikan pinjaman proyek",
    "714111": "Penerimaan kembali investasi pemerintah",
    "714112": "Penerimaan hasil divestasi",
    "715111": "Penerimaan cicilan pengembalian penerusan pinjaman",
    "716111": "Penggunaan saldo anggaran lebih",
    "716211": "Penerimaan hasil pengelolaan aset",
    "721111": "Pelunasan Surat Perbendaharaan Negara jatuh tempo",
    "721112": "Pelunasan SUN jatuh tempo",
    "721113": "Pembelian kembali (buyback) SUN",
    "721211": "Pelunasan SBSN jatuh tempo",
    "722111": "Pembayaran cicilan pokok pinjaman dalam negeri",
    "723111": "Pembayaran cicilan pokok pinjaman luar negeri bilateral",
    "723112": "Pembayaran cicilan pokok pinjaman luar negeri multilateral",
    "723113": "Pembayaran cicilan pokok pinjaman luar negeri komersial",
    "724111": "Penyertaan Modal Negara kepada BUMN",
    "724211": "Investasi pemerintah kepada Badan Layanan Umum",
    "724311": "Investasi kepada lembaga/badan lainnya",
    "724411": "Penyertaan modal kepada organisasi/lembaga keuangan internasional",
    "725111": "Penerusan pinjaman kepada BUMN dan pemerintah daerah",
    "726111": "Pembayaran kewajiban penjaminan pemerintah",
}


def _flows(year: int) -> list[tuple[str, int, int]]:
    """(subkelompok, sign, rupiah) gross flows whose signed sum is each subkelompok's net."""
    targets = [t for t in annual_targets(year) if t.pos == "pembiayaan" and t.nilai != 0]
    scale_total = sum(abs(t.nilai) for t in targets)
    cells: list[tuple[str, int, int]] = []
    for t in targets:
        receipts, payments, gross = _FLOWS[t.subkelompok]
        extra = round(gross * scale_total * 0.5) if receipts and payments else 0
        if (t.nilai > 0 and not receipts) or (t.nilai < 0 and not payments):
            raise ValueError(f"{t.subkelompok} {year}: net {t.nilai} has no account of its sign")
        inflow = max(t.nilai, 0) + extra
        cells += [(t.subkelompok, 1, inflow), (t.subkelompok, -1, inflow - t.nilai)]
    return [c for c in cells if c[2] > 0]


def span_pembiayaan(run: Run, year: int) -> pa.Table:
    """The financing transactions of ``year`` (up to the as-of date).

    Issuance is front-loaded (first half x1.5), investments back-loaded (fourth quarter x3).
    """
    rng = stream(run.seed, "span_pembiayaan", year)
    cells = _flows(year)
    counts = np.maximum(allocate(run.scale.pembiayaan_per_year, [c[2] ** 0.5 for c in cells]), 1)
    cell = np.repeat(np.arange(len(cells)), counts)
    amount = allocate_groups([c[2] for c in cells], cell, rng.lognormal(0.0, 0.8, cell.size), 1)
    days = timing.workdays(year)
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = np.zeros(cell.size, dtype=np.int64)
    accounts = np.empty(cell.size, dtype="<U6")
    for i, (sub, sign, _) in enumerate(cells):
        here = np.flatnonzero(cell == i)
        options = np.array(_FLOWS[sub][0] if sign > 0 else _FLOWS[sub][1])
        accounts[here] = options[rng.integers(0, len(options), here.size)]
        w = np.ones(len(days))
        if sub == "sbn" and sign > 0:
            w[month <= 6] = 1.5
        elif sub.startswith("investasi"):
            w[month >= 10] = 3.0
        day[here] = np.searchsorted(np.cumsum(w) / w.sum(), rng.random(here.size))
    day = np.minimum(day, len(days) - 1)
    order = np.lexsort((rng.random(cell.size), day))
    tanggal = days[day[order]]
    keep = tanggal <= np.datetime64(run.as_of, "D")
    signs = np.array([c[1] for c in cells])[cell]
    akun = accounts[order][keep]
    names = np.array(sorted(_URAIAN))
    return conform(
        "span_pembiayaan",
        {
            "tanggal": pa.array(tanggal[keep]),
            "nomor_transaksi": pc.binary_join_element_wise(
                f"PBY-{year}", digits(np.arange(int(keep.sum())) + 1, 6), "-"
            ),
            "kode_akun": pa.array(akun),
            "uraian": pa.array([_URAIAN[n] for n in names]).take(
                pa.array(np.searchsorted(names, akun))
            ),
            "nilai": (signs * amount)[order][keep],
        },
    )
