"""A figure: the rows it shows and the plotly spec drawn from exactly those rows.

A :class:`Figure` keeps its data as a small table (``columns`` and ``rows``); its plotly traces
are built from those rows, so the "download data" CSV/XLSX and the "open in API" JSON give the
numbers the chart draws. Money stays in rupiah (integers); axes are labelled in Rp T and hover
texts use the Indonesian (or English) rupiah format.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from treasury.i18n import format_number, format_rupiah

#: Colours: realization, budget/ceiling, earlier years, projection, warning.
BLUE, GREY, ORANGE, RED, GREEN = "#1f4e79", "#a6a6a6", "#e69138", "#c0392b", "#2e7d32"
PAST = ("#9dc3e6", "#6fa8dc", "#3d85c6")


@dataclass(frozen=True)
class Column:
    """A data column: its name in downloads and its label on screen."""

    name: str
    label: str


@dataclass
class Figure:
    """One chart of a dashboard.

    Attributes
    ----------
    id
        Stable id used in URLs (``/dashboards/apbn/figures/<id>.csv``).
    title
        The heading shown above the chart.
    columns, rows
        The numbers shown, one dict per row keyed by column name.
    traces, layout
        The plotly spec (built from ``rows``).
    drill
        Query parameter a click on a mark sets (its value is the mark's ``customdata``), or None.
    note
        A line under the chart (e.g. which part is a projection).
    """

    id: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    traces: list[dict[str, Any]] = field(default_factory=list)
    layout: dict[str, Any] = field(default_factory=dict)
    drill: str | None = None
    note: str | None = None

    def spec(self) -> dict[str, Any]:
        """The JSON the page draws: plotly data and layout, plus the drill parameter."""
        layout = {
            "margin": {"l": 60, "r": 20, "t": 30, "b": 40},
            "height": 340,
            "legend": {"orientation": "h", "y": -0.2},
            "hovermode": "closest",
            **self.layout,
        }
        for axis in ("xaxis", "yaxis"):
            layout[axis] = {"automargin": True, **layout.get(axis, {})}
        return {"id": self.id, "data": self.traces, "layout": layout, "drill": self.drill}

    def table(self) -> dict[str, Any]:
        """The data as the API gives it: columns (name, label) and rows."""
        return {
            "id": self.id,
            "title": self.title,
            "columns": [{"name": c.name, "label": c.label} for c in self.columns],
            "rows": self.rows,
            "note": self.note,
        }

    def csv(self) -> str:
        """The rows as CSV (header: column names), numbers unformatted."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.name for c in self.columns])
        for row in self.rows:
            writer.writerow([_cell(row.get(c.name)) for c in self.columns])
        return out.getvalue()

    def xlsx(self) -> bytes:
        """The rows as an XLSX workbook (one sheet named after the figure), written by
        ``rustpy-xlsxwriter`` like the open-data exports."""
        import os
        import tempfile
        from pathlib import Path

        from rustpy_xlsxwriter import FastExcel

        names = [c.name for c in self.columns]
        data = [{n: row.get(n) for n in names} for row in self.rows] or [dict.fromkeys(names)]
        fd, name = tempfile.mkstemp(suffix=".xlsx", prefix="treasury-figure-")
        os.close(fd)
        path = Path(name)
        try:
            FastExcel(str(path)).sheet(self.id[:31], iter(data)).save()
            return path.read_bytes()
        finally:
            path.unlink(missing_ok=True)


def _cell(value: Any) -> Any:
    return "" if value is None else value


def short(text: str, width: int = 36) -> str:
    """``text`` cut to ``width`` characters with an ellipsis (axis labels; data keeps it all).

    Examples
    --------
    >>> short("Kementerian Pendidikan, Kebudayaan, Riset, dan Teknologi", 20)
    'Kementerian Pendidi…'
    """
    return text if len(text) <= width else text[: width - 1] + "…"


def money_axis(values: Sequence[float | int | None], lang: str) -> dict[str, Any]:
    """A value axis in rupiah with ticks labelled ``Rp 500 T`` (about five nice steps).

    Examples
    --------
    >>> money_axis([0, 2_000_000_000_000_000], "id")["ticktext"][-1]
    'Rp 2.000 T'
    """
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    low, high = min([0.0, *finite]), max([0.0, *finite])
    span = high - low or 1.0
    raw = span / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 0.5:
        ticks.append(value)
        value += step
    decimals = 0 if step >= 1e12 else (1 if step >= 1e11 else 2)
    labels = [_trillions(t, lang, decimals) for t in ticks]
    return {"tickvals": ticks, "ticktext": labels, "zeroline": True}


def _trillions(value: float, lang: str, decimals: int) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {format_number(abs(value) / 1e12, decimals, lang)} T"


def hover_money(values: Sequence[float | int | None], lang: str) -> list[str]:
    """Hover texts ``Rp 1.234,5 T`` for each value."""
    return [format_rupiah(v, lang) for v in values]


def bar(
    rows: list[dict[str, Any]],
    x: str,
    y: str,
    lang: str,
    name: str = "",
    color: str = BLUE,
    key: str | None = None,
    horizontal: bool = False,
) -> dict[str, Any]:
    """A bar trace of money column ``y`` by category ``x`` (``key`` becomes the customdata)."""
    values = [r[y] for r in rows]
    labels = [short(str(r[x])) if horizontal else r[x] for r in rows]
    trace: dict[str, Any] = {
        "type": "bar",
        "name": name,
        "marker": {"color": color},
        "hovertext": [
            f"{lbl}: {h}" for lbl, h in zip(labels, hover_money(values, lang), strict=True)
        ],
        "hoverinfo": "text",
    }
    if horizontal:
        trace.update(orientation="h", x=values, y=labels)
    else:
        trace.update(x=labels, y=values)
    if key:
        trace["customdata"] = [r[key] for r in rows]
    return trace


def plain_bar(
    name: str,
    x: Sequence[Any],
    y: Sequence[Any],
    color: str | Sequence[str],
    horizontal: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """A bar trace drawn as given: ``x`` and ``y`` as plotly takes them (values on x when
    ``horizontal``), one ``color`` or one per bar, and any ``extra`` trace keys (``customdata``,
    ``hovertext``, ``text``...) as they are.

    Examples
    --------
    >>> plain_bar("Pagu", ["2023"], [5], GREY)
    {'type': 'bar', 'name': 'Pagu', 'x': ['2023'], 'y': [5], 'marker': {'color': '#a6a6a6'}}
    """
    trace: dict[str, Any] = {"type": "bar", "orientation": "h"} if horizontal else {"type": "bar"}
    trace.update(name=name, x=x, y=y, marker={"color": color}, **extra)
    return trace


def line(
    xs: Sequence[Any],
    ys: Sequence[float | int | None],
    lang: str,
    name: str,
    color: str = BLUE,
    dash: str = "solid",
    money: bool = True,
) -> dict[str, Any]:
    """A line trace; hover texts in rupiah when ``money``, else as numbers."""
    texts = (
        hover_money(ys, lang)
        if money
        else [format_number(v, 2, lang) if v is not None else "-" for v in ys]
    )
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": list(xs),
        "y": list(ys),
        "line": {"color": color, "dash": dash},
        "hovertext": [f"{name}: {t}" for t in texts],
        "hoverinfo": "text",
    }
