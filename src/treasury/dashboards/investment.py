"""Government investment analytics (``/analytics/investment``).

Equity injections and other investment financing (``pembiayaan_investasi`` of
``mart_apbn_bulanan``: SOEs (PMN BUMN), public service agencies, other bodies, international
organisations) by year and against the year's budget; the on-lending portfolio (SLA/RDI:
subsidiary loan agreements and the regional development account) from the financing
transactions (``transaksi-pembiayaan``: 725111 on-lending disbursed, 715111 repayments
received), whose outstanding balance is the state's receivable from SOEs and local governments;
and the year's largest investment transactions.

No source yet delivers receivables per SOE: the receivable shown is the on-lending balance
accumulated from the transactions (from the first year in the data), not a ledger balance.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from treasury.dashboards.board import Alert, Board, Context, Kpi, last_months, pct, start
from treasury.dashboards.cash import largest_financing
from treasury.dashboards.figures import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PAST,
    RED,
    Figure,
    line,
    money_axis,
    plain_bar,
)
from treasury.dashboards.labels import label, month_name
from treasury.dashboards.portfolio import portfolio
from treasury.dashboards.source import lit
from treasury.i18n import format_rupiah

INVESTMENT: dict[str, tuple[str, str]] = {
    "investasi_bumn": ("PMN kepada BUMN", "Equity to SOEs (PMN)"),
    "investasi_blu": ("Investasi kepada BLU", "Public service agencies (BLU)"),
    "investasi_lembaga": ("Investasi kepada lembaga/badan lain", "Other bodies"),
    "investasi_organisasi_internasional": (
        "Penyertaan pada organisasi internasional",
        "International organisations",
    ),
    "penerimaan_kembali_investasi": ("Penerimaan kembali investasi", "Investment returned"),
}
ON_LENDING_OUT, ON_LENDING_BACK = "725111", "715111"


def build(ctx: Context) -> Board:
    """The investment page (filters: year, month range)."""
    tr = ctx.tr
    posture = ctx.source.rows(
        """select tahun, bulan, subkelompok, sum(pagu)::BIGINT as pagu,
               sum(realisasi)::BIGINT as realisasi
        from realisasi_apbn_bulanan where kelompok = 'pembiayaan_investasi' group by all"""
    )
    months_seen = last_months(posture)
    board, year, months = start(
        ctx, "investment", tr("Analitik Investasi Pemerintah", "Government investment"), months_seen
    )
    if year not in months_seen:
        return board
    board.figures.append(_by_year(ctx, posture))
    board.figures.append(_against_budget(ctx, posture, year, months))
    flows = ctx.source.rows(
        f"""select year(tanggal)::INTEGER as tahun, kode_akun, sum(nilai)::BIGINT as nilai
        from transaksi_pembiayaan where kode_akun in ({lit(ON_LENDING_OUT)}, {lit(ON_LENDING_BACK)})
        group by all order by tahun"""
    )
    lending = _on_lending(ctx, flows)
    board.figures.append(lending)
    board.figures.append(_largest(ctx, year, months))
    outstanding = next((r["saldo_akhir"] for r in lending.rows if r["tahun"] == year), None)
    if outstanding:
        receivables = _receivables(ctx, year, outstanding)
        board.figures.append(receivables)
        _receivable_alerts(ctx, board, receivables)
    injected = -sum(
        r["realisasi"]
        for r in posture
        if r["tahun"] == year
        and r["bulan"] in months
        and r["subkelompok"] != "penerimaan_kembali_investasi"
    )
    ceiling = -sum(
        max((r["pagu"] for r in posture if r["tahun"] == year and r["subkelompok"] == s), default=0)
        for s in INVESTMENT
        if s != "penerimaan_kembali_investasi"
    )
    board.kpis = [
        Kpi(
            "investasi",
            tr("Investasi pemerintah (pengeluaran)", "Government investment (outflow)"),
            injected,
            budget=ceiling or None,
            share=pct(injected, ceiling),
        ),
        Kpi(
            "pmn_bumn",
            tr("PMN kepada BUMN", "Equity to SOEs"),
            -sum(
                r["realisasi"]
                for r in posture
                if r["tahun"] == year
                and r["bulan"] in months
                and r["subkelompok"] == "investasi_bumn"
            ),
        ),
        Kpi(
            "piutang_sla",
            tr(
                "Saldo penerusan pinjaman (piutang SLA/RDI)",
                "On-lending outstanding (SLA/RDI receivable)",
            ),
            outstanding,
            note=tr("akhir tahun/posisi terakhir", "year end or latest"),
        ),
    ]
    board.notes.append(
        tr(
            "Piutang = akumulasi penerusan pinjaman dikurangi cicilan diterima sejak tahun pertama data; belum ada sumber data piutang per BUMN.",
            "Receivable = on-lending disbursed less repayments received since the first year in the data; no per-SOE receivable source exists yet.",
        )
    )
    return board


def _by_year(ctx: Context, posture: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for r in posture:
        totals[(r["tahun"], r["subkelompok"])] += r["realisasi"]
    rows: list[dict[str, Any]] = [
        {"tahun": y, "subkelompok": s, "nama": label(INVESTMENT, s, ctx.lang), "realisasi": v}
        for (y, s), v in sorted(totals.items())
    ]
    colours = {
        "investasi_bumn": BLUE,
        "investasi_blu": GREEN,
        "investasi_lembaga": ORANGE,
        "investasi_organisasi_internasional": GREY,
        "penerimaan_kembali_investasi": PAST[0],
    }
    traces = []
    for s in INVESTMENT:
        part = [r for r in rows if r["subkelompok"] == s]
        if part:
            traces.append(
                plain_bar(
                    label(INVESTMENT, s, ctx.lang),
                    [str(r["tahun"]) for r in part],
                    [r["realisasi"] for r in part],
                    colours.get(s, GREY),
                )
            )
    return Figure(
        "investasi_tahunan",
        tr(
            "Pembiayaan investasi per tahun (negatif = pengeluaran kas)",
            "Investment financing by year (negative = cash outflow)",
        ),
        ctx.columns("tahun", "subkelompok", "nama", "realisasi"),
        rows,
        traces,
        {
            "barmode": "relative",
            "yaxis": money_axis([r["realisasi"] for r in rows] + [0], ctx.lang),
        },
    )


def _against_budget(
    ctx: Context, posture: list[dict[str, Any]], year: int, months: range
) -> Figure:
    tr = ctx.tr
    real: dict[str, int] = defaultdict(int)
    ceiling: dict[str, int] = {}
    for r in posture:
        if r["tahun"] != year:
            continue
        ceiling[r["subkelompok"]] = (
            min(ceiling.get(r["subkelompok"], 0), r["pagu"])
            if r["pagu"] < 0
            else max(ceiling.get(r["subkelompok"], 0), r["pagu"])
        )
        if r["bulan"] in months:
            real[r["subkelompok"]] += r["realisasi"]
    rows: list[dict[str, Any]] = [
        {
            "kode": s,
            "nama": label(INVESTMENT, s, ctx.lang),
            "pagu": ceiling.get(s, 0),
            "realisasi": real.get(s, 0),
            "persen": pct(real.get(s, 0), ceiling.get(s)),
        }
        for s in INVESTMENT
        if s in real or s in ceiling
    ]
    return Figure(
        "investasi_pagu",
        tr(f"Realisasi investasi {year} terhadap pagu", f"Investment {year} against the budget"),
        ctx.columns("kode", "nama", "pagu", "realisasi", "persen"),
        rows,
        [
            plain_bar(
                tr("Pagu", "Budget"), [r["nama"] for r in rows], [r["pagu"] for r in rows], GREY
            ),
            plain_bar(
                tr("Realisasi", "Realization"),
                [r["nama"] for r in rows],
                [r["realisasi"] for r in rows],
                BLUE,
            ),
        ],
        {
            "barmode": "group",
            "yaxis": money_axis(
                [r["pagu"] for r in rows] + [r["realisasi"] for r in rows], ctx.lang
            ),
        },
    )


def _on_lending(ctx: Context, flows: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    out: dict[int, int] = defaultdict(int)
    back: dict[int, int] = defaultdict(int)
    for r in flows:
        if r["kode_akun"] == ON_LENDING_OUT:
            out[r["tahun"]] += -r["nilai"]
        else:
            back[r["tahun"]] += r["nilai"]
    rows: list[dict[str, Any]] = []
    balance = 0
    for y in sorted(set(out) | set(back)):
        balance += out[y] - back[y]
        rows.append(
            {"tahun": y, "penyaluran": out[y], "pengembalian": back[y], "saldo_akhir": balance}
        )
    xs = [str(r["tahun"]) for r in rows]
    return Figure(
        "penerusan_pinjaman",
        tr(
            "Penerusan pinjaman (SLA/RDI): penyaluran, pengembalian, saldo piutang",
            "On-lending (SLA/RDI): disbursed, repaid, outstanding receivable",
        ),
        ctx.columns("tahun", "penyaluran", "pengembalian", "saldo_akhir"),
        rows,
        [
            plain_bar(tr("Penyaluran", "Disbursed"), xs, [r["penyaluran"] for r in rows], ORANGE),
            plain_bar(tr("Pengembalian", "Repaid"), xs, [r["pengembalian"] for r in rows], GREEN),
            line(
                xs,
                [r["saldo_akhir"] for r in rows],
                ctx.lang,
                tr("Saldo piutang", "Outstanding"),
                RED,
            ),
        ],
        {
            "barmode": "group",
            "yaxis": money_axis(
                [r["saldo_akhir"] for r in rows] + [r["penyaluran"] for r in rows], ctx.lang
            ),
        },
    )


def _largest(ctx: Context, year: int, months: range) -> Figure:
    tr = ctx.tr
    rows = largest_financing(
        ctx, year, months, f"(kode_akun like '724%' or kode_akun = {lit(ON_LENDING_OUT)})"
    )
    rows.reverse()
    names = [f"{r['tanggal']} · {r['uraian'][:40]}" for r in rows]
    return Figure(
        "transaksi_investasi",
        tr(f"Transaksi investasi terbesar {year}", f"Largest investment transactions {year}"),
        ctx.columns("tanggal", "kode_akun", "uraian", "nilai"),
        rows,
        [
            plain_bar(
                tr("Nilai", "Amount"),
                [-r["nilai"] for r in rows],
                names,
                BLUE,
                horizontal=True,
                hovertext=[
                    f"{n}: {format_rupiah(-r['nilai'], ctx.lang)}"
                    for n, r in zip(names, rows, strict=True)
                ],
                hoverinfo="text",
            )
        ],
        {
            "height": max(300, 24 * len(rows) + 80),
            "xaxis": money_axis([-r["nilai"] for r in rows], ctx.lang),
        },
        note=tr(
            f"Bulan {month_name(months.start, ctx.lang)}–{month_name(months.stop - 1, ctx.lang)}; nilai pengeluaran ditampilkan positif.",
            f"Months {month_name(months.start, ctx.lang)}–{month_name(months.stop - 1, ctx.lang)}; outflows shown as positive amounts.",
        ),
    )


def _receivables(ctx: Context, year: int, outstanding: int) -> Figure:
    tr = ctx.tr
    rows = [r.__dict__ for r in portfolio(year, outstanding)]
    rows.sort(key=lambda r: r["pokok"])
    colours = {"lancar": GREEN, "kurang_lancar": ORANGE, "diragukan": RED, "macet": "#6d0f0f"}
    names = [f"{r['kode']} {r['nama']}" for r in rows]
    return Figure(
        "piutang_debitur",
        tr(
            "Piutang penerusan pinjaman per debitur (DATA SINTETIS) dan kolektibilitas",
            "On-lending receivable by debtor (SYNTHETIC DATA) and collectibility",
        ),
        ctx.columns("kode", "nama", "jenis", "pokok", "tunggakan", "kolektibilitas"),
        rows,
        [
            plain_bar(
                tr("Pokok", "Principal"),
                [r["pokok"] for r in rows],
                names,
                [colours[r["kolektibilitas"]] for r in rows],
                horizontal=True,
                hovertext=[
                    f"{n}: {format_rupiah(r['pokok'], ctx.lang)} ({r['kolektibilitas']})"
                    for n, r in zip(names, rows, strict=True)
                ],
                hoverinfo="text",
            ),
            plain_bar(
                tr("Tunggakan", "Arrears"),
                [r["tunggakan"] for r in rows],
                names,
                GREY,
                horizontal=True,
            ),
        ],
        {
            "barmode": "overlay",
            "height": 420,
            "xaxis": money_axis([r["pokok"] for r in rows], ctx.lang),
        },
        note=tr(
            "Data sintetis: saldo penerusan pinjaman tahun ini dibagi ke debitur contoh oleh "
            "treasury.dashboards.portfolio (belum ada sumber piutang per debitur). Warna: "
            "hijau lancar, oranye kurang lancar, merah diragukan, merah tua macet.",
            "Synthetic data: this year's on-lending balance split across sample debtors by "
            "treasury.dashboards.portfolio (no per-debtor receivable source yet). Colours: green "
            "current, orange substandard, red doubtful, dark red loss.",
        ),
    )


def _receivable_alerts(ctx: Context, board: Board, figure: Figure) -> None:
    tr = ctx.tr
    for r in figure.rows:
        if r["kolektibilitas"] in ("diragukan", "macet"):
            board.alerts.append(
                Alert(
                    "danger" if r["kolektibilitas"] == "macet" else "warning",
                    tr(
                        f"{r['kode']} {r['nama']} (sintetis): kolektibilitas {r['kolektibilitas']}, tunggakan {format_rupiah(r['tunggakan'], ctx.lang)}.",
                        f"{r['kode']} {r['nama']} (synthetic): collectibility {r['kolektibilitas']}, arrears {format_rupiah(r['tunggakan'], ctx.lang)}.",
                    ),
                    tr(
                        "Tagih dan tawarkan restrukturisasi; untuk Pemda, perhitungkan dengan penyaluran DAU/DBH.",
                        "Collect and offer restructuring; for local governments, offset against DAU/DBH transfers.",
                    ),
                )
            )
