"""Government expenditure analytics (``/analytics/expenditure``).

Absorption (realization / ceiling) by ministry, province and satker from
``mart_belanja_satker_bulanan``; SP2D service level (share within SLA, median minutes) by month
and by KPPN from ``mart_sla_sp2d`` (row-scoped: a KPPN or Kanwil analyst sees its own offices);
the year-end rush (share of the year's spending paid in Q4 and December, by year); and the
payment-type mix (LS/UP/GUP/TUP) of SPM submissions (``spm-pengajuan``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from treasury.dashboards.board import Alert, Board, Context, Kpi, last_months, pct, start
from treasury.dashboards.figures import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    RED,
    Figure,
    money_axis,
    plain_bar,
    short,
)
from treasury.dashboards.labels import month_name, names_of
from treasury.dashboards.source import lit
from treasury.i18n import format_percent

#: SP2D service-level target: share of SP2D issued within the SLA.
SLA_TARGET_PCT = 95.0
PAYMENT_TYPES = ("LS", "GUP", "TUP", "UP")


def _period(column: str, year: int, months: range) -> str:
    """``column`` (a timestamp) within ``months`` of ``year``, as a range zone maps can use.

    Examples
    --------
    >>> _period("waktu_sp2d", 2023, range(1, 13))
    "waktu_sp2d >= TIMESTAMP '2023-01-01' and waktu_sp2d < TIMESTAMP '2024-01-01'"
    """
    end = f"{year + 1}-01-01" if months.stop > 12 else f"{year}-{months.stop:02d}-01"
    return f"{column} >= TIMESTAMP '{year}-{months.start:02d}-01' and {column} < TIMESTAMP '{end}'"


def _scope(ctx: Context) -> str:
    f = ctx.filters
    parts = []
    for column, value in (
        ("kode_ba", f.ministry),
        ("kode_provinsi", f.province),
        ("kode_kabkota", f.kabkota),
        ("kode_kppn", f.kppn),
    ):
        if value:
            parts.append(f" and {column} = {lit(value)}")
    return "".join(parts)


@dataclass
class Absorption:
    """Ceiling and realization by ministry, by province, in total, and the satker at each end."""

    by_ministry: list[dict[str, Any]]
    by_province: list[dict[str, Any]]
    total: dict[str, Any]
    lowest: list[dict[str, Any]]
    highest: list[dict[str, Any]]


def absorption(ctx: Context, year: int, months: range, ends: int = 15) -> Absorption:
    """One pass over the satker mart: the annual ceiling (``pagu`` is repeated monthly: the
    maximum per satker and economic type) and the realization over ``months``, aggregated by
    ministry and province, plus the ``ends`` satker with the lowest and highest absorption."""
    scope = _scope(ctx)
    rows = ctx.source.rows(
        f"""with s as (
              select kode_satker, any_value(kode_ba) as kode_ba,
                     any_value(kode_provinsi) as kode_provinsi,
                     sum(pagu) as pagu, sum(realisasi) as realisasi
              from (
                select kode_satker, jenis_belanja, any_value(kode_ba) as kode_ba,
                       any_value(kode_provinsi) as kode_provinsi, max(pagu) as pagu,
                       coalesce(sum(realisasi) filter (where bulan between {lit(months.start)}
                                and {lit(months.stop - 1)}), 0) as realisasi
                from belanja_satker_bulanan where tahun = {lit(year)}{scope}
                group by kode_satker, jenis_belanja)
              group by kode_satker),
            r as (select *, realisasi / pagu as rasio from s where pagu > 0)
            select 'kode_ba' as level, kode_ba as kode, null as kode_ba,
                   sum(pagu)::BIGINT as pagu, sum(realisasi)::BIGINT as realisasi
            from s group by kode_ba
            union all
            select 'kode_provinsi', kode_provinsi, null, sum(pagu)::BIGINT, sum(realisasi)::BIGINT
            from s group by kode_provinsi
            union all
            select 'total', '', null, sum(pagu)::BIGINT, sum(realisasi)::BIGINT from s
            union all
            (select 'low', kode_satker, kode_ba, pagu::BIGINT, realisasi::BIGINT from r
             order by rasio, kode_satker limit {lit(ends)})
            union all
            (select 'high', kode_satker, kode_ba, pagu::BIGINT, realisasi::BIGINT from r
             order by rasio desc, kode_satker limit {lit(ends)})"""
    )
    level: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("kode_ba", "kode_provinsi", "total", "low", "high")
    }
    for r in rows:
        level[r["level"]].append(r)
    for name in ("low", "high"):
        level[name].sort(
            key=lambda r: (r["realisasi"] / r["pagu"], r["kode"]), reverse=name == "high"
        )
        for r in level[name]:
            r["kode_satker"] = r["kode"]
    total = level["total"][0] if level["total"] else {"pagu": 0, "realisasi": 0}
    return Absorption(level["kode_ba"], level["kode_provinsi"], total, level["low"], level["high"])


def build(ctx: Context) -> Board:
    """The expenditure analytics page."""
    tr = ctx.tr
    scope = _scope(ctx)
    monthly = ctx.source.rows(
        f"""select tahun, bulan, sum(realisasi)::BIGINT as realisasi
        from belanja_satker_bulanan where true{scope} group by all order by tahun, bulan"""
    )
    months_seen = last_months(monthly)
    board, year, months = start(
        ctx, "expenditure", tr("Analitik Belanja Pemerintah", "Government expenditure"), months_seen
    )
    if year not in months_seen:
        return board
    found = absorption(ctx, year, months)
    board.figures.append(_by(ctx, found.by_ministry, "ministry", "serapan_kl"))
    board.figures.append(_by(ctx, found.by_province, "province", "serapan_wilayah"))
    board.figures.append(_lowest_satker(ctx, found.lowest))
    board.figures.append(_rush(ctx, monthly))
    sla = _sla_rows(ctx, year, months)
    board.figures.append(_sla_monthly(ctx, sla))
    board.figures.append(_sla_kppn(ctx, sla))
    board.figures.append(_payment_mix(ctx, year, months))
    pagu = found.total["pagu"] or 0
    real = found.total["realisasi"] or 0
    issued = sum(r["jumlah"] for r in sla)
    within = sum(r["dalam_sla"] for r in sla)
    board.kpis = [
        Kpi(
            "realisasi",
            tr("Realisasi belanja K/L", "Ministry spending"),
            real,
            budget=pagu,
            share=pct(real, pagu),
        ),
        Kpi("sp2d", tr("SP2D terbit", "SP2D issued"), issued, unit="count"),
        Kpi(
            "dalam_sla",
            tr("SP2D dalam SLA", "SP2D within SLA"),
            pct(within, issued),
            unit="percent",
            note=tr(f"target {SLA_TARGET_PCT:g}%", f"target {SLA_TARGET_PCT:g}%"),
        ),
    ]
    share = pct(within, issued)
    if share is not None and share < SLA_TARGET_PCT:
        board.alerts.append(
            Alert(
                "warning",
                tr(
                    f"Hanya {format_percent(share, 1, ctx.lang)} SP2D terbit dalam SLA (target {SLA_TARGET_PCT:g}%).",
                    f"Only {format_percent(share, 1, ctx.lang)} of SP2D were issued within the SLA (target {SLA_TARGET_PCT:g}%).",
                ),
                tr(
                    "Tinjau antrean KPPN dengan persentase terendah dan tambah petugas pada puncak pengajuan.",
                    "Review the queues of the lowest KPPN and add staff at submission peaks.",
                ),
            )
        )
    return board


def absorption_bar(
    ctx: Context,
    rows: list[dict[str, Any]],
    labels: list[str],
    color: str | list[str],
    **extra: Any,
) -> dict[str, Any]:
    """The horizontal bar trace of absorption (``persen``, % of budget) of ``rows``, one label
    each."""
    return plain_bar(
        ctx.tr("Penyerapan (% pagu)", "Absorption (% of budget)"),
        [r["persen"] for r in rows],
        labels,
        color,
        horizontal=True,
        **extra,
    )


def _by(ctx: Context, groups: list[dict[str, Any]], kind: str, figure_id: str) -> Figure:
    tr = ctx.tr
    names = names_of(kind)
    pagu = {g["kode"]: g["pagu"] for g in groups}
    real = {g["kode"]: g["realisasi"] for g in groups}
    ranked: list[dict[str, Any]] = sorted(
        (
            {
                "kode": k,
                "nama": names.get(k, k),
                "pagu": pagu[k],
                "realisasi": real[k],
                "persen": pct(real[k], pagu[k]),
            }
            for k in pagu
            if pagu[k]
        ),
        key=lambda r: -r["pagu"],
    )
    rows = ranked[:20]
    rows.sort(key=lambda r: r["persen"] or 0)
    overall = pct(sum(real.values()), sum(pagu.values()))
    trace = absorption_bar(
        ctx,
        rows,
        [short(r["nama"]) for r in rows],
        [RED if (r["persen"] or 0) < 0.8 * (overall or 0) else BLUE for r in rows],
        customdata=[r["kode"] for r in rows],
    )
    title = (
        tr(
            "Penyerapan per K/L (20 pagu terbesar; merah: < 80% rata-rata)",
            "Absorption by ministry (20 largest budgets; red: < 80% of average)",
        )
        if kind == "ministry"
        else tr(
            "Penyerapan per provinsi (klik untuk menyaring)",
            "Absorption by province (click to filter)",
        )
    )
    return Figure(
        figure_id,
        title,
        ctx.columns("kode", "nama", "pagu", "realisasi", "persen"),
        rows,
        [trace],
        {
            "height": max(320, 20 * len(rows) + 80),
            "xaxis": {"ticksuffix": "%"},
            "shapes": [
                {
                    "type": "line",
                    "x0": overall,
                    "x1": overall,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": GREY, "dash": "dot"},
                }
            ]
            if overall is not None
            else [],
        },
        drill="ministry" if kind == "ministry" else "province",
    )


def _lowest_satker(ctx: Context, satkers: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    rows: list[dict[str, Any]] = sorted(
        (
            {
                "kode_satker": s["kode_satker"],
                "kode_ba": s["kode_ba"],
                "pagu": s["pagu"],
                "realisasi": s["realisasi"],
                "persen": pct(s["realisasi"], s["pagu"]),
            }
            for s in satkers
            if s["pagu"]
        ),
        key=lambda r: (r["persen"] or 0, r["kode_satker"]),
    )[:15]
    rows.reverse()
    return Figure(
        "serapan_satker",
        tr("15 satker dengan penyerapan terendah", "15 satker with the lowest absorption"),
        ctx.columns("kode_satker", "kode_ba", "pagu", "realisasi", "persen"),
        rows,
        [
            absorption_bar(
                ctx, rows, [f"{r['kode_satker']} (BA {r['kode_ba']})" for r in rows], ORANGE
            )
        ],
        {"height": 380, "xaxis": {"ticksuffix": "%"}},
    )


def _rush(ctx: Context, monthly: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    totals: dict[int, int] = defaultdict(int)
    q4: dict[int, int] = defaultdict(int)
    dec: dict[int, int] = defaultdict(int)
    complete = defaultdict(set)
    for r in monthly:
        totals[r["tahun"]] += r["realisasi"]
        complete[r["tahun"]].add(r["bulan"])
        if r["bulan"] >= 10:
            q4[r["tahun"]] += r["realisasi"]
        if r["bulan"] == 12:
            dec[r["tahun"]] = r["realisasi"]
    rows: list[dict[str, Any]] = [
        {
            "tahun": y,
            "realisasi": totals[y],
            "persen_q4": pct(q4[y], totals[y]),
            "persen_desember": pct(dec[y], totals[y]),
        }
        for y in sorted(totals)
        if len(complete[y]) == 12
    ]
    return Figure(
        "akhir_tahun",
        tr(
            "Penumpukan akhir tahun: porsi belanja di triwulan IV dan Desember",
            "Year-end rush: share of spending paid in Q4 and December",
        ),
        ctx.columns("tahun", "realisasi", "persen_q4", "persen_desember"),
        rows,
        [
            plain_bar(
                tr("Triwulan IV", "Q4"),
                [str(r["tahun"]) for r in rows],
                [r["persen_q4"] for r in rows],
                GREY,
            ),
            plain_bar(
                tr("Desember", "December"),
                [str(r["tahun"]) for r in rows],
                [r["persen_desember"] for r in rows],
                RED,
            ),
        ],
        {"barmode": "group", "yaxis": {"ticksuffix": "%"}},
        note=tr(
            "Pola merata: Desember sekitar 8% dan triwulan IV sekitar 25%.",
            "An even pattern: December about 8% and Q4 about 25%.",
        ),
    )


def _sla_rows(ctx: Context, year: int, months: range) -> list[dict[str, Any]]:
    f = ctx.filters
    offices = ""
    if f.kppn:
        offices = f" and kode_kppn = {lit(f.kppn)}"
    elif f.province:
        offices = f" and kode_kppn in (select kode_kppn from ref_kppn where kode_provinsi = {lit(f.province)})"
    return ctx.source.rows(
        f"""select kode_kppn, month(waktu_sp2d)::INTEGER as bulan, count(*)::BIGINT as jumlah,
               sum(case when dalam_sla then 1 else 0 end)::BIGINT as dalam_sla,
               median(menit) as menit_median
        from sla_sp2d
        where {_period("waktu_sp2d", year, months)}{offices}
        group by all"""
    )


def _sla_monthly(ctx: Context, sla: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    count: dict[int, int] = defaultdict(int)
    ok: dict[int, int] = defaultdict(int)
    for r in sla:
        count[r["bulan"]] += r["jumlah"]
        ok[r["bulan"]] += r["dalam_sla"]
    rows: list[dict[str, Any]] = [
        {"bulan": m, "jumlah": count[m], "dalam_sla": ok[m], "persen_sla": pct(ok[m], count[m])}
        for m in sorted(count)
    ]
    months = [month_name(r["bulan"], ctx.lang) for r in rows]
    return Figure(
        "sla_bulanan",
        tr(
            "Layanan SP2D: jumlah terbit dan % dalam SLA per bulan",
            "SP2D service: issued and % within SLA by month",
        ),
        ctx.columns("bulan", "jumlah", "dalam_sla", "persen_sla"),
        rows,
        [
            plain_bar(tr("SP2D terbit", "SP2D issued"), months, [r["jumlah"] for r in rows], GREY),
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": tr("% dalam SLA", "% within SLA"),
                "x": months,
                "y": [r["persen_sla"] for r in rows],
                "yaxis": "y2",
                "line": {"color": GREEN},
            },
        ],
        {
            "yaxis2": {
                "overlaying": "y",
                "side": "right",
                "ticksuffix": "%",
                "range": [0, 100],
                "dtick": 20,
            }
        },
    )


def _sla_kppn(ctx: Context, sla: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    count: dict[str, int] = defaultdict(int)
    ok: dict[str, int] = defaultdict(int)
    for r in sla:
        count[r["kode_kppn"]] += r["jumlah"]
        ok[r["kode_kppn"]] += r["dalam_sla"]
    rows: list[dict[str, Any]] = sorted(
        (
            {
                "kode_kppn": k,
                "jumlah": count[k],
                "dalam_sla": ok[k],
                "persen_sla": pct(ok[k], count[k]),
            }
            for k in count
        ),
        key=lambda r: (r["persen_sla"] or 0, r["kode_kppn"]),
    )[:15]
    rows.reverse()
    return Figure(
        "sla_kppn",
        tr("15 KPPN dengan % dalam SLA terendah", "15 KPPN with the lowest % within SLA"),
        ctx.columns("kode_kppn", "jumlah", "dalam_sla", "persen_sla"),
        rows,
        [
            plain_bar(
                tr("% dalam SLA", "% within SLA"),
                [r["persen_sla"] for r in rows],
                [f"KPPN {r['kode_kppn']}" for r in rows],
                [RED if (r["persen_sla"] or 0) < SLA_TARGET_PCT else GREEN for r in rows],
                horizontal=True,
            )
        ],
        {"height": 380, "xaxis": {"ticksuffix": "%", "range": [0, 100]}},
    )


def _payment_mix(ctx: Context, year: int, months: range) -> Figure:
    tr = ctx.tr
    f = ctx.filters
    offices = f" and kode_kppn = {lit(f.kppn)}" if f.kppn else ""
    if f.province and not f.kppn:
        offices = f" and kode_kppn in (select kode_kppn from ref_kppn where kode_provinsi = {lit(f.province)})"
    rows = ctx.source.rows(
        f"""select month(waktu_unggah)::INTEGER as bulan, jenis_pembayaran,
               count(*)::BIGINT as jumlah, sum(nilai_spm)::BIGINT as nilai
        from spm_pengajuan
        where {_period("waktu_unggah", year, months)}{offices}
        group by all order by bulan, jenis_pembayaran"""
    )
    colours = {"LS": BLUE, "GUP": GREEN, "TUP": ORANGE, "UP": GREY}
    traces = []
    for kind in PAYMENT_TYPES:
        part = [r for r in rows if r["jenis_pembayaran"] == kind]
        if part:
            traces.append(
                plain_bar(
                    kind,
                    [month_name(r["bulan"], ctx.lang) for r in part],
                    [r["nilai"] for r in part],
                    colours[kind],
                )
            )
    totals: dict[int, int] = defaultdict(int)
    for r in rows:
        totals[r["bulan"]] += r["nilai"]
    return Figure(
        "jenis_pembayaran",
        tr(
            "Komposisi jenis pembayaran SPM (LS/GUP/TUP/UP)",
            "Payment-type mix of SPM (LS/GUP/TUP/UP)",
        ),
        ctx.columns("bulan", "jenis_pembayaran", "jumlah", "nilai"),
        rows,
        traces,
        {"barmode": "stack", "yaxis": money_axis(list(totals.values()), ctx.lang)},
    )
