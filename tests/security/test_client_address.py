"""Behind a reverse proxy the client's address comes from X-Forwarded-For, and only from a trusted proxy
(config.client_address, TRUSTED_PROXIES). Without it every client behind the proxy shared one guess
counter (one guesser locked everyone out) and the audit named the proxy."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from audit.models import AuditEvent
from config.client_address import client_ip
from tests.security.conftest import WEEK_CODE, World

PROXY = "10.0.0.2"
ROOT = Path(__file__).resolve().parents[2]


def _ip(settings, remote: str, forwarded: str | None = None, proxies: list[str] = ()) -> str | None:
    settings.TRUSTED_PROXIES = list(proxies)
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_by_default_no_proxy_is_trusted_and_the_header_is_ignored(settings) -> None:
    assert _ip(settings, "203.0.113.7", "198.51.100.1") == "203.0.113.7"
    assert _ip(settings, PROXY, "198.51.100.1") == PROXY


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.7", "203.0.113.7"),  # one proxy
        (PROXY, "198.51.100.66, 203.0.113.7", "203.0.113.7"),  # the client's own header value is not used
        (PROXY, "203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two proxies: each trusted hop vouches for the next
        (PROXY, "203.0.113.7, 192.168.7.1", "192.168.7.1"),  # an untrusted hop is the client, even a private one
        (PROXY, "", PROXY),  # no header: the proxy itself
        (PROXY, "10.0.0.7, 10.0.0.9", "10.0.0.7"),  # everyone a proxy: the leftmost (a client inside)
        (PROXY, "203.0.113.7, garbage", PROXY),  # not an address: the nearest known hop, never a chosen value
        (PROXY, "unknown, 10.0.0.9", "10.0.0.9"),
        (PROXY, "203.0.113.7:5678", "203.0.113.7"),  # with a port
        (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        ("::ffff:10.0.0.2", "2001:db8::7", "2001:db8::7"),  # the proxy on an IPv4-mapped address
        ("203.0.113.99", "198.51.100.1", "203.0.113.99"),  # a peer that is no proxy cannot set the header
        ("fd00::5", "203.0.113.7", "203.0.113.7"),  # an IPv6 proxy network
    ],
)
def test_the_client_is_the_rightmost_address_that_is_not_a_trusted_proxy(settings, remote, forwarded, expected):
    assert _ip(settings, remote, forwarded, ["10.0.0.0/8", "fd00::/8"]) == expected


def test_a_single_proxy_address_can_be_trusted(settings) -> None:
    assert _ip(settings, PROXY, "203.0.113.7", [PROXY]) == "203.0.113.7"
    assert _ip(settings, "10.0.0.3", "203.0.113.7", [PROXY]) == "10.0.0.3"


@pytest.mark.django_db
def test_two_clients_behind_one_proxy_have_their_own_guess_counters_and_audit_address(world: World, settings) -> None:
    settings.TOKEN_MISS_LIMIT, settings.TOKEN_MISS_WINDOW_SECONDS = 20, 600
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    guesser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    neighbour = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.4")
    for n in range(20):
        assert guesser.get(f"/kalender/G{n:04d}{'x' * 39}.ics").status_code == 404
    assert guesser.get(f"/kalender/H0000{'x' * 39}.ics").status_code == 429
    # The same proxy, another client: still guessing at the normal pace (one shared counter before).
    assert neighbour.get(f"/kalender/H0001{'x' * 39}.ics").status_code == 404
    # A guesser cannot reset their counter by writing another address into the header.
    spoofing = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.77, 203.0.113.9")
    assert spoofing.get(f"/kalender/H0002{'x' * 39}.ics").status_code == 429
    page = world.links["citizen"].page_url.replace("http://127.0.0.1:8000", "") + f"?uge={WEEK_CODE}"
    assert neighbour.get(page).status_code == 200
    assert AuditEvent.objects.order_by("-pk").first().ip == "198.51.100.4"


def _check(value: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TRUSTED_PROXIES"}
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env={**env, "TRUSTED_PROXIES": value},
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_setting_comes_from_the_environment_and_refuses_what_is_not_an_address() -> None:
    assert _check("10.0.0.0/8, 192.0.2.1, fd00::/8").returncode == 0
    refused = _check("10.0.0.0/8, proxy.example.dk")
    assert refused.returncode != 0 and "TRUSTED_PROXIES: 'proxy.example.dk' is not an IP address" in refused.stderr
