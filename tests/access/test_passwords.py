from __future__ import annotations

import pytest

from treasury.access.errors import AccessError
from treasury.access.passwords import (
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from treasury.access.settings import AccessSettings


def test_hash_is_argon2id_salted_and_verifies(settings: AccessSettings) -> None:
    first = hash_password("rahasia-negara-1", settings)
    second = hash_password("rahasia-negara-1", settings)
    assert first.startswith("$argon2id$")
    assert first != second  # fresh salt each time
    assert "rahasia" not in first
    assert verify_password(first, "rahasia-negara-1", settings)
    assert not verify_password(first, "rahasia-negara-2", settings)
    assert not verify_password("not a hash", "rahasia-negara-1", settings)
    assert not verify_password(first, "x" * 5000, settings)


def test_rehash_needed_when_parameters_change(settings: AccessSettings) -> None:
    old = hash_password("rahasia-negara-1", settings)
    assert not needs_rehash(old, settings)
    stronger = settings.model_copy(update={"argon2_time_cost": settings.argon2_time_cost + 1})
    assert needs_rehash(old, stronger)
    assert verify_password(old, "rahasia-negara-1", stronger)  # old hashes still verify
    assert needs_rehash("garbage", settings)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "too short"),
        ("x" * 1025, "too long"),
        (" " * 12, "blank"),
        ("Budi.Santoso", "user name"),
    ],
)
def test_password_policy(password: str, message: str) -> None:
    with pytest.raises(AccessError, match=message):
        check_policy(password, name="budi.santoso")


def test_good_password_passes_policy() -> None:
    check_policy("sepuluh-karakter", name="budi")
