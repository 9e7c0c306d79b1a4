from __future__ import annotations

import pytest

from treasury.access.principal import Zone
from treasury.access.settings import AccessSettings
from treasury.access.zones import client_address, parse_address, zone_for

INTRANET = AccessSettings(intranet_ranges="10.0.0.0/8, 192.168.0.0/16, fd00::/8")
PROXIED = AccessSettings(intranet_ranges="10.0.0.0/8", trusted_proxies="127.0.0.1, 172.20.0.0/16")


def test_default_has_no_intranet_not_even_loopback() -> None:
    default = AccessSettings()
    for host in ("127.0.0.1", "::1", "10.1.1.1", "192.168.1.1", "172.16.0.5"):
        assert zone_for(host, {}, default) is Zone.internet


@pytest.mark.parametrize(
    ("host", "zone"),
    [
        ("10.1.2.3", Zone.intranet),
        ("192.168.200.1", Zone.intranet),
        ("::ffff:10.9.9.9", Zone.intranet),
        ("fd12::1", Zone.intranet),
        ("11.0.0.1", Zone.internet),
        ("127.0.0.1", Zone.internet),
        ("2001:db8::1", Zone.internet),
        ("not-an-address", Zone.internet),
        ("", Zone.internet),
        (None, Zone.internet),
        ("testclient", Zone.internet),
    ],
)
def test_zone_from_peer(host: str | None, zone: Zone) -> None:
    assert zone_for(host, {}, INTRANET) is zone


def test_forwarded_for_ignored_from_untrusted_peer() -> None:
    headers = {"X-Forwarded-For": "10.1.2.3"}
    assert zone_for("8.8.8.8", headers, PROXIED) is Zone.internet
    assert zone_for("8.8.8.8", headers, INTRANET) is Zone.internet  # no proxies configured


def test_forwarded_for_honoured_from_trusted_proxy() -> None:
    assert zone_for("127.0.0.1", {"X-Forwarded-For": "10.1.2.3"}, PROXIED) is Zone.intranet
    assert zone_for("127.0.0.1", {"x-forwarded-for": "8.8.8.8"}, PROXIED) is Zone.internet


def test_forwarded_chain_read_right_to_left_skipping_trusted_proxies() -> None:
    # The client forged "10.0.0.1"; the proxies appended the real address 8.8.8.8.
    headers = {"X-Forwarded-For": "10.0.0.1, 8.8.8.8, 172.20.0.9"}
    assert str(client_address("127.0.0.1", headers, PROXIED)) == "8.8.8.8"
    assert zone_for("127.0.0.1", headers, PROXIED) is Zone.internet


def test_forwarded_chain_of_only_proxies_takes_leftmost() -> None:
    headers = {"X-Forwarded-For": "172.20.0.8, 172.20.0.9"}
    assert str(client_address("127.0.0.1", headers, PROXIED)) == "172.20.0.8"


def test_invalid_forwarded_entry_is_internet() -> None:
    headers = {"X-Forwarded-For": "10.0.0.1, garbage"}
    assert client_address("127.0.0.1", headers, PROXIED) is None
    assert zone_for("127.0.0.1", headers, PROXIED) is Zone.internet


def test_trusted_proxy_without_header_is_the_peer() -> None:
    assert str(client_address("127.0.0.1", {}, PROXIED)) == "127.0.0.1"


def test_settings_read_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from treasury.access.settings import get_access_settings

    monkeypatch.setenv("TREASURY_INTRANET_RANGES", "10.0.0.0/8")
    get_access_settings.cache_clear()
    assert zone_for("10.0.0.7") is Zone.intranet


def test_bad_ranges_fail_at_startup() -> None:
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6"):
        AccessSettings(intranet_ranges="10.0.0.0/8,intranet")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("[::1]:8080", "::1"), ("10.0.0.1:443", "10.0.0.1"), ('"10.0.0.1"', "10.0.0.1")],
)
def test_parse_address_forms(text: str, expected: str) -> None:
    assert str(parse_address(text)) == expected
