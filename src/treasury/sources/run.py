"""One generation run: scale, seed and as-of date, and what every generator shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from treasury.sources.allocate import allocate
from treasury.sources.calibration import FIRST_YEAR, annual_targets, last_known_year, years
from treasury.sources.satker import SatkerSet, build_satker
from treasury.sources.scale import Scale, get_scale
from treasury.sources.seeds import DEFAULT_SEED


@dataclass(frozen=True, eq=False)
class Run:
    """What a generation run is: its scale, seed and as-of date.

    Examples
    --------
    >>> run = Run.create("tiny", seed=1, as_of=dt.date(2024, 3, 31))
    >>> run.years[0], run.years[-1], run.months(2024)
    (2019, 2024, [1, 2, 3])
    """

    scale: Scale
    seed: int
    as_of: dt.date
    cache: dict[object, object] = field(default_factory=dict, repr=False)

    @classmethod
    def create(
        cls, scale: str | Scale = "tiny", seed: int = DEFAULT_SEED, as_of: dt.date | None = None
    ) -> Run:
        """A run for ``scale`` (name or preset), ``seed`` and ``as_of`` (default today)."""
        return cls(get_scale(scale), seed, as_of or dt.date.today())

    @cached_property
    def years(self) -> list[int]:
        """The generated years: 2019 through the as-of year."""
        return years(self.as_of.year)

    def months(self, year: int) -> list[int]:
        """The months of ``year`` that have data (up to the as-of month)."""
        last = self.as_of.month if year == self.as_of.year else 12
        return list(range(1, last + 1))

    @cached_property
    def satker(self) -> SatkerSet:
        """The run's satker."""
        return build_satker(self.scale, self.seed)

    def per_year(self, total: int, pos: str = "belanja", exclude: str = "tkd") -> dict[int, int]:
        """Split a row count over years in proportion to each year's money.

        The split is over the fixed span 2019 through the last APBN year, so a year's row count
        (and so its data) does not change when the as-of date moves into a new year; later
        years get rows at the same rate per rupiah.
        """
        span = list(range(FIRST_YEAR, last_known_year() + 1))
        extra = [y for y in self.years if y not in span]

        def money(year: int) -> float:
            return float(
                sum(t.nilai for t in annual_targets(year) if t.pos == pos and t.kelompok != exclude)
            )

        weights = np.array([money(y) for y in span])
        counts = dict(zip(span, allocate(total, weights).tolist(), strict=True))
        for year in extra:
            counts[year] = round(total * money(year) / weights.sum())
        return {y: int(counts[y]) for y in self.years}

    def is_cut(self, year: int, month: int) -> bool:
        """Whether (year, month) is the as-of month, whose rows stop at the as-of date."""
        return (year, month) == (self.as_of.year, self.as_of.month)
