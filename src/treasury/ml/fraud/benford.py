"""Benford's law tests with Nigrini's mean absolute deviation (MAD) conformity bands.

Expected proportions of the first digit (1-9), the second digit (0-9) and the first two digits
(10-99); ``digit_table`` counts them per group in one vectorised pass; ``mad`` and
``conformity`` grade a group as Nigrini (2012) does: close, acceptable, marginal or
nonconformity.
"""

from __future__ import annotations

import numpy as np

FIRST = np.log10(1 + 1 / np.arange(1, 10))
SECOND = np.array([np.log10(1 + 1 / (10 * np.arange(1, 10) + d)).sum() for d in range(10)])
FIRST_TWO = np.log10(1 + 1 / np.arange(10, 100))
EXPECTED = {"first": FIRST, "second": SECOND, "first_two": FIRST_TWO}
#: Nigrini's MAD limits: (close, acceptable, marginal); above the last is nonconformity.
BANDS = {
    "first": (0.006, 0.012, 0.015),
    "second": (0.008, 0.010, 0.012),
    "first_two": (0.0012, 0.0018, 0.0022),
}
LEVELS = ("close", "acceptable", "marginal", "nonconformity")


def leading_two(values: np.ndarray) -> np.ndarray:
    """The first two digits (10-99) of positive amounts of at least 10 (others: 0)."""
    amounts = np.asarray(values, dtype=np.float64)
    out = np.zeros(amounts.shape, dtype=np.int64)
    ok = amounts >= 10
    exponent = np.floor(np.log10(amounts[ok])) - 1
    two = np.floor(amounts[ok] / 10**exponent + 1e-9).astype(np.int64)
    out[ok] = np.clip(two, 10, 99)
    return out


def digit_table(groups: np.ndarray, values: np.ndarray, n_groups: int, test: str) -> np.ndarray:
    """Observed proportions per group (rows) and digit (columns) for ``test``."""
    two = leading_two(values)
    keep = two > 0
    two, groups = two[keep], np.asarray(groups)[keep]
    if test == "first":
        digit, width = two // 10 - 1, 9
    elif test == "second":
        digit, width = two % 10, 10
    else:
        digit, width = two - 10, 90
    counts = np.bincount(groups * width + digit, minlength=n_groups * width)
    counts = counts.reshape(n_groups, width).astype(np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def mad(groups: np.ndarray, values: np.ndarray, n_groups: int, test: str) -> np.ndarray:
    """Mean absolute deviation from Benford per group."""
    table = digit_table(groups, values, n_groups, test)
    return np.abs(table - EXPECTED[test]).mean(axis=1)


def conformity(value: float, test: str) -> str:
    """Nigrini's conformity level of one MAD."""
    for limit, level in zip(BANDS[test], LEVELS, strict=False):
        if value <= limit:
            return level
    return LEVELS[-1]
