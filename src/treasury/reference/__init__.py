"""Reference data: codes and calendars the whole platform joins on.

Every loader returns a ``pyarrow.Table`` read from the CSV files in ``data/`` (no network), with
codes as strings that keep their leading zeros, and is cached: call it as often as you like.

- regions: :func:`provinces`, :func:`kabkota`, :func:`pemda`, :func:`kecamatan`,
  :func:`villages`
- offices: :func:`kanwil`, :func:`kppn`, :func:`kppn_kabkota`
- budget sections: :func:`ministries`, :func:`bun_sections`
- chart of accounts: :func:`accounts`
- working calendar: :func:`calendar`, :func:`working_days`, :func:`is_working_day`,
  :func:`next_working_day`, and vectorised :func:`working_dates`,
  :func:`is_working_day_array`, :func:`add_working_days`
- public facts for calibration: :func:`apbn_annual`, :func:`macro_assumptions`,
  :func:`macro_outcomes`, :func:`spending_cumulative_share`, :func:`dana_desa_history`,
  :func:`energy_subsidy`, :func:`sensitivity`
"""

from __future__ import annotations

from treasury.reference.accounts import KELOMPOK, POS, accounts
from treasury.reference.domain import (
    apbn_annual,
    dana_desa_history,
    energy_subsidy,
    macro_assumptions,
    macro_outcomes,
    sensitivity,
    spending_cumulative_share,
)
from treasury.reference.fiscal_calendar import (
    add_working_days,
    calendar,
    is_working_day,
    is_working_day_array,
    next_working_day,
    working_dates,
    working_days,
)
from treasury.reference.ministries import bun_sections, ministries
from treasury.reference.offices import kanwil, kppn, kppn_kabkota
from treasury.reference.regions import kabkota, kecamatan, pemda, provinces, villages

__all__ = [
    "KELOMPOK",
    "POS",
    "accounts",
    "add_working_days",
    "apbn_annual",
    "bun_sections",
    "calendar",
    "dana_desa_history",
    "energy_subsidy",
    "is_working_day",
    "is_working_day_array",
    "kabkota",
    "kanwil",
    "kecamatan",
    "kppn",
    "kppn_kabkota",
    "macro_assumptions",
    "macro_outcomes",
    "ministries",
    "next_working_day",
    "pemda",
    "provinces",
    "sensitivity",
    "spending_cumulative_share",
    "villages",
    "working_dates",
    "working_days",
]
