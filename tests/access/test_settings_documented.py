"""Every access setting has a description and a row in the README with its real default."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

import treasury.access
from treasury.access.settings import AccessSettings

README = Path(treasury.access.__file__).with_name("README.md").read_text()


@pytest.mark.parametrize("name", sorted(AccessSettings.model_fields))
def test_setting_documented(name: str) -> None:
    field = AccessSettings.model_fields[name]
    assert field.description
    rows = [
        line for line in README.splitlines() if line.startswith(f"| `TREASURY_{name.upper()}` |")
    ]
    assert len(rows) == 1, name
    default = (
        field.default.get_secret_value() if isinstance(field.default, SecretStr) else field.default
    )
    documented = rows[0].split("|")[3].strip()
    assert documented == (str(default) if default != "" else "empty")
