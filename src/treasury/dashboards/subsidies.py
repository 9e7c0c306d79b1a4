"""The government subsidy dashboard (``/dashboards/subsidies``), from ``mart_subsidi_bulanan``.

Realization by program (energy: BBM, LPG 3 kg, electricity; non-energy: fertilizer, PSO, KUR
interest), national and by province on an offline map of Indonesia (bubbles at the province
centroids of :func:`treasury.reference.provinces` over the Natural Earth outline shipped in
``data/``), per capita (population from ``bps-indikator-provinsi``), and the cumulative trend
against the budget (energy and non-energy ceilings of ``mart_apbn_bulanan``) with a seasonal
projection to year end. Clicking a province filters the whole page to it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from treasury.dashboards.board import Alert, Board, Context, Kpi, growth, last_months, pct, start
from treasury.dashboards.figures import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    Figure,
    bar,
    hover_money,
    line,
    money_axis,
    plain_bar,
)
from treasury.dashboards.labels import ENERGI, SUBSIDI, label, month_name, names_of
from treasury.dashboards.outline import outline_lines
from treasury.dashboards.projection import project_year_end
from treasury.dashboards.source import lit
from treasury.i18n import format_percent, format_rupiah
from treasury.reference import provinces

GROUPS = {"energi": ("Energi", "Energy"), "nonenergi": ("Nonenergi", "Non-energy")}


def _group(program: str) -> str:
    return "energi" if program in ENERGI else "nonenergi"


def build(ctx: Context) -> Board:
    """The subsidy dashboard for the context's filters (``province`` narrows every figure)."""
    tr, f = ctx.tr, ctx.filters
    where_prov = f"and kode_provinsi = {lit(f.province)}" if f.province else ""
    monthly = ctx.source.rows(
        f"""select tahun, bulan, program, sum(realisasi)::BIGINT as realisasi,
               sum(volume) as volume
        from subsidi_bulanan where true {where_prov} group by all"""
    )
    months_seen = last_months(monthly)
    place = names_of("province").get(f.province or "", tr("Nasional", "National"))
    title = tr("Subsidi Pemerintah", "Government subsidies") + f" · {place}"
    board, year, months = start(ctx, "subsidies", title, months_seen)
    if year not in months_seen:
        return board
    month_to = months.stop - 1
    by_province = ctx.source.rows(
        f"""with s as (
              select kode_provinsi, sum(realisasi)::BIGINT as realisasi from subsidi_bulanan
              where tahun = {lit(year)} and bulan between {lit(months.start)} and {lit(month_to)}
              group by kode_provinsi),
            p as (
              select kode_provinsi, arg_max(nilai, tahun) as penduduk from bps_indikator_provinsi
              where indikator = 'penduduk' and tahun <= {lit(year)} group by kode_provinsi)
            select s.kode_provinsi, s.realisasi, p.penduduk
            from s left join p using (kode_provinsi) order by s.kode_provinsi"""
    )
    budget_rows = (
        []
        if f.province
        else ctx.source.rows(
            f"""select subkelompok, max(pagu)::BIGINT as pagu from realisasi_apbn_bulanan
            where tahun = {lit(year)} and kelompok = 'subsidi' group by subkelompok"""
        )
    )
    budget = {r["subkelompok"].removeprefix("subsidi_"): r["pagu"] for r in budget_rows}
    board.figures.append(_programs(ctx, monthly, year, months))
    board.figures.append(_map(ctx, by_province))
    board.figures.append(_per_capita(ctx, by_province))
    trend, projections = _trend(ctx, monthly, year, month_to, budget)
    board.figures.append(trend)
    board.figures.append(_monthly(ctx, monthly, year, month_to))
    _kpis_alerts(ctx, board, monthly, year, months, budget, projections)
    return board


def _sum(rows: list[dict[str, Any]], year: int, months: range, group: str | None = None) -> int:
    wanted = set(months)
    return sum(
        r["realisasi"]
        for r in rows
        if r["tahun"] == year
        and r["bulan"] in wanted
        and (group is None or _group(r["program"]) == group)
    )


def _programs(ctx: Context, monthly: list[dict[str, Any]], year: int, months: range) -> Figure:
    tr = ctx.tr
    wanted = set(months)
    real: dict[str, int] = defaultdict(int)
    volume: dict[str, float] = defaultdict(float)
    for r in monthly:
        if r["tahun"] == year and r["bulan"] in wanted:
            real[r["program"]] += r["realisasi"]
            volume[r["program"]] += r["volume"] or 0.0
    rows: list[dict[str, Any]] = [
        {
            "program": p,
            "nama": label(SUBSIDI, p, ctx.lang),
            "kelompok": _group(p),
            "realisasi": real[p],
            "volume": round(volume[p], 2),
        }
        for p in SUBSIDI
        if p in real
    ]
    trace = bar(rows, "nama", "realisasi", ctx.lang, tr("Realisasi", "Realization"))
    trace["marker"] = {"color": [ORANGE if r["kelompok"] == "energi" else GREEN for r in rows]}
    return Figure(
        "program",
        tr(
            "Realisasi per program (oranye: energi, hijau: nonenergi)",
            "Realization by program (orange: energy, green: non-energy)",
        ),
        ctx.columns("program", "nama", "kelompok", "realisasi", "volume"),
        rows,
        [trace],
        {"yaxis": money_axis([r["realisasi"] for r in rows], ctx.lang)},
    )


def _map(ctx: Context, by_province: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    where: dict[str, dict[str, Any]] = {r["kode_provinsi"]: r for r in provinces().to_pylist()}
    rows: list[dict[str, Any]] = [
        {
            "kode_provinsi": r["kode_provinsi"],
            "nama": where[r["kode_provinsi"]]["nama"]
            if r["kode_provinsi"] in where
            else r["kode_provinsi"],
            "lon": where.get(r["kode_provinsi"], {}).get("lon"),
            "lat": where.get(r["kode_provinsi"], {}).get("lat"),
            "realisasi": r["realisasi"],
        }
        for r in by_province
    ]
    lons, lats = outline_lines()
    biggest = max((r["realisasi"] for r in rows), default=1) or 1
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": list(lons),
            "y": list(lats),
            "line": {"color": GREY, "width": 0.8},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": "outline",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": tr("Realisasi subsidi", "Subsidy realization"),
            "x": [r["lon"] for r in rows],
            "y": [r["lat"] for r in rows],
            "customdata": [r["kode_provinsi"] for r in rows],
            "marker": {
                "size": [r["realisasi"] for r in rows],
                "sizemode": "area",
                "sizeref": 2.0 * biggest / 45**2,
                "sizemin": 3,
                "color": ORANGE,
                "opacity": 0.7,
                "line": {"color": "#7f4f00", "width": 0.5},
            },
            "hovertext": [
                f"{r['nama']}: {h}"
                for r, h in zip(
                    rows, hover_money([r["realisasi"] for r in rows], ctx.lang), strict=True
                )
            ],
            "hoverinfo": "text",
        },
    ]
    return Figure(
        "peta",
        tr(
            "Peta realisasi per provinsi (klik gelembung untuk menyaring)",
            "Map of realization by province (click a bubble to filter)",
        ),
        ctx.columns("kode_provinsi", "nama", "lon", "lat", "realisasi"),
        rows,
        traces,
        {
            "height": 380,
            "showlegend": False,
            "xaxis": {"range": [94.5, 141.5], "visible": False, "fixedrange": True},
            "yaxis": {
                "range": [-11.5, 6.5],
                "visible": False,
                "scaleanchor": "x",
                "fixedrange": True,
            },
            "margin": {"l": 5, "r": 5, "t": 30, "b": 5},
        },
        drill="province",
        note=tr(
            "Garis pantai: Natural Earth (world-atlas, ISC).",
            "Coastline: Natural Earth (world-atlas, ISC).",
        ),
    )


def _per_capita(ctx: Context, by_province: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    names = names_of("province")
    rows = sorted(
        (
            {
                "kode_provinsi": r["kode_provinsi"],
                "nama": names.get(r["kode_provinsi"], r["kode_provinsi"]),
                "realisasi": r["realisasi"],
                "penduduk": round(r["penduduk"]) if r["penduduk"] else None,
                "per_kapita": round(r["realisasi"] / r["penduduk"]) if r["penduduk"] else None,
            }
            for r in by_province
        ),
        key=lambda r: r["per_kapita"] or 0,
    )
    trace = plain_bar(
        tr("Rp per kapita", "Rp per capita"),
        [r["per_kapita"] for r in rows],
        [r["nama"] for r in rows],
        BLUE,
        horizontal=True,
        customdata=[r["kode_provinsi"] for r in rows],
        hovertext=[f"{r['nama']}: {format_rupiah(r['per_kapita'], ctx.lang)}" for r in rows],
        hoverinfo="text",
    )
    return Figure(
        "per_kapita",
        tr("Subsidi per kapita menurut provinsi", "Subsidy per capita by province"),
        ctx.columns("kode_provinsi", "nama", "realisasi", "penduduk", "per_kapita"),
        rows,
        [trace],
        {"height": max(320, 16 * len(rows) + 60), "xaxis": {"title": {"text": "Rp"}}},
        drill="province",
    )


def _trend(
    ctx: Context, monthly: list[dict[str, Any]], year: int, month_to: int, budget: dict[str, int]
) -> tuple[Figure, dict[str, Any]]:
    tr = ctx.tr
    rows: list[dict[str, Any]] = []
    traces: list[dict[str, Any]] = []
    projections = {}
    sums: dict[tuple[int, int, str], float] = defaultdict(float)
    for r in monthly:
        sums[(r["tahun"], r["bulan"], _group(r["program"]))] += r["realisasi"]
    for group, colour in (("energi", ORANGE), ("nonenergi", GREEN)):
        series: dict[int, dict[int, float]] = defaultdict(dict)
        for (y, m, g), value in sums.items():
            if g == group and year - 3 <= y <= year:
                series[y][m] = value
        actual = {m: v for m, v in series.get(year, {}).items() if m <= month_to}
        history = {y: s for y, s in series.items() if y < year and len(s) == 12}
        projection = project_year_end(actual, history)
        projections[group] = projection
        running = 0.0
        for m in sorted(actual):
            running += actual[m]
            rows.append(
                {
                    "kelompok": group,
                    "bulan": m,
                    "jenis": "realisasi",
                    "kumulatif": int(running),
                    "pagu": budget.get(group),
                }
            )
        for m in range(projection.last_month + 1, 13):
            rows.append(
                {
                    "kelompok": group,
                    "bulan": m,
                    "jenis": "proyeksi",
                    "kumulatif": int(projection.cumulative[m]),
                    "pagu": budget.get(group),
                }
            )
        name = tr(*GROUPS[group])
        part = [r for r in rows if r["kelompok"] == group and r["jenis"] == "realisasi"]
        traces.append(
            line(
                [month_name(r["bulan"], ctx.lang) for r in part],
                [r["kumulatif"] for r in part],
                ctx.lang,
                name,
                colour,
            )
        )
        ahead = part[-1:] + [r for r in rows if r["kelompok"] == group and r["jenis"] == "proyeksi"]
        if len(ahead) > 1:
            traces.append(
                line(
                    [month_name(r["bulan"], ctx.lang) for r in ahead],
                    [r["kumulatif"] for r in ahead],
                    ctx.lang,
                    f"{name} ({tr('proyeksi', 'projection, proyeksi')})",
                    colour,
                    "dash",
                )
            )
        if budget.get(group):
            traces.append(
                line(
                    [month_name(m, ctx.lang) for m in (1, 12)],
                    [budget[group]] * 2,
                    ctx.lang,
                    f"{tr('Pagu', 'Budget')} {name.lower()}",
                    colour,
                    "dot",
                )
            )
    values = [r["kumulatif"] for r in rows] + [v for v in budget.values() if v]
    figure = Figure(
        "tren",
        tr(
            f"Realisasi kumulatif {year} terhadap pagu, dengan proyeksi",
            f"Cumulative realization {year} against the budget, with projection",
        ),
        ctx.columns("kelompok", "bulan", "jenis", "kumulatif", "pagu"),
        rows,
        traces,
        {"yaxis": money_axis(values, ctx.lang)},
        note=tr(
            "Garis titik: pagu APBN subsidi energi/nonenergi (nasional). Garis putus-putus: proyeksi musiman.",
            "Dotted: APBN energy/non-energy subsidy budget (national). Dashed: seasonal projection (proyeksi).",
        ),
    )
    return figure, projections


def _monthly(ctx: Context, monthly: list[dict[str, Any]], year: int, month_to: int) -> Figure:
    tr = ctx.tr
    rows = sorted(
        (
            {"bulan": r["bulan"], "program": r["program"], "realisasi": r["realisasi"]}
            for r in monthly
            if r["tahun"] == year and r["bulan"] <= month_to
        ),
        key=lambda r: (
            r["bulan"],
            list(SUBSIDI).index(r["program"]) if r["program"] in SUBSIDI else 99,
        ),
    )
    traces = []
    for program in SUBSIDI:
        part = [r for r in rows if r["program"] == program]
        if part:
            trace = bar(
                [{**r, "bln": month_name(r["bulan"], ctx.lang)} for r in part],
                "bln",
                "realisasi",
                ctx.lang,
                label(SUBSIDI, program, ctx.lang),
                ORANGE if program in ENERGI else GREEN,
            )
            trace["marker"]["opacity"] = 0.55 + 0.15 * (list(SUBSIDI).index(program) % 3)
            traces.append(trace)
    totals: dict[int, int] = defaultdict(int)
    for r in rows:
        totals[r["bulan"]] += r["realisasi"]
    return Figure(
        "bulanan",
        tr(f"Realisasi bulanan {year} per program", f"Monthly realization {year} by program"),
        ctx.columns("bulan", "program", "realisasi"),
        rows,
        traces,
        {"barmode": "stack", "yaxis": money_axis(list(totals.values()), ctx.lang)},
    )


def _kpis_alerts(
    ctx: Context,
    board: Board,
    monthly: list[dict[str, Any]],
    year: int,
    months: range,
    budget: dict[str, int],
    projections: dict[str, Any],
) -> None:
    tr, lang = ctx.tr, ctx.lang
    has_before = any(r["tahun"] == year - 1 for r in monthly)
    total_budget = sum(budget.values()) if budget else None
    for key, group, name in (
        ("total", None, tr("Total subsidi", "Total subsidies")),
        ("energi", "energi", tr("Subsidi energi", "Energy subsidies")),
        ("nonenergi", "nonenergi", tr("Subsidi nonenergi", "Non-energy subsidies")),
    ):
        value = _sum(monthly, year, months, group)
        ceiling = total_budget if group is None else budget.get(group)
        board.kpis.append(
            Kpi(
                key,
                name,
                value,
                budget=ceiling,
                share=pct(value, ceiling),
                change=growth(value, _sum(monthly, year - 1, months, group))
                if has_before
                else None,
            )
        )
    for group in ("energi", "nonenergi"):
        p = projections.get(group)
        if p is None or not p.last_month or not budget.get(group) or p.last_month == 12:
            continue
        share = 100 * p.total / budget[group]
        if share > 100:
            board.alerts.append(
                Alert(
                    "danger",
                    tr(
                        f"Subsidi {tr(*GROUPS[group]).lower()} diproyeksikan {format_rupiah(p.total, lang)} ({format_percent(share, 1, lang)} pagu) pada akhir tahun.",
                        f"{tr(*GROUPS[group])} subsidies are projected (proyeksi) at {format_rupiah(p.total, lang)} ({format_percent(share, 1, lang)} of budget) by year end.",
                    ),
                    tr(
                        "Kendalikan volume (kuota BBM/LPG, penyaluran pupuk tepat sasaran) dan siapkan tambahan pagu.",
                        "Control volumes (fuel/LPG quotas, targeted fertilizer) and prepare a budget top-up.",
                    ),
                )
            )
        elif share < 85:
            board.alerts.append(
                Alert(
                    "warning",
                    tr(
                        f"Subsidi {tr(*GROUPS[group]).lower()} diproyeksikan hanya {format_percent(share, 1, lang)} dari pagu.",
                        f"{tr(*GROUPS[group])} subsidies are projected (proyeksi) at only {format_percent(share, 1, lang)} of budget.",
                    ),
                    tr(
                        "Periksa tagihan badan usaha yang tertunda dan percepat verifikasi.",
                        "Check pending operator claims and speed up their verification.",
                    ),
                )
            )
