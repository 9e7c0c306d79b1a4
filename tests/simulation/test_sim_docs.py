"""The docstring examples of the simulation modules run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ("assumptions", "calibration", "simulate", "rules", "engine")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(f"treasury.simulation.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
