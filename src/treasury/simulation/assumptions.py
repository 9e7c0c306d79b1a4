"""Scenario input: the seven macro assumptions per year, policy levers, draws and seed.

Keys follow the contract of issue 6 (Indonesian names). :func:`parse_scenario` checks a
mapping (from YAML, JSON or a form) and answers with one message per bad field
(:class:`ScenarioError`); nothing downstream runs on unchecked input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from treasury import reference
from treasury.simulation.posture import FIRST_BASE_YEAR, LAST_BASE_YEAR

YEARS = 5
#: The seven assumptions, in engine order: key -> (unit, lowest, highest, English name).
ASUMSI: dict[str, tuple[str, float, float, str]] = {
    "pertumbuhan_ekonomi": ("%", -20.0, 20.0, "real GDP growth"),
    "inflasi": ("%", -10.0, 50.0, "inflation"),
    "kurs": ("Rp/USD", 0.0, 100_000.0, "exchange rate"),
    "yield_sbn_10th": ("%", 0.0, 30.0, "10-year SBN yield"),
    "icp": ("USD/barel", 0.0, 300.0, "ICP oil price"),
    "lifting_minyak": ("ribu barel/hari", 0.0, 3_000.0, "oil lifting"),
    "lifting_gas": ("ribu SBM/hari", 0.0, 5_000.0, "gas lifting"),
}
#: Assumptions that must be strictly positive (a price or an exchange rate).
STRICTLY_POSITIVE = frozenset({"kurs", "icp"})
_COLUMNS = {
    "pertumbuhan_ekonomi": "gdp_growth",
    "inflasi": "inflation",
    "kurs": "idr_usd",
    "yield_sbn_10th": "sbn10y_or_spn3m",
    "icp": "icp_usd_bbl",
    "lifting_minyak": "oil_lifting_kbpd",
    "lifting_gas": "gas_lifting_kboepd",
}
#: Policy levers: key -> (default, lowest, highest, unit, English description).
KEBIJAKAN: dict[str, tuple[float, float, float, str, str]] = {
    "tambahan_rasio_pajak": (0.0, -3.0, 3.0, "% PDB", "tax measures: change in the tax ratio"),
    "harga_bbm_pct": (0.0, -50.0, 200.0, "%", "retail fuel price change"),
    "harga_lpg_pct": (0.0, -50.0, 200.0, "%", "retail LPG 3 kg price change"),
    "tarif_listrik_pct": (0.0, -50.0, 200.0, "%", "subsidised electricity tariff change"),
    "volume_bbm_pct": (0.0, -50.0, 100.0, "%", "subsidised fuel volume change"),
    "volume_lpg_pct": (0.0, -50.0, 100.0, "%", "LPG 3 kg volume change"),
    "volume_listrik_pct": (0.0, -50.0, 100.0, "%", "subsidised electricity volume change"),
    "pertumbuhan_belanja_pegawai": (float("nan"), -20.0, 30.0, "%/th", "personnel spending growth"),
    "pertumbuhan_belanja_barang": (float("nan"), -20.0, 30.0, "%/th", "goods spending growth"),
    "pertumbuhan_belanja_modal": (float("nan"), -30.0, 50.0, "%/th", "capital spending growth"),
    "pertumbuhan_bansos": (float("nan"), -30.0, 50.0, "%/th", "social aid growth"),
    "dau_pct_pdn": (float("nan"), 0.0, 50.0, "%", "DAU as a share of net domestic revenue"),
}
MAX_DRAWS = 50_000
JENIS = ("baseline", "adverse", "custom")


@dataclass(frozen=True)
class FieldError:
    """One bad field: where (``asumsi.2027.kurs``) and what is wrong, in English and Indonesian."""

    field: str
    message: str
    pesan: str

    def as_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"field": self.field, "message": self.message, "pesan": self.pesan}


class ScenarioError(ValueError):
    """The scenario has bad fields; ``errors`` says which and why."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Scenario:
    """A checked scenario: full assumptions for the five years, levers, draws, seed."""

    tahun_dasar: int
    asumsi: dict[int, dict[str, float]]
    kebijakan: dict[str, float]
    draws: int = 0
    seed: int = 0
    nama: str = "skenario"
    jenis: str = "custom"
    given: dict[str, Any] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """The projected years: the base year and the next four."""
        return list(range(self.tahun_dasar, self.tahun_dasar + YEARS))


def budget_assumptions(year: int) -> dict[str, float]:
    """The budget's assumptions for ``year``; later years hold the last budget flat.

    A missing value (the 2026 yield) takes the previous year's.
    """
    return dict(_budget_assumptions(year))


@cache
def _budget_assumptions(year: int) -> tuple[tuple[str, float], ...]:
    rows = {r["year"]: r for r in reference.macro_assumptions().to_pylist()}
    out: dict[str, float] = {}
    for key, column in _COLUMNS.items():
        for y in range(min(year, max(rows)), min(rows) - 1, -1):
            value = rows.get(y, {}).get(column)
            if value is not None:
                out[key] = float(value)
                break
    return tuple(out.items())


def default_base_year() -> int:
    """The latest year that can be a base year."""
    return LAST_BASE_YEAR


def _number(value: Any) -> float | None:
    """A finite number from a number or a text (``"5,2"`` too), else None."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            number = float(value.strip().replace(",", "."))
        else:
            return None
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _check_assumption(key: str, value: Any, where: str) -> tuple[float | None, FieldError | None]:
    unit, low, high, name = ASUMSI[key]
    number = _number(value)
    if number is None or number != number:
        return None, FieldError(where, f"{name} must be a number", f"{key} harus berupa angka")
    if key in STRICTLY_POSITIVE and number <= 0:
        return None, FieldError(
            where, f"{name} must be greater than 0 {unit}", f"{key} harus lebih dari 0 {unit}"
        )
    if key == "pertumbuhan_ekonomi" and abs(number) > 20:
        return None, FieldError(
            where,
            "real GDP growth must be between -20% and +20%",
            "pertumbuhan ekonomi harus di antara -20% dan +20%",
        )
    if key.startswith("lifting") and number < 0:
        return None, FieldError(where, f"{name} cannot be negative", f"{key} tidak boleh negatif")
    if not low <= number <= high:
        return None, FieldError(
            where,
            f"{name} must be between {low:g} and {high:g} {unit}",
            f"{key} harus di antara {low:g} dan {high:g} {unit}",
        )
    return number, None


def _integer(
    raw: Mapping[str, Any], key: str, default: int, low: int, high: int, errors: list[FieldError]
) -> int:
    value = raw.get(key, default)
    if value is None:
        return default
    number = _number(value)
    if number is None or number != int(number) or not low <= number <= high:
        errors.append(
            FieldError(
                key,
                f"{key} must be a whole number between {low} and {high}",
                f"{key} harus bilangan bulat antara {low} dan {high}",
            )
        )
        return default
    return int(number)


def parse_scenario(raw: Mapping[str, Any]) -> Scenario:
    """Check a scenario mapping and fill what it leaves out with the budget assumptions.

    Raises
    ------
    ScenarioError
        One :class:`FieldError` per bad field (unknown keys and years included).

    Examples
    --------
    >>> s = parse_scenario({"tahun_dasar": 2026, "asumsi": {2027: {"kurs": 17000}}})
    >>> s.asumsi[2027]["kurs"], s.asumsi[2026]["kurs"]
    (17000.0, 16500.0)
    """
    errors: list[FieldError] = []
    if not isinstance(raw, Mapping):
        raise ScenarioError([FieldError("scenario", "must be a mapping", "harus berupa objek")])
    known = {"tahun_dasar", "asumsi", "kebijakan", "draws", "seed", "nama", "jenis"}
    for key in raw:
        if key not in known:
            errors.append(
                FieldError(
                    str(key),
                    f"unknown key; use {', '.join(sorted(known))}",
                    f"kunci tidak dikenal; gunakan {', '.join(sorted(known))}",
                )
            )
    base = _integer(
        raw, "tahun_dasar", default_base_year(), FIRST_BASE_YEAR, LAST_BASE_YEAR, errors
    )
    years = range(base, base + YEARS)
    asumsi = {y: budget_assumptions(y) for y in years}
    given = raw.get("asumsi") or {}
    if not isinstance(given, Mapping):
        errors.append(
            FieldError("asumsi", "must map years to assumptions", "harus memetakan tahun ke asumsi")
        )
        given = {}
    for year_key, values in given.items():
        year = _number(year_key)
        if year is None or year != int(year) or int(year) not in years:
            errors.append(
                FieldError(
                    f"asumsi.{year_key}",
                    f"year must be one of {years.start}-{years.stop - 1}",
                    f"tahun harus salah satu dari {years.start}-{years.stop - 1}",
                )
            )
            continue
        if not isinstance(values, Mapping):
            errors.append(
                FieldError(
                    f"asumsi.{year_key}",
                    "must map assumption names to values",
                    "harus berisi asumsi",
                )
            )
            continue
        for key, value in values.items():
            where = f"asumsi.{int(year)}.{key}"
            if key not in ASUMSI:
                errors.append(
                    FieldError(
                        where,
                        f"unknown assumption; use {', '.join(ASUMSI)}",
                        f"asumsi tidak dikenal; gunakan {', '.join(ASUMSI)}",
                    )
                )
                continue
            number, error = _check_assumption(key, value, where)
            if error:
                errors.append(error)
            elif number is not None:
                asumsi[int(year)][key] = number
    kebijakan = {k: spec[0] for k, spec in KEBIJAKAN.items()}
    levers = raw.get("kebijakan") or {}
    if not isinstance(levers, Mapping):
        errors.append(
            FieldError("kebijakan", "must map lever names to numbers", "harus berisi kebijakan")
        )
        levers = {}
    for key, value in levers.items():
        where = f"kebijakan.{key}"
        if key not in KEBIJAKAN:
            errors.append(
                FieldError(
                    where,
                    f"unknown lever; use {', '.join(KEBIJAKAN)}",
                    f"kebijakan tidak dikenal; gunakan {', '.join(KEBIJAKAN)}",
                )
            )
            continue
        _, low, high, unit, name = KEBIJAKAN[key]
        number = _number(value)
        if value is None:
            continue
        if number is None or number != number or not low <= number <= high:
            errors.append(
                FieldError(
                    where,
                    f"{name} must be a number between {low:g} and {high:g} {unit}",
                    f"{key} harus angka di antara {low:g} dan {high:g} {unit}",
                )
            )
            continue
        kebijakan[key] = number
    draws = _integer(raw, "draws", 0, 0, MAX_DRAWS, errors)
    seed = _integer(raw, "seed", 0, 0, 2**32 - 1, errors)
    jenis = str(raw.get("jenis") or "custom")
    if jenis not in JENIS:
        errors.append(
            FieldError(
                "jenis",
                f"must be one of {', '.join(JENIS)}",
                f"harus salah satu dari {', '.join(JENIS)}",
            )
        )
    nama = str(raw.get("nama") or jenis)[:120]
    if errors:
        raise ScenarioError(errors)
    return Scenario(base, asumsi, kebijakan, draws, seed, nama, jenis, dict(raw))
