"""Random streams: one independent, reproducible generator per (seed, dataset, year, month).

Seeding each chunk from ``numpy.random.SeedSequence(seed, spawn_key=...)`` makes every batch
depend only on the seed and its own key, never on which other batches were generated before it:
large runs can go month by month and still equal small runs row for row.
"""

from __future__ import annotations

import zlib

import numpy as np

DEFAULT_SEED = 20240101


def stream(seed: int, name: str, year: int = 0, month: int = 0) -> np.random.Generator:
    """The random generator of one chunk.

    Parameters
    ----------
    seed:
        The run's seed.
    name:
        What the stream is for (a dataset name or a purpose such as ``"satker"``).
    year, month:
        The chunk (0 when the stream is not per year or month).

    Examples
    --------
    >>> a = stream(1, "span_sp2d", 2023, 7).integers(0, 10**9)
    >>> b = stream(1, "span_sp2d", 2023, 7).integers(0, 10**9)
    >>> bool(a == b)
    True
    """
    key = (zlib.crc32(name.encode("utf-8")), year, month)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
