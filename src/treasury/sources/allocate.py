"""Integer allocation: split exact rupiah totals over rows so that the sums stay exact.

Every generator draws random weights and then calls :func:`allocate` (one total) or
:func:`allocate_groups` (many totals at once) so that generated integer amounts add up to the
calibrated targets to the rupiah (largest-remainder rounding). :func:`ipf` fits a matrix to row
and column totals (iterative proportional fitting), used for monthly profiles and value tiers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def allocate(total: int, weights: npt.ArrayLike, minimum: int = 0) -> IntArray:
    """Split the integer ``total`` over ``weights`` so that the parts sum to ``total`` exactly.

    Parameters
    ----------
    total:
        The amount to split (>= ``minimum * len(weights)``).
    weights:
        Non-negative weights, not all zero (unless ``total`` is covered by ``minimum``).
    minimum:
        Every part gets at least this much.

    Returns
    -------
    numpy.ndarray
        int64 parts, largest-remainder rounded.

    Examples
    --------
    >>> allocate(10, [1, 1, 1]).tolist()
    [4, 3, 3]
    """
    w = np.asarray(weights, dtype=np.float64)
    groups = np.zeros(len(w), dtype=np.int64)
    return allocate_groups(np.array([total], dtype=np.int64), groups, w, minimum)


def _group_starts(sorted_groups: npt.NDArray[np.int64], n_groups: int) -> IntArray:
    return np.searchsorted(sorted_groups, np.arange(n_groups)).astype(np.int64)


def allocate_groups(
    totals: npt.ArrayLike,
    groups: npt.ArrayLike,
    weights: npt.ArrayLike,
    minimum: int = 0,
) -> IntArray:
    """Split ``totals[g]`` over the rows of group ``g``, for all groups at once.

    Parameters
    ----------
    totals:
        int64 total per group (index = group id).
    groups:
        Group id of each row (0 <= id < len(totals)).
    weights:
        Non-negative weight of each row; a group whose weights are all zero is split evenly.
    minimum:
        Every row gets at least this much (the group's total must cover it).

    Returns
    -------
    numpy.ndarray
        int64 amount per row; the rows of group ``g`` sum to ``totals[g]`` exactly.

    Examples
    --------
    >>> allocate_groups([5, 7], [0, 1, 1, 0], [1, 1, 2, 4]).tolist()
    [1, 2, 5, 4]
    """
    tot = np.asarray(totals, dtype=np.int64)
    g = np.asarray(groups, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    n = len(g)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    counts = np.bincount(g, minlength=len(tot)).astype(np.int64)
    spread = tot - minimum * counts
    if np.any(spread[counts > 0] < 0):
        raise ValueError("a group's total is smaller than its minimum")
    wsum = np.bincount(g, weights=w, minlength=len(tot))
    even = wsum[g] <= 0
    share = np.where(even, 1.0 / np.maximum(counts[g], 1), w / np.where(even, 1.0, wsum[g]))
    exact = spread[g].astype(np.float64) * share
    base = np.floor(exact).astype(np.int64)
    frac = exact - base
    order = np.lexsort((-frac, g))
    sorted_g = g[order]
    sums = np.zeros(len(tot), dtype=np.int64)
    starts = _group_starts(sorted_g, len(tot))
    nonempty = counts > 0
    sums[nonempty] = np.add.reduceat(base[order], starts[nonempty])
    remainder = spread - sums
    rank = np.arange(n, dtype=np.int64) - starts[sorted_g]
    rem = remainder[sorted_g]
    cnt = counts[sorted_g]
    # Positive remainder: +1 to the largest fractions; negative (float error): -1 to the smallest.
    bump = np.where(rem >= 0, (rank < rem).astype(np.int64), -(rank >= cnt + rem).astype(np.int64))
    out = np.empty(n, dtype=np.int64)
    out[order] = base[order] + bump
    if np.any(np.abs(remainder[nonempty]) > counts[nonempty]):
        raise ValueError("allocation lost precision; totals too large for float64 weights")
    return out + minimum


def ipf(
    seed: npt.ArrayLike,
    row_totals: npt.ArrayLike,
    col_totals: npt.ArrayLike,
    iterations: int = 200,
    elasticity: npt.ArrayLike | None = None,
) -> FloatArray:
    """Scale a non-negative matrix so its row sums and column sums match the targets.

    Rows are fitted last, so row sums are exact and column sums as close as the seed allows.

    Parameters
    ----------
    seed:
        Non-negative matrix (its zero pattern is kept).
    row_totals, col_totals:
        Targets; their sums should agree.
    iterations:
        Number of (column, row) fitting rounds.
    elasticity:
        Optional per-row exponent of the column factors (1 = plain IPF; below 1 a row keeps
        more of its own shape and the others make up the difference).

    Returns
    -------
    numpy.ndarray
        The fitted float matrix.

    Examples
    --------
    >>> ipf([[1, 1], [1, 1]], [1, 3], [2, 2]).round(3).tolist()
    [[0.5, 0.5], [1.5, 1.5]]
    """
    m = np.asarray(seed, dtype=np.float64).copy()
    rows = np.asarray(row_totals, dtype=np.float64)
    cols = np.asarray(col_totals, dtype=np.float64)
    power = None if elasticity is None else np.asarray(elasticity, dtype=np.float64)[:, None]
    for _ in range(iterations):
        csum = m.sum(axis=0)
        factor = np.divide(cols, csum, out=np.ones_like(cols), where=csum > 0)
        m *= factor if power is None else factor[None, :] ** power
        rsum = m.sum(axis=1)
        m *= np.divide(rows, rsum, out=np.zeros_like(rows), where=rsum > 0)[:, None]
    return m
