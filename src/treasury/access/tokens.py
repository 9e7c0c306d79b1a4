"""API tokens: ``tbd_<prefix8>_<secret>``; only the prefix and a digest of the whole token are stored.

A token is looked up by its prefix, then its digest is compared with :func:`hmac.compare_digest`.
The digest is HMAC-SHA256 with ``TREASURY_TOKEN_SECRET`` when one is set, else SHA-256; it is
stored with its scheme (``hmac-sha256:<hex>``, ``sha256:<hex>``) so setting a secret later does
not break tokens already issued.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from treasury.access.settings import AccessSettings, get_access_settings

TOKEN_RE = re.compile(r"^tbd_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
_SCHEMES = ("hmac-sha256", "sha256")


def new_token() -> tuple[str, str]:
    """A fresh random token (256-bit secret) and its prefix.

    Examples
    --------
    >>> raw, prefix = new_token()
    >>> raw.startswith(f"tbd_{prefix}_") and len(raw) == 56
    True
    """
    prefix = secrets.token_hex(4)
    return f"tbd_{prefix}_{secrets.token_urlsafe(32)}", prefix


def token_prefix(raw: str) -> str | None:
    """The prefix of a well-formed token, or None."""
    match = TOKEN_RE.match(raw.strip()) if raw else None
    return match.group(1) if match else None


def _digest(raw: str, scheme: str, settings: AccessSettings) -> str:
    secret = settings.token_secret.get_secret_value()
    if scheme == "hmac-sha256":
        return hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()
    return hashlib.sha256(raw.encode()).hexdigest()


def token_digest(raw: str, settings: AccessSettings | None = None) -> str:
    """The stored form of a token: ``<scheme>:<hex digest>``."""
    s = settings or get_access_settings()
    scheme = "hmac-sha256" if s.token_secret.get_secret_value() else "sha256"
    return f"{scheme}:{_digest(raw, scheme, s)}"


def token_matches(raw: str, stored: str, settings: AccessSettings | None = None) -> bool:
    """Compare a presented token with a stored digest in constant time."""
    s = settings or get_access_settings()
    scheme, _, expected = stored.partition(":")
    if scheme not in _SCHEMES or (
        scheme == "hmac-sha256" and not s.token_secret.get_secret_value()
    ):
        # Still do the comparison so an unusable row costs the same time as a usable one.
        hmac.compare_digest(_digest(raw, "sha256", s), "0" * 64)
        return False
    return hmac.compare_digest(_digest(raw, scheme, s), expected)


#: Compared against when no stored token has the presented prefix, to keep timing uniform.
NO_MATCH_DIGEST = "sha256:" + "0" * 64
