"""The ALCO dashboard's numbers: actual and projected revenue, spending, cash, financing, buffer.

One report per scenario for the Asset Liability Committee, replacing its Excel workbook:

- revenue: realised months of the year (``realisasi-apbn-bulanan``) and the rest from the
  revenue trajectory model (``forecasting``), landing against the APBN target;
- spending: realised months and the rest from the ensemble on monthly spending;
- financing need: projected deficit (spending - revenue) against financing realised so far;
- cash: the daily position (``kas-harian``) and its projection from the ``cash_buffer`` model's
  net-flow forecast, with the recommended buffer.

Scenarios: ``baseline`` (means; buffer at 95%) and ``adverse`` (revenue at its lower and
spending at its upper 95% bound, the cash path lowered by the 99% cumulative error quantile,
the buffer at 99%). Data are read with the user's principal through
:meth:`treasury.warehouse.reader.Reader.sql` (policies and audit apply).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from treasury.access import Principal
from treasury.config import Settings
from treasury.warehouse.reader import Reader

SCENARIOS = ("baseline", "adverse")
CASH_DAYS = 60
BUFFER_HORIZON = 20
CONFIDENCE = {"baseline": 0.95, "adverse": 0.99}
TABLES = ("monthly", "cash", "summary")


class ModelsMissing(LookupError):
    """The dashboard needs the trained ``forecasting`` and ``cash_buffer`` models."""


@dataclass
class AlcoReport:
    """Everything the page shows, per scenario."""

    scenario: str
    year: int
    as_of: str
    kpis: dict[str, float | None]
    monthly: pd.DataFrame  # tahun, bulan, jenis (actual/projection), revenue, spending, ...
    cash: pd.DataFrame  # tanggal, jenis, saldo, lo (adverse path), buffer floor
    notes: list[dict[str, str]] = field(default_factory=list)  # {"id": ..., "en": ...}

    def table(self, name: str) -> pd.DataFrame:
        """A downloadable table: ``monthly``, ``cash`` or ``summary``."""
        if name == "monthly":
            return self.monthly
        if name == "cash":
            return self.cash
        if name == "summary":
            return pd.DataFrame([{"indikator": k, "nilai": v} for k, v in self.kpis.items()])
        raise KeyError(name)


_SPENDING: dict[tuple[str, int], dict[str, np.ndarray]] = {}
_LOCK = threading.Lock()


def _spending_forecast(key: str, monthly: pd.Series, h: int) -> dict[str, np.ndarray]:
    """The ensemble forecast of monthly spending (cached per data snapshot)."""
    from treasury.ml.forecasting import forecast

    with _LOCK:
        cached = _SPENDING.get((key, h))
    if cached is None:
        cached = forecast(monthly.to_numpy(), h, 12, nonnegative=True)
        with _LOCK:
            _SPENDING.clear()
            _SPENDING[(key, h)] = cached
    return cached


def _load_models(settings: Settings) -> tuple[Any, Any]:
    from treasury.ml import registry

    try:
        return (
            registry.load("forecasting", settings=settings),
            registry.load("cash_buffer", settings=settings),
        )
    except registry.NotTrained as error:
        raise ModelsMissing(
            "the ALCO dashboard needs the trained models: run "
            "`treasury models train forecasting` and `treasury models train cash_buffer`"
        ) from error


def build_report(
    settings: Settings, reader: Reader, principal: Principal, scenario: str = "baseline"
) -> AlcoReport:
    """The ALCO report of a scenario, read with ``principal``'s rights."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}")
    revenue_model, cash_model = _load_models(settings)
    apbn = reader.sql(
        principal,
        "SELECT tahun, bulan, pos, SUM(realisasi) AS realisasi FROM realisasi_apbn_bulanan "
        "GROUP BY ALL ORDER BY tahun, bulan",
    ).to_pandas()
    pagu = reader.sql(
        principal,
        "SELECT tahun, pos, SUM(pagu) AS pagu FROM (SELECT DISTINCT tahun, pos, kelompok, "
        "subkelompok, pagu FROM realisasi_apbn_bulanan) GROUP BY ALL",
    ).to_pandas()
    kas = reader.sql(
        principal,
        "SELECT tanggal, penerimaan, pengeluaran, saldo FROM kas_harian ORDER BY tanggal",
        limit=100_000,
    ).to_pandas()
    adverse = scenario == "adverse"
    last_day: dt.date = revenue_model.last_day
    year = last_day.year
    wide = apbn.pivot_table(
        index=["tahun", "bulan"], columns="pos", values="realisasi", aggfunc="sum", fill_value=0
    ).astype(float)
    for pos in ("pendapatan", "belanja", "pembiayaan"):
        if pos not in wide:
            wide[pos] = 0.0
    periods = pd.DatetimeIndex(
        [pd.Timestamp(year=int(t), month=int(b), day=1) for t, b in wide.index]
    )
    wide.index = periods
    month_end = pd.Timestamp(last_day) + pd.offsets.MonthEnd(0)
    partial = pd.Timestamp(last_day) < month_end
    complete = wide.iloc[:-1] if partial else wide

    # projections for the months of the year not complete yet
    rev_periods = list(revenue_model.periods)
    rev = revenue_model.forecasts["total"]
    rev_key = "lo_95" if adverse else "mean"
    remaining = [p for p in rev_periods if p.year == year]
    spend_fc = _spending_forecast(
        f"{last_day}-{len(complete)}", complete["belanja"], len(rev_periods)
    )
    spend_key = "hi_95" if adverse else "mean"
    rows = []
    for period, row in complete.loc[complete.index.year >= year - 1].iterrows():
        rows.append(
            {
                "tahun": period.year,
                "bulan": period.month,
                "jenis": "realisasi",
                "pendapatan": row["pendapatan"],
                "belanja": row["belanja"],
                "pembiayaan": row["pembiayaan"],
            }
        )
    for i, period in enumerate(rev_periods):
        if period not in remaining:
            continue
        booked = wide.loc[period] if period in wide.index else None
        revenue = float(rev[rev_key][i])
        spending = float(spend_fc[spend_key][i])
        if booked is not None:  # the current month: at least what is already booked
            revenue = max(revenue, float(booked["pendapatan"]))
            spending = max(spending, float(booked["belanja"]))
        rows.append(
            {
                "tahun": period.year,
                "bulan": period.month,
                "jenis": "proyeksi",
                "pendapatan": revenue,
                "belanja": spending,
                "pembiayaan": float("nan"),
            }
        )
    monthly = pd.DataFrame(rows)
    monthly["defisit"] = monthly["belanja"] - monthly["pendapatan"]
    this_year = monthly[monthly["tahun"] == year]
    targets = pagu[pagu["tahun"] == year].set_index("pos")["pagu"].astype(float)
    revenue_year = float(this_year["pendapatan"].sum())
    spending_year = float(this_year["belanja"].sum())
    financing_done = float(this_year["pembiayaan"].fillna(0).sum())
    deficit_year = spending_year - revenue_year

    # cash: history and the projected path with the buffer floor
    kas["tanggal"] = pd.to_datetime(kas["tanggal"])
    history = kas[kas["tanggal"] > kas["tanggal"].max() - pd.Timedelta(days=365)]
    confidence = CONFIDENCE[scenario]
    buffer = cash_model.predict([{"horizon_days": BUFFER_HORIZON, "confidence": confidence}])[0]
    future = cash_model.future.iloc[:CASH_DAYS]
    net = (future["outflow"] - future["inflow"]).to_numpy()
    start = float(kas["saldo"].iloc[-1])
    path = start - np.cumsum(net)
    if adverse:
        from treasury.ml.cash_buffer import window_sums

        errors = [
            float(
                np.quantile(
                    window_sums(cash_model.oos_actual, h) - window_sums(cash_model.oos_forecast, h),
                    confidence,
                )
            )
            for h in range(1, len(net) + 1)
        ]
        path = path - np.maximum(errors, 0.0)
    cash = pd.concat(
        [
            pd.DataFrame(
                {"tanggal": history["tanggal"], "jenis": "realisasi", "saldo": history["saldo"]}
            ),
            pd.DataFrame({"tanggal": future.index, "jenis": "proyeksi", "saldo": path}),
        ],
        ignore_index=True,
    )
    cash["batas_penyangga"] = float(buffer["buffer"])
    cash["tanggal"] = pd.to_datetime(cash["tanggal"]).dt.date
    kpis: dict[str, float | None] = {
        "pendapatan_outlook": revenue_year,
        "pendapatan_target": float(targets.get("pendapatan", np.nan)),
        "belanja_outlook": spending_year,
        "belanja_pagu": float(targets.get("belanja", np.nan)),
        "defisit_outlook": deficit_year,
        "pembiayaan_realisasi": financing_done,
        "kebutuhan_pembiayaan_sisa": max(deficit_year - financing_done, 0.0),
        "saldo_kas_terakhir": start,
        "saldo_kas_minimum_proyeksi": float(path.min()),
        "penyangga_rekomendasi": float(buffer["buffer"]),
        "penyangga_keyakinan": confidence,
        "penyangga_horizon_hari_kerja": float(BUFFER_HORIZON),
    }
    notes = [
        {
            "id": "Saldo adalah kas bersih yang terakumulasi sejak hari pertama di lake (ekstrak "
            "tidak memuat saldo awal).",
            "en": "Saldo is the net cash accumulated since the first day in the lake (no opening "
            "balance in the extracts).",
        }
    ]
    if adverse:
        notes.append(
            {
                "id": "Skenario buruk: pendapatan pada batas bawah 95%, belanja pada batas atas "
                "95%, jalur kas diturunkan dengan kuantil 99% galat proyeksi kumulatif, "
                "penyangga pada 99%.",
                "en": "Adverse: revenue at its lower 95% bound, spending at its upper 95% bound, "
                "the cash path lowered by the 99% cumulative forecast-error quantile, the buffer "
                "at 99%.",
            }
        )
    return AlcoReport(
        scenario=scenario,
        year=year,
        as_of=last_day.isoformat(),
        kpis=kpis,
        monthly=monthly,
        cash=cash,
        notes=notes,
    )


def figures(report: AlcoReport, lang: str = "id") -> dict[str, str]:
    """Plotly figures (JSON) of the report: monthly revenue/spending, cash with its buffer."""
    import plotly.graph_objects as go

    words = {
        "id": ("Pendapatan", "Belanja", "realisasi", "proyeksi", "Saldo kas", "Penyangga"),
        "en": ("Revenue", "Spending", "actual", "projection", "Cash position", "Buffer"),
    }[lang if lang == "en" else "id"]
    monthly = report.monthly.copy()
    monthly["periode"] = [
        f"{t}-{b:02d}" for t, b in zip(monthly["tahun"], monthly["bulan"], strict=True)
    ]
    flows = go.Figure()
    for column, label, colour in (
        ("pendapatan", words[0], "#1f6feb"),
        ("belanja", words[1], "#cf222e"),
    ):
        for kind, dash in (("realisasi", "solid"), ("proyeksi", "dot")):
            part = monthly[monthly["jenis"] == kind]
            flows.add_trace(
                go.Scatter(
                    x=part["periode"],
                    y=part[column] / 1e12,
                    name=f"{label} ({words[2] if kind == 'realisasi' else words[3]})",
                    line={"color": colour, "dash": dash},
                    mode="lines+markers",
                )
            )
    flows.update_layout(margin={"l": 50, "r": 10, "t": 10, "b": 40}, yaxis_title="Rp T", height=340)
    cash = report.cash
    position = go.Figure()
    for kind, dash in (("realisasi", "solid"), ("proyeksi", "dot")):
        part = cash[cash["jenis"] == kind]
        position.add_trace(
            go.Scatter(
                x=[str(d) for d in part["tanggal"]],
                y=part["saldo"] / 1e12,
                name=f"{words[4]} ({words[2] if kind == 'realisasi' else words[3]})",
                line={"color": "#116329", "dash": dash},
            )
        )
    position.add_trace(
        go.Scatter(
            x=[str(d) for d in cash["tanggal"]],
            y=cash["batas_penyangga"] / 1e12,
            name=words[5],
            line={"color": "#9a6700", "dash": "dash"},
        )
    )
    position.update_layout(
        margin={"l": 50, "r": 10, "t": 10, "b": 40}, yaxis_title="Rp T", height=340
    )
    return {"flows": flows.to_json(), "cash": position.to_json()}
