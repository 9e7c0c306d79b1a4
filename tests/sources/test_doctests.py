"""The examples in the sources' docstrings run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import treasury.sources

MODULES = [m.name for m in pkgutil.iter_modules(treasury.sources.__path__)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"treasury.sources.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, name
