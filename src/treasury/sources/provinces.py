"""Province profiles: population and development indicators that weight the generators.

Values are 2023 levels, plausible and rounded (close to BPS publications, **unverified**):
population (thousand people), IPM (human development index, new method), life expectancy
(years), Gini ratio, exports and imports (USD million). They weight where satker sit, where
revenue is collected, where subsidies are consumed and seed ``bps_indikator_provinsi``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from treasury.sources.allocate import FloatArray

# kode_provinsi (Kemendagri): population, IPM, AHH, Gini, exports, imports.
_PROFILES: dict[str, tuple[float, float, float, float, float, float]] = {
    "11": (5482, 74.7, 70.4, 0.296, 1000, 300),
    "12": (15387, 73.4, 69.9, 0.309, 10000, 5000),
    "13": (5758, 74.5, 69.9, 0.280, 2000, 400),
    "14": (6643, 74.0, 71.9, 0.323, 19000, 3000),
    "15": (3679, 72.9, 71.3, 0.343, 3000, 300),
    "16": (8743, 71.9, 70.2, 0.338, 7000, 1000),
    "17": (2087, 72.8, 69.8, 0.322, 300, 60),
    "18": (9314, 71.6, 70.6, 0.324, 5000, 2000),
    "19": (1512, 73.2, 70.9, 0.245, 2000, 200),
    "21": (2152, 77.1, 70.1, 0.340, 18000, 16000),
    "31": (10673, 82.5, 73.2, 0.431, 12000, 60000),
    "32": (49860, 74.2, 73.5, 0.425, 36000, 10000),
    "33": (37540, 73.4, 74.6, 0.369, 11000, 12000),
    "34": (3736, 81.1, 75.1, 0.449, 500, 300),
    "35": (41417, 73.4, 71.7, 0.387, 23000, 30000),
    "36": (12308, 74.5, 70.4, 0.368, 12000, 25000),
    "51": (4433, 77.1, 72.4, 0.362, 700, 400),
    "52": (5560, 71.4, 67.3, 0.375, 2000, 300),
    "53": (5569, 66.7, 67.8, 0.330, 100, 100),
    "61": (5623, 70.5, 71.0, 0.315, 2500, 400),
    "62": (2774, 72.7, 70.0, 0.315, 5000, 200),
    "63": (4223, 72.8, 69.0, 0.316, 12000, 1000),
    "64": (3909, 78.2, 74.6, 0.322, 28000, 4000),
    "65": (728, 72.9, 72.0, 0.278, 1300, 100),
    "71": (2661, 74.4, 71.6, 0.370, 1000, 200),
    "72": (3087, 71.7, 68.9, 0.304, 28000, 8000),
    "73": (9363, 73.3, 70.9, 0.377, 2000, 1500),
    "74": (2750, 72.9, 71.4, 0.371, 5000, 1000),
    "75": (1213, 70.8, 68.2, 0.417, 100, 50),
    "76": (1472, 68.2, 65.7, 0.323, 300, 50),
    "81": (1882, 70.8, 66.5, 0.311, 100, 80),
    "82": (1345, 70.0, 68.4, 0.299, 14000, 3000),
    "91": (1034, 71.5, 66.2, 0.386, 100, 100),
    "92": (561, 66.7, 66.3, 0.370, 3000, 300),
    "93": (522, 62.9, 65.0, 0.390, 50, 20),
    "94": (1452, 57.9, 64.5, 0.395, 6000, 500),
    "95": (1448, 49.1, 62.0, 0.400, 5, 5),
    "96": (616, 67.6, 66.4, 0.372, 100, 50),
}
BASE_YEAR = 2023
JAVA_BALI = ("31", "32", "33", "34", "35", "36", "51")


@dataclass(frozen=True)
class ProvinceProfiles:
    """Province codes in a fixed order with their 2023 indicators as arrays."""

    kode: tuple[str, ...]
    penduduk: FloatArray
    ipm: FloatArray
    ahh: FloatArray
    gini: FloatArray
    ekspor: FloatArray
    impor: FloatArray

    def index(self, kode_provinsi: str) -> int:
        """Position of one province in the arrays."""
        return self.kode.index(kode_provinsi)

    def population_share(self) -> FloatArray:
        """Each province's share of the population."""
        return self.penduduk / self.penduduk.sum()


@cache
def profiles() -> ProvinceProfiles:
    """The 38 provinces' profiles, ordered by ``kode_provinsi``.

    Examples
    --------
    >>> p = profiles()
    >>> len(p.kode), p.kode[0]
    (38, '11')
    """
    codes = tuple(sorted(_PROFILES))
    cols = np.array([_PROFILES[c] for c in codes], dtype=np.float64).T
    return ProvinceProfiles(codes, *cols)


def economic_weight() -> FloatArray:
    """Where money is collected and spent: population, with Jakarta (head offices) x5 and the
    rest of Java-Bali x1.3 (normalised)."""
    p = profiles()
    w = p.penduduk.copy()
    for i, code in enumerate(p.kode):
        if code == "31":
            w[i] *= 5.0
        elif code in JAVA_BALI:
            w[i] *= 1.3
    return w / w.sum()
