from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "ckan",
    "datapackage",
    "dataset",
    "dcat",
    "formats",
    "lineage",
    "registry",
    "search",
    "text",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(f"treasury.catalog.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
