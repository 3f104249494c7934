"""The address of the client behind the request, for the guess throttle, the login throttle and the audit.

Behind a reverse proxy REMOTE_ADDR is the proxy: every client would share one throttle counter (twenty
wrong links from anyone lock everyone out) and the audit would name the proxy. The proxy appends the
address it received the request from to X-Forwarded-For, but the client can send that header too, with
anything in it. So the header is read only when the direct peer is one of TRUSTED_PROXIES (addresses or
networks, settings; empty by default: no proxy is trusted and the header is ignored), and from the right:
each trusted hop vouches for the address to its left, and the first address that is not a trusted proxy
is the client. Whatever the client wrote further left is never used.

An entry that is not an address (a client's garbage, an "unknown") ends the walk: the nearest hop that is
known is used instead, which is a trusted proxy, never a value the client chose.
"""
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_LENGTH = 45  # AuditEvent.ip; the longest IPv6 text form


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    # settings.py refused anything that is not an address or a network at start-up.
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def parse_address(text: str) -> IPAddress | None:
    """An address as proxies write it: "203.0.113.7", "2001:db8::1", "[2001:db8::1]:443", "203.0.113.7:5678"."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]  # IPv4 with a port
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks: tuple) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address (see the module docstring), or None when there is none worth storing."""
    if request is None:
        return None
    peer_text = request.META.get("REMOTE_ADDR") or ""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    peer = parse_address(peer_text) if networks else None
    if peer is None or not _is_trusted(peer, networks):
        return peer_text if peer_text and len(peer_text) <= MAX_LENGTH else None
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    nearest = peer
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break
        nearest = address
        if not _is_trusted(address, networks):
            break
    return str(nearest)
