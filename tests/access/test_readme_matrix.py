"""The matrix in ``access/README.md`` is what ``decide()`` does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import treasury.access
from treasury.access.policy import decide
from treasury.access.principal import Zone

from .test_policy import DATASETS, PRINCIPALS

README = Path(treasury.access.__file__).with_name("README.md")


def matrix_rows() -> list[list[str]]:
    text = README.read_text().split("## The matrix", 1)[1]
    table = text.split("| who | zone | public | internal | restricted |", 1)[1]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_readme_matrix_is_complete() -> None:
    assert len(matrix_rows()) == len(PRINCIPALS) * len(Zone)


@pytest.mark.parametrize("row", matrix_rows(), ids=lambda r: f"{r[0]}-{r[1]}")
def test_readme_matrix_row(row: list[str]) -> None:
    who, zone, *cells = row
    principal = replace(PRINCIPALS[who], zone=Zone(zone))
    for dataset, cell in zip(DATASETS.values(), cells, strict=True):
        status = decide(principal, dataset, "read").status
        assert ("ok" if status is None else str(status)) == cell, (who, zone, dataset.slug)
