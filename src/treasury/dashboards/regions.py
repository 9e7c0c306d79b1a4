"""Regional views: ``/regions/{province_code}`` (Kanwil) and ``/regions/kppn/{kppn_code}``.

Realization against the national picture (cumulative absorption by month), the top and bottom
satker by absorption, transfers to the region's local governments (``mart_tkd_bulanan``) and
Dana Desa by stage (``mart_dana_desa_tahap``). A province covers its satker and every Pemda whose
code starts with the province code; a KPPN covers the satker it pays and the kab/kota it serves.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from treasury.dashboards.board import Board, Context, Kpi, last_months, pct, start
from treasury.dashboards.expenditure import Absorption, absorption, absorption_bar
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
from treasury.dashboards.labels import TKD, label, month_name, names_of
from treasury.dashboards.source import lit
from treasury.reference import kppn, kppn_kabkota, pemda


@cache
def kppn_offices() -> dict[str, dict[str, Any]]:
    """KPPN code -> its reference row (name, province, kab/kota)."""
    return {r["kode_kppn"]: r for r in kppn().to_pylist()}


@cache
def _served(code: str) -> tuple[str, ...]:
    """The kab/kota codes a KPPN serves."""
    return tuple(
        sorted(r["kode_kabkota"] for r in kppn_kabkota().to_pylist() if r["kode_kppn"] == code)
    )


@cache
def _pemda_names() -> dict[str, str]:
    return {r["kode_pemda"]: r["nama"] for r in pemda().to_pylist()}


def _prefix(column: str, prefixes: list[str]) -> str:
    """``column`` starts with one of ``prefixes``, as ranges (DuckDB's zone maps can skip
    row groups of a table sorted by the column, which ``substr`` would not allow).

    Examples
    --------
    >>> _prefix("kode_desa", ["35"])
    "(kode_desa >= '35' and kode_desa < '36')"
    """
    ranges = [
        f"({column} >= {lit(p)} and {column} < {lit(p[:-1] + chr(ord(p[-1]) + 1))})"
        for p in prefixes
    ]
    return "(" + " or ".join(ranges) + ")" if len(ranges) > 1 else ranges[0]


def build_province(ctx: Context) -> Board:
    """The province page (``ctx.filters.province`` is set from the path)."""
    code = ctx.filters.province or "--"
    name = names_of("province").get(code, code)
    return _build(
        ctx,
        "region",
        ctx.tr(f"Wilayah: Provinsi {name}", f"Region: {name} province"),
        f"kode_provinsi = {lit(code)}",
        _prefix("kode_pemda", [code]),
        _prefix("kode_desa", [code]),
    )


def build_kppn(ctx: Context) -> Board:
    """The KPPN page (``ctx.filters.kppn`` is set from the path)."""
    code = ctx.filters.kppn or ""
    office = kppn_offices().get(code, {"nama": f"KPPN {code}"})
    served = _served(code) or ("--",)
    listed = ", ".join(lit(k) for k in served)
    return _build(
        ctx,
        "kppn",
        ctx.tr(f"Wilayah: {office['nama']}", f"Region: {office['nama']}"),
        f"kode_kppn = {lit(code)}",
        f"kode_pemda in ({listed})",
        _prefix("kode_desa", list(served)),
    )


def _build(
    ctx: Context, key: str, title: str, satker_scope: str, pemda_scope: str, desa_scope: str
) -> Board:
    tr = ctx.tr
    monthly = ctx.source.rows(
        f"""select tahun, bulan, ({satker_scope}) as lokal, sum(realisasi)::BIGINT as realisasi
        from belanja_satker_bulanan group by all order by tahun, bulan"""
    )
    months_seen = last_months(monthly)
    board, year, months = start(ctx, key, title, months_seen)
    if year not in months_seen:
        return board
    ceilings = {
        r["lokal"]: r["pagu"]
        for r in ctx.source.rows(
            f"""select lokal, sum(pagu)::BIGINT as pagu from (
                  select kode_satker, jenis_belanja, ({satker_scope}) as lokal, max(pagu) as pagu
                  from belanja_satker_bulanan where tahun = {lit(year)} group by all)
                group by lokal"""
        )
    }
    found = absorption(ctx, year, months, ends=10)
    board.figures.append(_against_national(ctx, monthly, ceilings, year, months))
    top, bottom = _satkers(ctx, found)
    board.figures += [top, bottom]
    tkd = ctx.source.rows(
        f"""select kode_pemda, jenis_tkd, sum(realisasi)::BIGINT as realisasi from tkd_bulanan
        where tahun = {lit(year)} and bulan between {lit(months.start)} and {lit(months.stop - 1)}
          and {pemda_scope}
        group by all order by kode_pemda, jenis_tkd"""
    )
    board.figures.append(_tkd(ctx, tkd))
    stages = ctx.source.rows(
        f"""select tahap, count(*)::BIGINT as desa, sum(realisasi)::BIGINT as realisasi,
               min(tanggal_salur) as mulai, max(tanggal_salur) as selesai
        from dana_desa_tahap where tahun = {lit(year)} and {desa_scope}
        group by tahap order by tahap"""
    )
    board.figures.append(_dana_desa(ctx, stages))
    local = found.total["realisasi"] or 0
    local_pagu = found.total["pagu"] or 0
    national = sum(r["realisasi"] for r in monthly if r["tahun"] == year and r["bulan"] in months)
    national_pagu = sum(ceilings.values())
    board.kpis = [
        Kpi(
            "realisasi",
            tr("Realisasi belanja K/L di wilayah", "Ministry spending in the region"),
            local,
            budget=local_pagu,
            share=pct(local, local_pagu),
        ),
        Kpi(
            "serapan_nasional",
            tr("Penyerapan nasional", "National absorption"),
            pct(national, national_pagu),
            unit="percent",
        ),
        Kpi(
            "porsi_nasional",
            tr("Porsi dari belanja nasional", "Share of national spending"),
            pct(local, national),
            unit="percent",
        ),
        Kpi(
            "tkd",
            tr("Transfer ke Pemda di wilayah", "Transfers to the region's Pemda"),
            sum(r["realisasi"] for r in tkd),
        ),
        Kpi(
            "dana_desa",
            tr("Dana Desa tersalur", "Dana Desa disbursed"),
            sum(r["realisasi"] for r in stages),
        ),
    ]
    return board


def _against_national(
    ctx: Context, monthly: list[dict[str, Any]], ceilings: dict[bool, int], year: int, months: range
) -> Figure:
    tr = ctx.tr
    real: dict[tuple[bool, int], int] = defaultdict(int)
    for r in monthly:
        if r["tahun"] == year and r["bulan"] in months:
            real[(r["lokal"], r["bulan"])] += r["realisasi"]
    rows: list[dict[str, Any]] = []
    running = {True: 0, False: 0}
    for m in months:
        if not any((lokal, m) in real for lokal in (True, False)):
            continue
        for lokal in (True, False):
            running[lokal] += real.get((lokal, m), 0)
        total_pagu = ceilings.get(True, 0) + ceilings.get(False, 0)
        rows.append(
            {
                "bulan": m,
                "serapan_wilayah": pct(running[True], ceilings.get(True)),
                "serapan_nasional": pct(running[True] + running[False], total_pagu),
            }
        )
    xs = [month_name(r["bulan"], ctx.lang) for r in rows]
    region = line(
        xs,
        [r["serapan_wilayah"] for r in rows],
        ctx.lang,
        tr("Wilayah", "Region"),
        BLUE,
        money=False,
    )
    nation = line(
        xs,
        [r["serapan_nasional"] for r in rows],
        ctx.lang,
        tr("Nasional", "National"),
        GREY,
        "dash",
        money=False,
    )
    return Figure(
        "vs_nasional",
        tr(
            "Penyerapan kumulatif: wilayah terhadap nasional (% pagu)",
            "Cumulative absorption: region against national (% of budget)",
        ),
        ctx.columns("bulan", "serapan_wilayah", "serapan_nasional"),
        rows,
        [region, nation],
        {"yaxis": {"ticksuffix": "%"}},
    )


def _satkers(ctx: Context, found: Absorption) -> tuple[Figure, Figure]:
    tr = ctx.tr
    ministries = names_of("ministry")

    def rows_of(satkers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "kode_satker": s["kode_satker"],
                "kode_ba": s["kode_ba"],
                "nama": ministries.get(s["kode_ba"], s["kode_ba"]),
                "pagu": s["pagu"],
                "realisasi": s["realisasi"],
                "persen": pct(s["realisasi"], s["pagu"]),
            }
            for s in satkers
        ]

    figures = []
    for figure_id, part, colour, title in (
        (
            "satker_teratas",
            rows_of(found.highest),
            GREEN,
            tr("10 satker dengan penyerapan tertinggi", "Top 10 satker by absorption"),
        ),
        (
            "satker_terbawah",
            rows_of(found.lowest),
            RED,
            tr("10 satker dengan penyerapan terendah", "Bottom 10 satker by absorption"),
        ),
    ):
        rows = list(reversed(part))
        figures.append(
            Figure(
                figure_id,
                title,
                ctx.columns("kode_satker", "kode_ba", "nama", "pagu", "realisasi", "persen"),
                rows,
                [
                    absorption_bar(
                        ctx, rows, [f"{r['kode_satker']} · {r['nama'][:28]}" for r in rows], colour
                    )
                ],
                {"height": 340, "xaxis": {"ticksuffix": "%"}},
            )
        )
    return figures[0], figures[1]


def _tkd(ctx: Context, tkd: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    names = _pemda_names()
    rows = [{**r, "nama": names.get(r["kode_pemda"], r["kode_pemda"])} for r in tkd]
    order = sorted({r["kode_pemda"] for r in rows})
    colours = [BLUE, GREEN, ORANGE, RED, GREY, PAST[0], PAST[2]]
    traces = []
    for i, kind in enumerate(TKD):
        part = {r["kode_pemda"]: r["realisasi"] for r in rows if r["jenis_tkd"] == kind}
        if part:
            traces.append(
                plain_bar(
                    label(TKD, kind, ctx.lang),
                    [names.get(p, p) for p in order],
                    [part.get(p, 0) for p in order],
                    colours[i % len(colours)],
                )
            )
    totals: dict[str, int] = defaultdict(int)
    for r in rows:
        totals[r["kode_pemda"]] += r["realisasi"]
    return Figure(
        "tkd_pemda",
        tr("Transfer ke daerah per Pemda dan jenis", "Transfers to each local government by type"),
        ctx.columns("kode_pemda", "nama", "jenis_tkd", "realisasi"),
        rows,
        traces,
        {
            "barmode": "stack",
            "height": 400,
            "yaxis": money_axis(list(totals.values()), ctx.lang),
            "xaxis": {"tickangle": -40},
        },
    )


def _dana_desa(ctx: Context, stages: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    rows = [
        {
            "tahap": r["tahap"],
            "desa": r["desa"],
            "realisasi": r["realisasi"],
            "mulai": r["mulai"].isoformat() if r["mulai"] else None,
            "selesai": r["selesai"].isoformat() if r["selesai"] else None,
        }
        for r in stages
    ]
    xs = [tr(f"Tahap {r['tahap']}", f"Stage {r['tahap']}") for r in rows]
    return Figure(
        "dana_desa",
        tr("Penyaluran Dana Desa per tahap", "Dana Desa disbursement by stage"),
        ctx.columns("tahap", "desa", "realisasi", "mulai", "selesai"),
        rows,
        [
            plain_bar(
                tr("Realisasi", "Disbursed"),
                xs,
                [r["realisasi"] for r in rows],
                GREEN,
                text=[f"{r['desa']} desa" for r in rows],
                textposition="auto",
            ),
        ],
        {"yaxis": money_axis([r["realisasi"] for r in rows], ctx.lang)},
    )
