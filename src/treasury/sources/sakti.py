"""SAKTI payment orders (``sakti_spm``): one row per SPM a satker uploads.

Every SP2D of :mod:`treasury.sources.sp2d` pays one SPM: same number, satker, KPPN and type,
``nilai_spm`` the sum of the SP2D's lines, uploaded during service hours on the SPM date and
paid within the hour for about 92-95% of them (slower in December and at the busy Jakarta KPPN
offices). In the as-of month, SPMs uploaded by the as-of date whose SP2D comes later, plus about
2% of the SPMs of the last three working days, are still pending: no SP2D number and time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from treasury.sources import timing
from treasury.sources.run import Run
from treasury.sources.schemas import conform

if TYPE_CHECKING:
    from treasury.sources.sp2d import Documents

PENDING_SHARE = 0.02
Mask = npt.NDArray[np.bool_]


def as_of_cut(
    run: Run, year: int, month: int, docs: Documents, rng: np.random.Generator
) -> tuple[Mask, Mask]:
    """(paid, submitted) per document: nothing after the as-of date exists, and about 2% of
    the SPMs of the last three working days before it still wait for their SP2D."""
    n = len(docs.issued)
    if not run.is_cut(year, month):
        return np.ones(n, bool), np.ones(n, bool)
    days = timing.workdays(year)
    as_of = np.datetime64(run.as_of, "D")
    issued_day = days[docs.issued // timing.DAY_MINUTES]
    paid = issued_day <= as_of
    submitted = days[docs.uploaded // timing.DAY_MINUTES] <= as_of
    before = days[days <= as_of]
    if before.size:
        recent = np.flatnonzero(paid & (issued_day >= before[max(before.size - 3, 0)]))
        k = min(round(PENDING_SHARE * int(paid.sum())), recent.size)
        paid[rng.choice(recent, k, replace=False)] = False
    return paid, submitted


def sakti_spm(docs: Documents, paid: Mask, submitted: Mask) -> pa.Table:
    """The SPM rows of the month's documents that were submitted by the as-of date."""
    rows = pa.array(np.flatnonzero(submitted))
    return conform(
        "sakti_spm",
        {
            "nomor_spm": docs.nomor_spm.take(rows),
            "kode_satker": docs.kode_satker.take(rows),
            "kode_kppn": pa.array(docs.kode_kppn).take(rows),
            "jenis_pembayaran": pa.array(docs.jenis_pembayaran).take(rows),
            "nilai_spm": pa.array(docs.total).take(rows),
            "waktu_unggah": pa.array(docs.waktu_unggah).take(rows),
            "nomor_sp2d": pa.array(docs.nomor_sp2d.astype(str), mask=~paid).take(rows),
            "waktu_sp2d": pa.array(docs.waktu_sp2d, mask=~paid).take(rows),
        },
    )
