"""The leadership dashboard of APBN realization (``/dashboards/apbn``).

Descriptive: year-to-date revenue, spending, deficit, primary balance and financing against the
budget and the same period last year; cumulative curves (this year against the last three);
spending by economic type and by ministry (top 15); TKD by type; revenue by type; deficit as %
of GDP against the 3% limit; a drill-down from national to province, kab/kota and satker.
Predictive: year-end projections (:mod:`treasury.dashboards.projection`): revenue follows the
ML revenue model's published forecast (dataset ``proyeksi-pendapatan-ml``, with its 80% band)
when one covers the year, else the seasonal method, as spending always does; each is labelled.
Prescriptive: alerts with a suggested action.

Posture numbers read ``mart_apbn_bulanan`` (dataset ``realisasi-apbn-bulanan``); ministry and
region figures read ``mart_belanja_satker_bulanan``; TKD reads ``mart_tkd_bulanan``; the
revenue forecast reads ``mart_proyeksi_pendapatan``, which ``treasury models train
forecasting`` publishes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from treasury.dashboards.board import Alert, Board, Context, Kpi, growth, pct, start
from treasury.dashboards.figures import (
    BLUE,
    GREY,
    ORANGE,
    PAST,
    RED,
    Figure,
    bar,
    line,
    money_axis,
)
from treasury.dashboards.labels import (
    JENIS_BELANJA,
    KELOMPOK,
    TKD,
    gdp_trillion,
    label,
    month_name,
    names_of,
)
from treasury.dashboards.projection import (
    MODEL,
    Projection,
    project_with_forecast,
    project_year_end,
    seasonal_norm,
)
from treasury.dashboards.source import lit
from treasury.i18n import format_percent, format_rupiah

DEFICIT_LIMIT_PCT = 3.0
#: A ministry is flagged when its absorption is below this fraction of the seasonal norm.
ABSORPTION_ALERT = 0.8
#: Revenue is flagged when it is more than this many points below its seasonal trajectory.
REVENUE_GAP_PP = 3.0

POSTURE_SQL = """
select tahun, bulan, pos, kelompok, subkelompok,
       sum(pagu)::BIGINT as pagu, sum(realisasi)::BIGINT as realisasi
from realisasi_apbn_bulanan
group by all
"""


def forecast_sql(year: int) -> str:
    """The published ML forecast of total revenue for ``year`` (no rows if none)."""
    return (
        "select bulan, proyeksi, bawah_80, atas_80, versi_model, dilatih_pada, data_sampai "
        f"from proyeksi_pendapatan_ml where kelompok = 'total' and tahun = {lit(year)} "
        "order by bulan"
    )


class Posture:
    """The APBN mart folded for quick lookups: rows by (year, pos)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self._by: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            self._by[(r["tahun"], r["pos"])].append(r)
        self._years = sorted({r["tahun"] for r in rows})

    def _rows(self, year: int, pos: str, kelompok: str | None) -> list[dict[str, Any]]:
        rows = self._by.get((year, pos), [])
        return rows if kelompok is None else [r for r in rows if r["kelompok"] == kelompok]

    def years(self) -> list[int]:
        """Years with data, ascending."""
        return self._years

    def last_month(self, year: int) -> int:
        """The last month of ``year`` with data (0 if none)."""
        return max(
            (
                r["bulan"]
                for pos in ("pendapatan", "belanja")
                for r in self._by.get((year, pos), [])
            ),
            default=0,
        )

    def realised(
        self, year: int, months: Iterable[int], pos: str, kelompok: str | None = None
    ) -> int:
        """Sum of realization for ``pos`` (and ``kelompok``) over ``months`` of ``year``."""
        wanted = set(months)
        return sum(r["realisasi"] for r in self._rows(year, pos, kelompok) if r["bulan"] in wanted)

    def budget(self, year: int, pos: str, kelompok: str | None = None) -> int:
        """The annual ceiling (``pagu`` is repeated on each month: taken once per subgroup)."""
        ceilings: dict[tuple[str, str], int] = {}
        for r in self._rows(year, pos, kelompok):
            key = (r["kelompok"], r["subkelompok"])
            ceilings[key] = max(ceilings.get(key, 0), r["pagu"] or 0)
        return sum(ceilings.values())

    def monthly(self, year: int, pos: str, kelompok: str | None = None) -> dict[int, float]:
        """Realization per month of ``year``."""
        out: dict[int, float] = defaultdict(float)
        for r in self._rows(year, pos, kelompok):
            out[r["bulan"]] += r["realisasi"]
        return dict(out)

    def groups(self, year: int, months: Iterable[int], pos: str, by: str) -> list[dict[str, Any]]:
        """Realization over ``months`` and annual ceiling per ``by`` (kelompok or subkelompok)."""
        wanted = set(months)
        real: dict[str, int] = defaultdict(int)
        ceilings: dict[tuple[str, str], int] = {}
        for r in self._rows(year, pos, None):
            key = r[by]
            if r["bulan"] in wanted:
                real[key] += r["realisasi"]
            sub = (r["kelompok"], r["subkelompok"])
            ceilings[sub] = max(ceilings.get(sub, 0), r["pagu"] or 0)
            real.setdefault(key, 0)
        budget: dict[str, int] = defaultdict(int)
        for (group, subgroup), value in ceilings.items():
            budget[group if by == "kelompok" else subgroup] += value
        return [{"kode": k, "realisasi": v, "pagu": budget.get(k, 0)} for k, v in real.items()]


def _history(posture: Posture, year: int, pos: str) -> dict[int, dict[int, float]]:
    return {
        y: posture.monthly(y, pos)
        for y in range(year - 3, year)
        if y in posture.years() and posture.last_month(y) == 12
    }


def build(ctx: Context) -> Board:
    """The APBN dashboard for the context's filters."""
    tr = ctx.tr
    posture = Posture(ctx.source.rows(POSTURE_SQL))
    board, year, months = start(
        ctx,
        "apbn",
        tr("Realisasi APBN", "APBN realization"),
        {y: posture.last_month(y) for y in posture.years()},
    )
    if year not in posture.years():
        return board
    month_to = months.stop - 1
    _kpis(ctx, board, posture, year, months)
    proj = {
        pos: project_year_end(
            {m: v for m, v in posture.monthly(year, pos).items() if m <= month_to},
            _history(posture, year, pos),
        )
        for pos in ("pendapatan", "belanja")
    }
    model = _model_projection(ctx, posture, year, month_to, proj["pendapatan"].norm)
    if model is not None:
        proj["pendapatan"] = model
    _landing_kpi(ctx, board, posture, year, proj["pendapatan"])
    board.figures.append(_cumulative(ctx, posture, year, month_to, "belanja", proj["belanja"]))
    board.figures.append(
        _cumulative(ctx, posture, year, month_to, "pendapatan", proj["pendapatan"])
    )
    board.figures.append(_deficit_gdp(ctx, posture, year, month_to, proj))
    board.figures.append(_by_group(ctx, posture, year, months, "belanja", "kelompok"))
    board.figures.append(_by_group(ctx, posture, year, months, "pendapatan", "subkelompok"))
    ministries = _ministry_rows(ctx, year, months)
    board.figures.append(_ministries(ctx, ministries))
    board.figures.append(_tkd(ctx, posture, year, months))
    board.figures.append(_drill(ctx, board, year, months))
    _alerts(ctx, board, posture, year, month_to, proj, ministries)
    board.options["ministry"] = sorted(
        ((m["kode_ba"], f"{m['kode_ba']} {m['nama']}") for m in ministries), key=lambda o: o[0]
    )
    return board


def _model_projection(
    ctx: Context, posture: Posture, year: int, month_to: int, norm: dict[int, float]
) -> Projection | None:
    """Revenue projected with the published ML forecast, or None (none covers the cutoff)."""
    rows = ctx.source.optional_rows(forecast_sql(year))  # a retired forecast: seasonal
    if not rows:
        return None
    forecast = {
        int(r["bulan"]): {k: float(r[k]) for k in ("proyeksi", "bawah_80", "atas_80")} for r in rows
    }
    actual = {m: v for m, v in posture.monthly(year, "pendapatan").items() if m <= month_to}
    return project_with_forecast(actual, forecast, norm, rows[0])


def method_label(ctx: Context, proj: Projection) -> str:
    """How a projection was made, for legends and notes."""
    tr = ctx.tr
    if proj.method != MODEL:
        return tr("proyeksi musiman", "seasonal projection (proyeksi musiman)")
    as_of = proj.as_of.isoformat() if proj.as_of else "-"
    return tr(
        f"proyeksi model ML versi {proj.model_version}, data s.d. {as_of}",
        f"ML model projection (proyeksi model ML) version {proj.model_version}, data to {as_of}",
    )


def _landing_kpi(ctx: Context, board: Board, posture: Posture, year: int, proj: Projection) -> None:
    """The year-end revenue landing as a headline number (only while the year is open)."""
    if not proj.last_month or proj.last_month == 12:
        return
    tr = ctx.tr
    budget = posture.budget(year, "pendapatan")
    note = method_label(ctx, proj)
    if proj.method == MODEL:
        low, high = proj.band[12]
        note += tr(
            f"; rentang 80%: {format_rupiah(low, ctx.lang)} – {format_rupiah(high, ctx.lang)}",
            f"; 80% range: {format_rupiah(low, ctx.lang)} – {format_rupiah(high, ctx.lang)}",
        )
    board.kpis.append(
        Kpi(
            "proyeksi_pendapatan",
            tr("Proyeksi pendapatan akhir tahun", "Year-end revenue projection"),
            round(proj.total),
            budget=budget,
            share=pct(proj.total, budget),
            note=note,
        )
    )


# -- headline numbers ------------------------------------------------------------------------


def _kpis(ctx: Context, board: Board, posture: Posture, year: int, months: range) -> None:
    tr = ctx.tr
    now = {pos: posture.realised(year, months, pos) for pos in ("pendapatan", "belanja")}
    before = {pos: posture.realised(year - 1, months, pos) for pos in ("pendapatan", "belanja")}
    pagu = {pos: posture.budget(year, pos) for pos in ("pendapatan", "belanja", "pembiayaan")}
    interest = posture.realised(year, months, "belanja", "bunga")
    interest_before = posture.realised(year - 1, months, "belanja", "bunga")
    financing = posture.realised(year, months, "pembiayaan")
    financing_before = posture.realised(year - 1, months, "pembiayaan")
    deficit = now["belanja"] - now["pendapatan"]
    deficit_before = before["belanja"] - before["pendapatan"]
    primary = now["pendapatan"] - now["belanja"] + interest
    primary_before = before["pendapatan"] - before["belanja"] + interest_before
    deficit_budget = pagu["belanja"] - pagu["pendapatan"]
    primary_budget = pagu["pendapatan"] - pagu["belanja"] + posture.budget(year, "belanja", "bunga")
    has_before = year - 1 in posture.years()

    def kpi(id_: str, name: str, value: int, budget: int, prior: int) -> Kpi:
        return Kpi(
            id_,
            name,
            value,
            budget=budget,
            share=pct(value, budget),
            change=growth(value, prior) if has_before else None,
        )

    board.kpis = [
        kpi(
            "pendapatan",
            tr("Pendapatan", "Revenue"),
            now["pendapatan"],
            pagu["pendapatan"],
            before["pendapatan"],
        ),
        kpi(
            "belanja", tr("Belanja", "Spending"), now["belanja"], pagu["belanja"], before["belanja"]
        ),
        kpi("defisit", tr("Defisit", "Deficit"), deficit, deficit_budget, deficit_before),
        kpi(
            "keseimbangan_primer",
            tr("Keseimbangan primer", "Primary balance"),
            primary,
            primary_budget,
            primary_before,
        ),
        kpi(
            "pembiayaan",
            tr("Pembiayaan", "Financing"),
            financing,
            pagu["pembiayaan"],
            financing_before,
        ),
    ]
    gdp = gdp_trillion(year) * 1e12
    board.kpis.append(
        Kpi(
            "defisit_pdb",
            tr("Defisit terhadap PDB", "Deficit to GDP"),
            round(100 * deficit / gdp, 2),
            unit="percent",
            budget=DEFICIT_LIMIT_PCT,
            note=tr(f"batas {DEFICIT_LIMIT_PCT:g}% PDB", f"limit {DEFICIT_LIMIT_PCT:g}% of GDP"),
        )
    )


# -- figures ---------------------------------------------------------------------------------


def _cumulative(
    ctx: Context, posture: Posture, year: int, month_to: int, pos: str, proj: Any
) -> Figure:
    tr = ctx.tr
    rows: list[dict[str, Any]] = []
    for y in range(year - 3, year + 1):
        monthly = posture.monthly(y, pos)
        running = 0.0
        for m in range(1, 13):
            if m not in monthly or (y == year and m > month_to):
                break
            running += monthly[m]
            rows.append({"tahun": y, "bulan": m, "jenis": "realisasi", "kumulatif": int(running)})
    model = proj.method == MODEL
    if proj.last_month:
        for m in range(proj.last_month + 1, 13):
            row = {
                "tahun": year,
                "bulan": m,
                "jenis": "proyeksi",
                "kumulatif": int(proj.cumulative[m]),
            }
            if model:
                row["bawah_80"], row["atas_80"] = (int(v) for v in proj.band[m])
            rows.append(row)
    traces = []
    colours = {year - 3: PAST[0], year - 2: PAST[1], year - 1: PAST[2], year: BLUE}
    for y in range(year - 3, year + 1):
        part = [r for r in rows if r["tahun"] == y and r["jenis"] == "realisasi"]
        if part:
            traces.append(
                line(
                    [month_name(r["bulan"], ctx.lang) for r in part],
                    [r["kumulatif"] for r in part],
                    ctx.lang,
                    str(y),
                    colours[y],
                )
            )
    ahead = [r for r in rows if r["jenis"] == "proyeksi"]
    note = None
    if ahead:
        anchor = [r for r in rows if r["tahun"] == year and r["jenis"] == "realisasi"][-1:]
        xs = [month_name(r["bulan"], ctx.lang) for r in anchor + ahead]
        if model:
            traces.extend(_band(ctx, xs, anchor, ahead))
        label = "proyeksi model ML" if model else "proyeksi musiman"
        traces.append(
            line(
                xs,
                [r["kumulatif"] for r in anchor + ahead],
                ctx.lang,
                tr(f"{year} {label}", f"{year} projection ({label})"),
                ORANGE,
                dash="dash",
            )
        )
        note = (
            tr(
                f"Garis putus-putus: {method_label(ctx, proj)} (dilatih {_trained(proj)}); area: rentang 80%.",
                f"Dashed: {method_label(ctx, proj)} (trained {_trained(proj)}); shaded: 80% range.",
            )
            if model
            else tr(
                "Garis putus-putus: proyeksi musiman sampai akhir tahun (rata-rata pola tiga tahun sebelumnya).",
                "Dashed: seasonal projection (proyeksi musiman) to year end (mean pattern of the three years before).",
            )
        )
    name = tr("Belanja", "Spending") if pos == "belanja" else tr("Pendapatan", "Revenue")
    columns = ["tahun", "bulan", "jenis", "kumulatif"] + (["bawah_80", "atas_80"] if model else [])
    return Figure(
        f"kumulatif_{pos}",
        tr(
            f"{name} kumulatif: {year} dan tiga tahun sebelumnya",
            f"Cumulative {name.lower()}: {year} and the three years before",
        ),
        ctx.columns(*columns),
        rows,
        traces,
        {
            "yaxis": money_axis(
                [r["kumulatif"] for r in rows] + [r.get("atas_80") or 0 for r in rows], ctx.lang
            )
        },
        note=note,
    )


def _trained(proj: Projection) -> str:
    return f"{proj.trained_at:%Y-%m-%d %H:%M} UTC" if proj.trained_at else "-"


def _band(
    ctx: Context, xs: list[str], anchor: list[dict[str, Any]], ahead: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The 80% band of a model projection: its lower bound, then the upper filled down to it
    (both start at the last actual month, like the projection line)."""
    tr = ctx.tr
    low = [r["kumulatif"] for r in anchor] + [r["bawah_80"] for r in ahead]
    high = [r["kumulatif"] for r in anchor] + [r["atas_80"] for r in ahead]
    name = tr("rentang 80% proyeksi model ML", "80% range (proyeksi model ML)")
    lower = line(xs, low, ctx.lang, name, ORANGE)
    upper = line(xs, high, ctx.lang, name, ORANGE)
    for trace in (lower, upper):
        trace.update(mode="lines", line={"color": ORANGE, "width": 0}, legendgroup="band80")
    lower["showlegend"] = False
    upper.update(fill="tonexty", fillcolor="rgba(230, 145, 56, 0.25)")
    return [lower, upper]


def _deficit_gdp(
    ctx: Context, posture: Posture, year: int, month_to: int, proj: dict[str, Any]
) -> Figure:
    tr = ctx.tr
    gdp = gdp_trillion(year) * 1e12
    rev, spend = posture.monthly(year, "pendapatan"), posture.monthly(year, "belanja")
    rows: list[dict[str, Any]] = []
    r_cum = s_cum = 0.0
    for m in range(1, month_to + 1):
        if m not in spend and m not in rev:
            break
        r_cum += rev.get(m, 0)
        s_cum += spend.get(m, 0)
        deficit = int(s_cum - r_cum)
        rows.append(
            {
                "bulan": m,
                "jenis": "realisasi",
                "defisit": deficit,
                "persen_pdb": round(100 * deficit / gdp, 3),
            }
        )
    last = rows[-1]["bulan"] if rows else 0
    for m in range(last + 1, 13):
        if proj["belanja"].last_month and proj["pendapatan"].last_month:
            deficit = int(
                proj["belanja"].cumulative.get(m, 0) - proj["pendapatan"].cumulative.get(m, 0)
            )
            rows.append(
                {
                    "bulan": m,
                    "jenis": "proyeksi",
                    "defisit": deficit,
                    "persen_pdb": round(100 * deficit / gdp, 3),
                }
            )
    actual = [r for r in rows if r["jenis"] == "realisasi"]
    ahead = [r for r in rows if r["jenis"] == "proyeksi"]
    traces = [
        {
            "type": "bar",
            "name": tr("Defisit kumulatif (% PDB)", "Cumulative deficit (% of GDP)"),
            "x": [month_name(r["bulan"], ctx.lang) for r in actual],
            "y": [r["persen_pdb"] for r in actual],
            "marker": {"color": BLUE},
        }
    ]
    if ahead:
        traces.append(
            {
                "type": "bar",
                "name": tr("Proyeksi", "Projection (proyeksi)"),
                "x": [month_name(r["bulan"], ctx.lang) for r in ahead],
                "y": [r["persen_pdb"] for r in ahead],
                "marker": {"color": ORANGE, "opacity": 0.6},
            }
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": tr("Batas 3% PDB", "3% of GDP limit"),
            "x": [month_name(m, ctx.lang) for m in range(1, 13)],
            "y": [DEFICIT_LIMIT_PCT] * 12,
            "line": {"color": RED, "dash": "dot"},
        }
    )
    return Figure(
        "defisit_pdb",
        tr(
            f"Defisit terhadap PDB {year} dan batas 3%",
            f"Deficit to GDP {year} against the 3% limit",
        ),
        ctx.columns("bulan", "jenis", "defisit", "persen_pdb"),
        rows,
        traces,
        {"yaxis": {"ticksuffix": "%"}, "barmode": "group"},
        note=tr(
            f"PDB nominal {year}: Rp {gdp_trillion(year):,.1f} T (data referensi; tahun tanpa realisasi PDB diperkirakan dari asumsi makro).",
            f"Nominal GDP {year}: Rp {gdp_trillion(year):,.1f} T (reference facts; years without published GDP are estimated from the macro assumptions).",
        ),
    )


def _by_group(
    ctx: Context, posture: Posture, year: int, months: range, pos: str, by: str
) -> Figure:
    tr = ctx.tr
    groups = posture.groups(year, months, pos, by)
    rows = sorted(
        (
            {
                "kode": g["kode"],
                "nama": label(KELOMPOK, g["kode"], ctx.lang),
                "pagu": g["pagu"],
                "realisasi": g["realisasi"],
                "persen": pct(g["realisasi"], g["pagu"]),
            }
            for g in groups
        ),
        key=lambda r: r["realisasi"],
    )
    is_spending = pos == "belanja"
    return Figure(
        "belanja_jenis" if is_spending else "pendapatan_jenis",
        tr("Belanja menurut jenis", "Spending by economic type")
        if is_spending
        else tr("Pendapatan menurut jenis", "Revenue by type"),
        ctx.columns("kode", "nama", "pagu", "realisasi", "persen"),
        rows,
        [
            bar(rows, "nama", "pagu", ctx.lang, tr("Pagu", "Budget"), GREY, horizontal=True),
            bar(
                rows,
                "nama",
                "realisasi",
                ctx.lang,
                tr("Realisasi", "Realization"),
                BLUE,
                horizontal=True,
            ),
        ],
        {
            "barmode": "overlay",
            "xaxis": money_axis(
                [r["pagu"] for r in rows] + [r["realisasi"] for r in rows], ctx.lang
            ),
            "margin": {"l": 120, "r": 20, "t": 30, "b": 40},
        },
    )


def _where(ctx: Context, year: int, months: range, alias: str = "") -> str:
    p = f"{alias}." if alias else ""
    f = ctx.filters
    parts = [
        f"{p}tahun = {lit(year)}",
        f"{p}bulan between {lit(months.start)} and {lit(months.stop - 1)}",
    ]
    for column, value in (
        ("kode_ba", f.ministry),
        ("kode_provinsi", f.province),
        ("kode_kabkota", f.kabkota),
        ("kode_satker", f.satker),
        ("kode_kppn", f.kppn),
    ):
        if value:
            parts.append(f"{p}{column} = {lit(value)}")
    return " and ".join(parts)


def _ministry_rows(ctx: Context, year: int, months: range) -> list[dict[str, Any]]:
    """Realization over the months and annual ceiling per ministry (region filters apply)."""
    f = ctx.filters.with_(ministry=None)
    ceiling = _where(Context(ctx.source, f, ctx.lang), year, range(1, 13))
    sql = f"""
    select kode_ba, sum(pagu)::BIGINT as pagu, sum(realisasi)::BIGINT as realisasi from (
      select kode_ba, kode_satker, jenis_belanja, max(pagu) as pagu,
             coalesce(sum(realisasi) filter (where bulan between {lit(months.start)}
                      and {lit(months.stop - 1)}), 0) as realisasi
      from belanja_satker_bulanan where {ceiling} group by all)
    group by kode_ba order by realisasi desc, kode_ba
    """
    rows = ctx.source.rows(sql)
    names = names_of("ministry")
    for row in rows:
        row["nama"] = names.get(row["kode_ba"], row["kode_ba"])
    return rows


def _ministries(ctx: Context, ministries: list[dict[str, Any]]) -> Figure:
    tr = ctx.tr
    top = ministries[:15]
    rows = [
        {
            "kode_ba": m["kode_ba"],
            "nama": m["nama"],
            "pagu": m["pagu"],
            "realisasi": m["realisasi"],
            "persen": pct(m["realisasi"], m["pagu"]),
        }
        for m in reversed(top)
    ]
    chosen = ctx.filters.ministry
    colours = [ORANGE if r["kode_ba"] == chosen else BLUE for r in rows]
    real = bar(
        rows, "nama", "realisasi", ctx.lang, tr("Realisasi", "Realization"), BLUE, "kode_ba", True
    )
    real["marker"] = {"color": colours}
    return Figure(
        "belanja_kl",
        tr(
            "15 K/L dengan realisasi terbesar (klik untuk menyaring)",
            "Top 15 ministries by realization (click to filter)",
        ),
        ctx.columns("kode_ba", "nama", "pagu", "realisasi", "persen"),
        rows,
        [bar(rows, "nama", "pagu", ctx.lang, tr("Pagu", "Budget"), GREY, "kode_ba", True), real],
        {
            "barmode": "overlay",
            "height": 420,
            "xaxis": money_axis([r["pagu"] for r in rows], ctx.lang),
            "margin": {"l": 120, "r": 20, "t": 30, "b": 40},
        },
        drill="ministry",
    )


def _tkd(ctx: Context, posture: Posture, year: int, months: range) -> Figure:
    tr = ctx.tr
    province = ctx.filters.province or (ctx.filters.kabkota or "")[:2] or None
    if province is None:
        groups = posture.groups(year, months, "belanja", "subkelompok")
        ceilings = {g["kode"]: g["pagu"] for g in groups}
        real = {g["kode"]: g["realisasi"] for g in groups}
        rows = [
            {
                "jenis_tkd": k,
                "nama": label(TKD, k, ctx.lang),
                "pagu": ceilings.get(k),
                "realisasi": real.get(k, 0),
            }
            for k in TKD
            if k in real
        ]
    else:
        pemda = lit(ctx.filters.kabkota) if ctx.filters.kabkota else None
        where = f"kode_pemda = {pemda}" if pemda else f"substr(kode_pemda, 1, 2) = {lit(province)}"
        found = ctx.source.rows(
            f"""select jenis_tkd, sum(realisasi)::BIGINT as realisasi from tkd_bulanan
            where tahun = {lit(year)} and bulan between {lit(months.start)} and {lit(months.stop - 1)}
              and {where} group by jenis_tkd"""
        )
        real = {r["jenis_tkd"]: r["realisasi"] for r in found}
        rows = [
            {"jenis_tkd": k, "nama": label(TKD, k, ctx.lang), "pagu": None, "realisasi": real[k]}
            for k in TKD
            if k in real
        ]
    traces = []
    if any(r["pagu"] for r in rows):
        traces.append(bar(rows, "nama", "pagu", ctx.lang, tr("Pagu", "Budget"), GREY))
    traces.append(bar(rows, "nama", "realisasi", ctx.lang, tr("Realisasi", "Realization"), BLUE))
    where_text = (
        tr("nasional", "national")
        if province is None
        else tr(f"provinsi {province}", f"province {province}")
    )
    return Figure(
        "tkd_jenis",
        tr(
            f"Transfer ke daerah menurut jenis ({where_text})",
            f"Transfers to regions by type ({where_text})",
        ),
        ctx.columns("jenis_tkd", "nama", "pagu", "realisasi"),
        rows,
        traces,
        {
            "barmode": "group",
            "yaxis": money_axis([r["pagu"] or r["realisasi"] for r in rows], ctx.lang),
        },
    )


def _drill(ctx: Context, board: Board, year: int, months: range) -> Figure:
    """Spending by province -> kab/kota -> satker -> economic type, by clicking a bar."""
    tr = ctx.tr
    f = ctx.filters
    where = _where(ctx, year, months, "b")
    join, name = "", "null"
    if f.satker:
        key, drill = "jenis_belanja", None
        title = tr(
            f"Satker {f.satker}: belanja menurut jenis",
            f"Satker {f.satker}: spending by economic type",
        )
    elif f.kabkota:
        key, drill = "kode_satker", "satker"
        join, name = "left join daftar_satker n on n.kode_satker = b.kode_satker", "n.nama_satker"
        place = names_of("kabkota").get(f.kabkota, f.kabkota)
        title = tr(
            f"Belanja per satker di {place} (klik satker)",
            f"Spending by satker in {place} (click a satker)",
        )
    elif f.province:
        key, drill = "kode_kabkota", "kabkota"
        place = names_of("province").get(f.province, f.province)
        title = tr(
            f"Belanja per kab/kota di {place} (klik kab/kota)",
            f"Spending by kab/kota in {place} (click one)",
        )
    else:
        key, drill = "kode_provinsi", "province"
        title = tr(
            "Belanja K/L per provinsi (klik provinsi untuk turun ke kab/kota)",
            "Ministry spending by province (click to drill down)",
        )
    rows = ctx.source.rows(
        f"""select b.{key} as kode, any_value({name}) as nama, sum(b.realisasi)::BIGINT as realisasi
        from belanja_satker_bulanan b {join}
        where {where} group by b.{key} order by realisasi desc, kode limit 40"""
    )
    for r in rows:
        if key == "jenis_belanja":
            r["nama"] = label(JENIS_BELANJA, r["kode"], ctx.lang)
        elif key in ("kode_provinsi", "kode_kabkota"):
            r["nama"] = names_of(key[5:].replace("provinsi", "province")).get(r["kode"], r["kode"])
        else:
            r["nama"] = r["nama"] or r["kode"]
    rows.reverse()
    crumbs = [
        (tr("Nasional", "National"), f.with_(province=None, kabkota=None, satker=None).query())
    ]
    if f.province:
        crumbs.append((f.province, f.with_(kabkota=None, satker=None).query()))
    if f.kabkota:
        crumbs.append((f.kabkota, f.with_(satker=None).query()))
    if f.satker:
        crumbs.append((f.satker, f.query()))
    board.crumbs = crumbs
    return Figure(
        "wilayah",
        title,
        ctx.columns("kode", "nama", "realisasi"),
        rows,
        [
            bar(
                rows,
                "nama",
                "realisasi",
                ctx.lang,
                tr("Realisasi", "Realization"),
                BLUE,
                "kode",
                True,
            )
        ],
        {
            "height": max(300, 22 * len(rows) + 60),
            "xaxis": money_axis([r["realisasi"] for r in rows], ctx.lang),
            "margin": {"l": 120, "r": 20, "t": 30, "b": 40},
        },
        drill=drill,
    )


# -- alerts ----------------------------------------------------------------------------------


def _alerts(
    ctx: Context,
    board: Board,
    posture: Posture,
    year: int,
    month_to: int,
    proj: dict[str, Any],
    ministries: list[dict[str, Any]],
) -> None:
    tr = ctx.tr
    lang = ctx.lang
    spend_norm = seasonal_norm(_history(posture, year, "belanja"))[month_to]
    rev_norm = seasonal_norm(_history(posture, year, "pendapatan"))[month_to]
    flagged = [
        m
        for m in ministries
        if m["pagu"] and m["realisasi"] / m["pagu"] < ABSORPTION_ALERT * spend_norm
    ]
    flagged.sort(key=lambda m: m["realisasi"] / m["pagu"])
    for m in flagged[:5]:
        share = 100 * m["realisasi"] / m["pagu"]
        board.alerts.append(
            Alert(
                "warning",
                tr(
                    f"{m['nama']}: penyerapan {format_percent(share, 1, lang)} dari pagu, di bawah pola musiman {format_percent(100 * spend_norm, 1, lang)} untuk bulan ini.",
                    f"{m['nama']}: absorption {format_percent(share, 1, lang)} of budget, below the seasonal norm of {format_percent(100 * spend_norm, 1, lang)} for this month.",
                ),
                tr(
                    "Minta rencana penarikan dana K/L, percepat lelang dan tinjau blokir/revisi DIPA.",
                    "Ask the ministry for its disbursement plan, speed up procurement and review DIPA blocks or revisions.",
                ),
            )
        )
    revenue_budget = posture.budget(year, "pendapatan")
    revenue = posture.realised(year, range(1, month_to + 1), "pendapatan")
    if revenue_budget:
        share = 100 * revenue / revenue_budget
        if share < 100 * rev_norm - REVENUE_GAP_PP:
            board.alerts.append(
                Alert(
                    "danger",
                    tr(
                        f"Pendapatan baru {format_percent(share, 1, lang)} dari target, di bawah lintasan musiman {format_percent(100 * rev_norm, 1, lang)}.",
                        f"Revenue is {format_percent(share, 1, lang)} of target, below its seasonal trajectory of {format_percent(100 * rev_norm, 1, lang)}.",
                    ),
                    tr(
                        "Intensifikasi penagihan dan pengawasan pajak; siapkan skenario pembiayaan tambahan.",
                        "Step up tax collection and compliance; prepare an additional financing scenario.",
                    ),
                )
            )
    gdp = gdp_trillion(year) * 1e12
    if proj["belanja"].last_month and proj["pendapatan"].last_month:
        projected = 100 * (proj["belanja"].total - proj["pendapatan"].total) / gdp
        if projected > DEFICIT_LIMIT_PCT:
            board.alerts.append(
                Alert(
                    "danger",
                    tr(
                        f"Proyeksi defisit akhir tahun {format_percent(projected, 2, lang)} PDB melampaui batas 3%.",
                        f"The year-end deficit projection (proyeksi) of {format_percent(projected, 2, lang)} of GDP exceeds the 3% limit.",
                    ),
                    tr(
                        "Tinjau prioritas belanja (automatic adjustment) dan optimalkan penerimaan.",
                        "Review spending priorities (automatic adjustment) and optimise revenue.",
                    ),
                )
            )
        board.notes.append(
            tr(
                f"Proyeksi akhir tahun: pendapatan {format_rupiah(proj['pendapatan'].total, lang)} ({method_label(ctx, proj['pendapatan'])}), belanja {format_rupiah(proj['belanja'].total, lang)} (proyeksi musiman), defisit {format_percent(projected, 2, lang)} PDB.",
                f"Year-end projection (proyeksi): revenue {format_rupiah(proj['pendapatan'].total, lang)} ({method_label(ctx, proj['pendapatan'])}), spending {format_rupiah(proj['belanja'].total, lang)} (seasonal), deficit {format_percent(projected, 2, lang)} of GDP.",
            )
        )
