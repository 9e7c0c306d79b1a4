"""Password hashing with argon2id (``argon2-cffi``): hash, verify, rehash when parameters change."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from treasury.access.errors import AccessError
from treasury.access.settings import AccessSettings, get_access_settings

MIN_LENGTH = 10
#: Longer inputs are refused before hashing so a huge password cannot tie up a worker.
MAX_LENGTH = 1024


@cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )


def hasher(settings: AccessSettings | None = None) -> PasswordHasher:
    """The argon2id hasher with the configured parameters."""
    s = settings or get_access_settings()
    return _hasher(s.argon2_time_cost, s.argon2_memory_kib, s.argon2_parallelism)


def check_policy(password: str, name: str | None = None) -> None:
    """Refuse passwords that are too short, too long, blank or equal to the user name.

    Raises
    ------
    AccessError
        With a message saying what is wrong.
    """
    if len(password) < MIN_LENGTH:
        raise AccessError(f"password too short: at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise AccessError(f"password too long: at most {MAX_LENGTH} characters")
    if not password.strip():
        raise AccessError("password must not be blank")
    if name is not None and password.strip().lower() == name.strip().lower():
        raise AccessError("password must not be the user name")


def hash_password(password: str, settings: AccessSettings | None = None) -> str:
    """An argon2id PHC string (``$argon2id$v=19$m=...``) with a fresh random salt.

    Examples
    --------
    >>> hash_password("correct horse battery").startswith("$argon2id$")
    True
    """
    return hasher(settings).hash(password)


def verify_password(
    stored_hash: str, password: str, settings: AccessSettings | None = None
) -> bool:
    """True when ``password`` matches ``stored_hash`` (argon2 compares in constant time)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return hasher(settings).verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str, settings: AccessSettings | None = None) -> bool:
    """True when the hash was made with other parameters than the configured ones."""
    try:
        return hasher(settings).check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        return True


@cache
def dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    """A hash to verify against when the user does not exist, so timing does not tell."""
    return _hasher(time_cost, memory_kib, parallelism).hash("not a real password, never matches")


def burn_verification(password: str, settings: AccessSettings | None = None) -> None:
    """Spend the time of one verification (used for unknown users)."""
    s = settings or get_access_settings()
    verify_password(
        dummy_hash(s.argon2_time_cost, s.argon2_memory_kib, s.argon2_parallelism), password, s
    )
