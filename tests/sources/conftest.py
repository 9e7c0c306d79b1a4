"""A tiny synthetic landing zone shared by the source tests (generated once, ~3 s)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from treasury.sources.generate import generate

AS_OF = dt.date(2025, 3, 14)
SEED = 11


@pytest.fixture(scope="session")
def as_of() -> dt.date:
    return AS_OF


@pytest.fixture(scope="session")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("landing")
    generate(path, "tiny", seed=SEED, as_of=AS_OF)
    return path


@pytest.fixture(scope="session")
def extract(landing: Path) -> Callable[[str], pa.Table]:
    cache: dict[str, pa.Table] = {}

    def read(dataset: str) -> pa.Table:
        if dataset not in cache:
            files = sorted((landing / dataset).glob("*.parquet"))
            cache[dataset] = pa.concat_tables(pq.read_table(f) for f in files)
        return cache[dataset]

    return read
