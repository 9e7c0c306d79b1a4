"""A documented synthetic portfolio of on-lending debtors (SLA/RDI receivables per debtor).

No source system in the platform delivers receivables per debtor yet (the financing extract
has on-lending disbursements and repayments in total only). Until one does, the investment page
splits the real on-lending outstanding balance of a year across a fixed, seeded set of debtors
(state-owned enterprises through SLA, local governments through RDI), with arrears and a
collectibility class per debtor. Every figure built from it is labelled "data sintetis".

The split is deterministic: the same year and total give the same portfolio. Shares come from a
Dirichlet-like draw (gamma variates) of a ``random.Random(seed + year)``; arrears are a share of
each debtor's outstanding that grows with its risk class.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

#: Debtors: (code, name, kind, risk 0..3). Names are placeholders, not real companies.
DEBTORS: tuple[tuple[str, str, str, int], ...] = (
    ("SLA-01", "BUMN Energi A", "bumn", 0),
    ("SLA-02", "BUMN Energi B", "bumn", 1),
    ("SLA-03", "BUMN Infrastruktur A", "bumn", 0),
    ("SLA-04", "BUMN Infrastruktur B", "bumn", 2),
    ("SLA-05", "BUMN Air Minum", "bumn", 1),
    ("SLA-06", "BUMN Transportasi", "bumn", 3),
    ("SLA-07", "BUMN Telekomunikasi", "bumn", 0),
    ("SLA-08", "BUMN Pupuk", "bumn", 1),
    ("RDI-01", "Pemda Provinsi A", "pemda", 0),
    ("RDI-02", "Pemda Kota B", "pemda", 1),
    ("RDI-03", "Pemda Kabupaten C", "pemda", 2),
    ("RDI-04", "PDAM Kabupaten D", "pemda", 3),
)
CLASSES = ("lancar", "kurang_lancar", "diragukan", "macet")
SEED = 4_500


@dataclass(frozen=True)
class Receivable:
    """One debtor's position at year end (rupiah)."""

    kode: str
    nama: str
    jenis: str
    pokok: int
    tunggakan: int
    kolektibilitas: str


def portfolio(year: int, outstanding: int, seed: int = SEED) -> list[Receivable]:
    """Split ``outstanding`` rupiah across :data:`DEBTORS` for ``year`` (sums exactly).

    Examples
    --------
    >>> rows = portfolio(2023, 1_000_000)
    >>> sum(r.pokok for r in rows), len(rows)
    (1000000, 12)
    >>> portfolio(2023, 1_000_000) == rows
    True
    """
    rng = random.Random(seed + year)
    weights = [rng.gammavariate(2.0, 1.0) for _ in DEBTORS]
    total = sum(weights)
    amounts = [int(outstanding * w / total) for w in weights]
    amounts[0] += max(outstanding, 0) - sum(amounts)
    out = []
    for (code, name, kind, risk), amount in zip(DEBTORS, amounts, strict=True):
        drift = rng.random()
        klass = min(3, max(0, risk + (1 if drift > 0.85 else 0) - (1 if drift < 0.15 else 0)))
        arrears = int(amount * (0.0, 0.03, 0.12, 0.35)[klass] * (0.5 + drift))
        out.append(Receivable(code, name, kind, amount, arrears, CLASSES[klass]))
    return out
