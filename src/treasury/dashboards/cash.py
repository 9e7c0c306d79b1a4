"""Cash management analytics (``/analytics/cash``), from ``mart_kas_harian``.

The treasury single account's daily position (this year against last year), monthly inflows
and outflows, seasonality (mean daily net flow per calendar month over all years), the largest
outflow days, and scheduled debt repayments (``transaksi-pembiayaan``, accounts 72xxxx). An
alert compares the position with the coming month's typical net outflow.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from treasury.dashboards.board import Alert, Board, Context, Kpi, start
from treasury.dashboards.figures import (
    BLUE,
    GREEN,
    GREY,
    PAST,
    RED,
    Figure,
    line,
    money_axis,
    plain_bar,
)
from treasury.dashboards.labels import month_name
from treasury.dashboards.source import lit
from treasury.i18n import format_date, format_rupiah


def build(ctx: Context) -> Board:
    """The cash management page (filters: year, month range)."""
    tr = ctx.tr
    days = ctx.source.rows(
        """select tanggal, penerimaan, pengeluaran, saldo from kas_harian order by tanggal"""
    )
    last_months: dict[int, int] = {}
    for d in days:
        last_months[d["tanggal"].year] = max(
            last_months.get(d["tanggal"].year, 0), d["tanggal"].month
        )
    board, year, months = start(ctx, "cash", tr("Manajemen Kas", "Cash management"), last_months)
    if year not in last_months:
        return board
    chosen = [d for d in days if d["tanggal"].year == year and d["tanggal"].month in months]
    board.figures.append(_position(ctx, days, year, months))
    board.figures.append(_flows(ctx, chosen))
    seasonal = _seasonality(ctx, days)
    board.figures.append(seasonal)
    board.figures.append(_largest(ctx, chosen))
    board.figures.append(_repayments(ctx, year, months))
    if chosen:
        latest = chosen[-1]
        low = min(chosen, key=lambda d: d["saldo"])
        board.kpis = [
            Kpi(
                "saldo",
                tr(
                    f"Saldo per {format_date(latest['tanggal'], ctx.lang)}",
                    f"Balance on {format_date(latest['tanggal'], ctx.lang)}",
                ),
                latest["saldo"],
            ),
            Kpi(
                "saldo_terendah",
                tr("Saldo terendah", "Lowest balance"),
                low["saldo"],
                note=format_date(low["tanggal"], ctx.lang),
            ),
            Kpi("penerimaan", tr("Penerimaan", "Inflows"), sum(d["penerimaan"] for d in chosen)),
            Kpi(
                "pengeluaran", tr("Pengeluaran", "Outflows"), sum(d["pengeluaran"] for d in chosen)
            ),
        ]
        _alert(ctx, board, latest, seasonal)
    return board


def _position(ctx: Context, days: list[dict[str, Any]], year: int, months: range) -> Figure:
    tr = ctx.tr
    rows = [
        {"tanggal": d["tanggal"].isoformat(), "tahun": d["tanggal"].year, "saldo": d["saldo"]}
        for d in days
        if d["tanggal"].year in (year - 1, year) and d["tanggal"].month in months
    ]
    traces = []
    for y, colour in ((year - 1, PAST[1]), (year, BLUE)):
        part = [r for r in rows if r["tahun"] == y]
        if part:
            # plotted on this year's calendar so both years share the axis
            xs = [
                f"{year}-{r['tanggal'][5:]}" if r["tanggal"][5:] != "02-29" else f"{year}-02-28"
                for r in part
            ]
            trace = line(xs, [r["saldo"] for r in part], ctx.lang, str(y), colour)
            trace["mode"] = "lines"
            traces.append(trace)
    return Figure(
        "saldo_harian",
        tr(
            f"Posisi kas harian (RKUN) {year} dan {year - 1}",
            f"Daily treasury account position {year} and {year - 1}",
        ),
        ctx.columns("tanggal", "tahun", "saldo"),
        rows,
        traces,
        {
            "yaxis": money_axis([r["saldo"] for r in rows], ctx.lang),
            "xaxis": {"type": "date", "tickformat": "%b"},
        },
    )


def _flows(ctx: Context, chosen: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    inflow: dict[int, int] = defaultdict(int)
    outflow: dict[int, int] = defaultdict(int)
    for d in chosen:
        inflow[d["tanggal"].month] += d["penerimaan"]
        outflow[d["tanggal"].month] += d["pengeluaran"]
    rows = [
        {
            "bulan": m,
            "penerimaan": inflow[m],
            "pengeluaran": outflow[m],
            "netto": inflow[m] - outflow[m],
        }
        for m in sorted(inflow)
    ]
    xs = [month_name(r["bulan"], ctx.lang) for r in rows]
    return Figure(
        "arus_kas",
        tr("Penerimaan dan pengeluaran per bulan", "Inflows and outflows by month"),
        ctx.columns("bulan", "penerimaan", "pengeluaran", "netto"),
        rows,
        [
            plain_bar(tr("Penerimaan", "Inflows"), xs, [r["penerimaan"] for r in rows], GREEN),
            plain_bar(tr("Pengeluaran", "Outflows"), xs, [r["pengeluaran"] for r in rows], RED),
            line(xs, [r["netto"] for r in rows], ctx.lang, tr("Netto", "Net"), BLUE),
        ],
        {
            "barmode": "group",
            "yaxis": money_axis(
                [r[k] for r in rows for k in ("penerimaan", "pengeluaran", "netto")], ctx.lang
            ),
        },
    )


def _seasonality(ctx: Context, days: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    net: dict[int, list[int]] = defaultdict(list)
    for d in days:
        net[d["tanggal"].month].append(d["penerimaan"] - d["pengeluaran"])
    rows = [
        {"bulan": m, "netto": round(sum(v) / len(v)), "jumlah": len(v)}
        for m, v in sorted(net.items())
    ]
    years = sorted({d["tanggal"].year for d in days})
    return Figure(
        "musiman",
        tr(
            f"Pola musiman: rata-rata arus bersih harian per bulan ({years[0]}–{years[-1]})",
            f"Seasonality: mean daily net flow by month ({years[0]}–{years[-1]})",
        ),
        ctx.columns("bulan", "netto", "jumlah"),
        rows,
        [
            plain_bar(
                tr("Rata-rata netto harian", "Mean daily net flow"),
                [month_name(r["bulan"], ctx.lang) for r in rows],
                [r["netto"] for r in rows],
                [GREEN if r["netto"] >= 0 else RED for r in rows],
            )
        ],
        {"yaxis": money_axis([r["netto"] for r in rows], ctx.lang)},
    )


def _largest(ctx: Context, chosen: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    top = sorted(chosen, key=lambda d: -d["pengeluaran"])[:10]
    rows = [
        {"tanggal": d["tanggal"].isoformat(), "pengeluaran": d["pengeluaran"]}
        for d in sorted(top, key=lambda d: d["tanggal"])
    ]
    return Figure(
        "pengeluaran_besar",
        tr("10 hari dengan pengeluaran terbesar", "The 10 days with the largest outflows"),
        ctx.columns("tanggal", "pengeluaran"),
        rows,
        [
            plain_bar(
                tr("Pengeluaran", "Outflows"),
                [r["tanggal"] for r in rows],
                [r["pengeluaran"] for r in rows],
                RED,
            )
        ],
        {
            "yaxis": money_axis([r["pengeluaran"] for r in rows], ctx.lang),
            "xaxis": {"type": "category"},
        },
    )


def largest_financing(
    ctx: Context, year: int, months: range, accounts: str
) -> list[dict[str, Any]]:
    """The 15 financing transactions (``transaksi-pembiayaan``) of ``months`` of ``year`` with
    the most negative ``nilai`` (the largest outflows) among those matching the SQL condition
    ``accounts``; ``tanggal`` as ISO text."""
    rows = ctx.source.rows(
        f"""select tanggal, kode_akun, uraian, nilai from transaksi_pembiayaan
        where year(tanggal) = {lit(year)} and month(tanggal) between {lit(months.start)}
          and {lit(months.stop - 1)} and {accounts}
        order by nilai, tanggal limit 15"""
    )
    for r in rows:
        r["tanggal"] = r["tanggal"].isoformat()
    return rows


def _repayments(ctx: Context, year: int, months: range) -> Figure:
    tr = ctx.tr
    rows = largest_financing(ctx, year, months, "kode_akun like '72%' and nilai < 0")
    rows.sort(key=lambda r: r["tanggal"])
    return Figure(
        "pelunasan_utang",
        tr("Jadwal pembayaran pokok utang terbesar", "Largest scheduled debt principal repayments"),
        ctx.columns("tanggal", "kode_akun", "uraian", "nilai"),
        rows,
        [
            plain_bar(
                tr("Pembayaran pokok", "Principal repaid"),
                [r["tanggal"] for r in rows],
                [-r["nilai"] for r in rows],
                GREY,
                hovertext=[f"{r['uraian']}: {format_rupiah(-r['nilai'], ctx.lang)}" for r in rows],
                hoverinfo="text",
            )
        ],
        {"yaxis": money_axis([-r["nilai"] for r in rows], ctx.lang), "xaxis": {"type": "category"}},
        note=tr(
            "Nilai ditampilkan positif; di data bertanda negatif (pengeluaran pembiayaan).",
            "Shown as positive amounts; negative in the data (financing outflows).",
        ),
    )


def _alert(ctx: Context, board: Board, latest: dict[str, Any], seasonal: Figure) -> None:
    tr = ctx.tr
    nxt = (latest["tanggal"].replace(day=1) + dt.timedelta(days=32)).month
    mean = next((r["netto"] for r in seasonal.rows if r["bulan"] == nxt), 0)
    expected = latest["saldo"] + 21 * mean  # about 21 working days
    if mean < 0 and expected < latest["saldo"] * 0.5:
        board.alerts.append(
            Alert(
                "warning",
                tr(
                    f"Pola musiman {month_name(nxt, 'id', False)}: arus bersih rata-rata {format_rupiah(mean, 'id')} per hari; saldo diperkirakan turun ke {format_rupiah(expected, 'id')}.",
                    f"Seasonal pattern for {month_name(nxt, 'en', False)}: mean net flow {format_rupiah(mean, 'en')} a day; the balance may fall to {format_rupiah(expected, 'en')}.",
                ),
                tr(
                    "Siapkan penerbitan SPN/lelang tambahan atau tarik dana dari penempatan kas sebelum awal bulan.",
                    "Prepare additional T-bill (SPN) auctions or recall cash placements before the month starts.",
                ),
            )
        )
