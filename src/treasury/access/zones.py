"""Network zone of a request: its client address against the configured intranet ranges."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

from treasury.access.principal import Zone
from treasury.access.settings import AccessSettings, Network, get_access_settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str | None) -> Address | None:
    """Parse one address as found in a socket peer or a forwarding header; None when invalid.

    IPv4-mapped IPv6 addresses become IPv4; ``[v6]:port`` and ``v4:port`` lose their port.

    Examples
    --------
    >>> parse_address("::ffff:10.1.2.3")
    IPv4Address('10.1.2.3')
    >>> parse_address("[2001:db8::1]:443")
    IPv6Address('2001:db8::1')
    >>> parse_address("unknown") is None
    True
    """
    if not text:
        return None
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _within(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def client_address(
    client_host: str | None,
    headers: Mapping[str, str] | None = None,
    settings: AccessSettings | None = None,
) -> Address | None:
    """The address of the real client: the peer, or ``X-Forwarded-For`` behind a trusted proxy.

    The header is read right to left, skipping trusted proxies; the first other entry is the
    client. The header is ignored unless the direct peer is a configured trusted proxy, so a
    client cannot claim an intranet address by sending the header itself.

    Parameters
    ----------
    client_host
        The direct peer's address (``request.client.host``).
    headers
        Request headers (any mapping; names are matched case-insensitively).
    settings
        Access settings; the process-wide ones by default.

    Returns
    -------
    ipaddress.IPv4Address or ipaddress.IPv6Address or None
        None when the address (or the forwarded one) is missing or invalid.
    """
    settings = settings or get_access_settings()
    peer = parse_address(client_host)
    proxies = settings.proxy_networks
    if peer is None or not proxies or not _within(peer, proxies):
        return peer
    forwarded = _header(headers or {}, "x-forwarded-for")
    if not forwarded:
        return peer
    hops = [part.strip() for part in forwarded.split(",")]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            return None
        if not _within(address, proxies):
            return address
    return parse_address(hops[0])


def zone_for(
    client_host: str | None,
    headers: Mapping[str, str] | None = None,
    settings: AccessSettings | None = None,
) -> Zone:
    """The network zone of a request.

    Parameters
    ----------
    client_host
        The direct peer's address (``request.client.host``).
    headers
        Request headers; ``X-Forwarded-For`` counts only from a trusted proxy.
    settings
        Access settings (``intranet_ranges``, ``trusted_proxies``); process-wide by default.

    Returns
    -------
    Zone
        ``intranet`` when the client address lies in a configured intranet range, otherwise
        ``internet`` (also for missing or invalid addresses).

    Examples
    --------
    >>> from treasury.access.settings import AccessSettings
    >>> s = AccessSettings(intranet_ranges="10.0.0.0/8")
    >>> zone_for("10.20.30.40", {}, s).value, zone_for("8.8.8.8", {}, s).value
    ('intranet', 'internet')
    """
    settings = settings or get_access_settings()
    address = client_address(client_host, headers, settings)
    if address is not None and _within(address, settings.intranet_networks):
        return Zone.intranet
    return Zone.internet
