"""Scale presets of the synthetic source systems: how many rows, not how much money.

Money totals are always the real (calibrated) APBN figures; a scale only sets how many documents
carry them. A smaller scale therefore has fewer, larger payments than the real systems.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """Row volumes of one synthetic run.

    Attributes
    ----------
    name:
        Preset name (``tiny``, ``small``, ``medium``, ``large``).
    sp2d_lines:
        SP2D lines over all generated years (spread over years by each year's spending).
    satker:
        Number of spending units (the real count is about 19,000).
    village_share:
        Share of the reference villages (desa) that receive Dana Desa in the data.
    mpn_receipts:
        MPN revenue receipts over all generated years.
    pembiayaan_per_year:
        Financing transactions per year.
    """

    name: str
    sp2d_lines: int
    satker: int
    village_share: float
    mpn_receipts: int
    pembiayaan_per_year: int


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 20_000, 300, 0.03, 20_000, 60),
    "small": Scale("small", 1_000_000, 19_000, 1.0, 1_000_000, 400),
    "medium": Scale("medium", 10_000_000, 19_000, 1.0, 10_000_000, 800),
    "large": Scale("large", 100_000_000, 19_000, 1.0, 100_000_000, 1_500),
}


def get_scale(scale: str | Scale) -> Scale:
    """The preset called ``scale`` (or ``scale`` itself when it is already a :class:`Scale`).

    Examples
    --------
    >>> get_scale("tiny").satker
    300
    """
    if isinstance(scale, Scale):
        return scale
    try:
        return SCALES[scale]
    except KeyError:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}") from None
