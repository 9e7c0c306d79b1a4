from __future__ import annotations

import hmac

import pytest
from pydantic import SecretStr

from treasury.access import tokens
from treasury.access.settings import AccessSettings


def test_new_token_shape_and_prefix() -> None:
    raw, prefix = tokens.new_token()
    assert tokens.token_prefix(raw) == prefix
    assert len({tokens.new_token()[0] for _ in range(50)}) == 50


@pytest.mark.parametrize(
    "raw",
    ["", "tbd_", "tbd_zzzzzzzz_" + "a" * 43, "xyz_0123abcd_" + "a" * 43, "tbd_0123abcd_short"],
)
def test_malformed_tokens_have_no_prefix(raw: str) -> None:
    assert tokens.token_prefix(raw) is None


def test_digest_never_contains_the_token(settings: AccessSettings) -> None:
    raw, _ = tokens.new_token()
    stored = tokens.token_digest(raw, settings)
    assert stored.startswith("sha256:")
    assert raw.split("_", 2)[2] not in stored
    assert tokens.token_matches(raw, stored, settings)
    assert not tokens.token_matches(raw[:-1] + ("A" if raw[-1] != "A" else "B"), stored, settings)


def test_hmac_scheme_with_server_secret() -> None:
    keyed = AccessSettings(token_secret=SecretStr("server-secret"))
    raw, _ = tokens.new_token()
    stored = tokens.token_digest(raw, keyed)
    assert stored.startswith("hmac-sha256:")
    assert tokens.token_matches(raw, stored, keyed)
    # Another secret does not verify, and a token made before the secret existed still does.
    assert not tokens.token_matches(raw, stored, AccessSettings(token_secret=SecretStr("other")))
    assert not tokens.token_matches(raw, stored, AccessSettings())
    plain = tokens.token_digest(raw, AccessSettings())
    assert tokens.token_matches(raw, plain, keyed)


def test_comparison_is_constant_time(
    monkeypatch: pytest.MonkeyPatch, settings: AccessSettings
) -> None:
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    raw, _ = tokens.new_token()
    assert tokens.token_matches(raw, tokens.token_digest(raw, settings), settings)
    assert not tokens.token_matches(raw, tokens.NO_MATCH_DIGEST, settings)
    assert not tokens.token_matches(raw, "md5:abc", settings)
    assert len(calls) == 3
