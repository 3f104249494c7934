"""The guess throttle (config.middleware.TokenGuessThrottleMiddleware) slows down whoever guesses secret
links or API tokens, and never holds up a valid credential: calendar providers and offices poll many
feeds from one shared address, and some of those feeds are stale."""
import pytest
from django.test import Client

from config.middleware import miss_network
from scheduler.publishing.tokens import feed_token_revoke, feed_token_rotate
from tests.security.conftest import WEEK_CODE, World

GUESSER = "203.0.113.9"
LIMIT = 20


def _path(url: str) -> str:
    return url.replace("http://127.0.0.1:8000", "")


def _guess(n: int) -> str:
    return f"G{n:04d}" + "x" * 39  # the shape of a real secret, never issued


@pytest.fixture(autouse=True)
def _limit(settings) -> None:
    settings.TOKEN_MISS_LIMIT = LIMIT
    settings.TOKEN_MISS_WINDOW_SECONDS = 600


def _burst(client: Client, count: int = LIMIT) -> None:
    for n in range(count):
        assert client.get(f"/kalender/{_guess(n)}.ics").status_code == 404


def test_after_a_burst_of_bad_links_every_good_link_and_token_from_that_address_still_answers(world: World) -> None:
    guesser = Client(REMOTE_ADDR=GUESSER)
    _burst(guesser)
    assert guesser.get(f"/borger/{_guess(99)}/").status_code == 429  # the address is throttled
    citizen, consultant = world.links["citizen"], world.links["consultant"]
    for url in (citizen.feed_url, consultant.feed_url, citizen.page_url + f"?uge={WEEK_CODE}",
                citizen.pdf_url + f"?uge={WEEK_CODE}", consultant.pdf_url + f"?uge={WEEK_CODE}"):
        assert guesser.get(_path(url)).status_code == 200, url
    bearer = Client(REMOTE_ADDR=GUESSER, HTTP_AUTHORIZATION=f"Bearer {world.tokens['coord_a']}")
    assert bearer.get("/api/citizens").status_code == 200
    assert bearer.get("/api/plans", {"week": WEEK_CODE, "site": "alfa"}).status_code == 200


def test_after_a_burst_of_bad_api_tokens_a_good_token_from_that_address_still_answers(world: World) -> None:
    guesser = Client(REMOTE_ADDR=GUESSER)
    for n in range(LIMIT):
        assert guesser.get("/api/citizens", HTTP_AUTHORIZATION=f"Bearer ugs_{_guess(n)}").status_code == 401
    assert guesser.get("/api/citizens", HTTP_AUTHORIZATION="Bearer ugs_wrong").status_code == 429
    good = guesser.get("/api/citizens", HTTP_AUTHORIZATION=f"Bearer {world.tokens['coord_a']}")
    assert good.status_code == 200
    assert guesser.get(_path(world.links["citizen"].feed_url)).status_code == 200


def test_an_enumerating_address_gets_429_with_retry_after_in_danish_and_as_api_json(world: World) -> None:
    guesser = Client(REMOTE_ADDR=GUESSER)
    _burst(guesser)
    page = guesser.get(f"/borger/{_guess(500)}/ugeskema.pdf")
    assert page.status_code == 429
    assert 0 < int(page["Retry-After"]) <= 600
    assert "Prøv igen om" in page.content.decode() and page["Content-Type"].startswith("text/plain")
    assert _guess(500) not in page.content.decode()
    answer = guesser.get("/api/citizens", HTTP_AUTHORIZATION="Bearer ugs_" + _guess(501))
    assert answer.status_code == 429 and 0 < int(answer["Retry-After"]) <= 600
    body = answer.json()
    assert body["code"] == "throttled" and "Prøv igen om" in body["detail"]
    assert body["extra"]["retry_after"] == int(answer["Retry-After"])
    # Other addresses guess on at the normal pace.
    assert Client(REMOTE_ADDR="198.51.100.1").get(f"/kalender/{_guess(1)}.ics").status_code == 404


def test_polling_revoked_and_expired_links_answers_410_and_is_not_counted_as_guessing(world: World) -> None:
    provider = Client(REMOTE_ADDR=GUESSER)  # a calendar provider polling many feeds from one address
    old = world.links["citizen"]
    new = feed_token_rotate(owner=world.objects["citizen_a"])
    feed_token_revoke(feed_token=world.links["consultant"].feed_token)
    for _ in range(3 * LIMIT):
        assert provider.get(_path(old.feed_url)).status_code == 410
        assert provider.get(_path(world.links["consultant"].feed_url)).status_code == 410
    assert provider.get(_path(new.feed_url)).status_code == 200
    # Not a single miss was counted: an unknown link still gets a plain 404.
    assert provider.get(f"/kalender/{_guess(1)}.ics").status_code == 404


def test_a_revoked_api_token_is_refused_without_counting_as_a_guess(world: World) -> None:
    from api.auth import api_token_create, api_token_revoke

    row, raw = api_token_create(user=world.users["coord_a"], name="old integration")
    api_token_revoke(token=row)
    client = Client(REMOTE_ADDR=GUESSER, HTTP_AUTHORIZATION=f"Bearer {raw}")
    for _ in range(2 * LIMIT):
        assert client.get("/api/citizens").status_code == 401
    assert Client(REMOTE_ADDR=GUESSER).get("/api/citizens", HTTP_AUTHORIZATION="Bearer ugs_x").status_code == 401


def test_a_valid_link_with_a_bad_week_is_not_a_guess(world: World) -> None:
    client = Client(REMOTE_ADDR=GUESSER)
    for _ in range(2 * LIMIT):
        assert client.get(_path(world.links["citizen"].page_url), {"uge": "0001-W01"}).status_code == 404
    assert client.get(f"/kalender/{_guess(1)}.ics").status_code == 404


def test_a_session_user_at_a_guessing_address_is_not_held_up(world: World) -> None:
    guesser = Client(REMOTE_ADDR=GUESSER, HTTP_AUTHORIZATION="Bearer ugs_wrong")
    for _ in range(LIMIT):
        assert guesser.get("/api/citizens").status_code == 401
    assert guesser.get("/api/citizens").status_code == 429
    client = Client(REMOTE_ADDR=GUESSER)
    client.force_login(world.users["coord_a"])
    assert client.get("/api/citizens").status_code == 200


def test_ipv6_misses_count_per_64_network(world: World) -> None:
    assert miss_network("2001:db8:1:2:aaaa::1") == miss_network("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert miss_network("::ffff:203.0.113.9") == "203.0.113.9"
    assert miss_network("not an address") == "unknown"
    for n in range(LIMIT):
        host = f"2001:db8:1:2::{n + 1:x}"  # a new address for every guess, same /64
        assert Client(REMOTE_ADDR=host).get(f"/kalender/{_guess(n)}.ics").status_code == 404
    assert Client(REMOTE_ADDR="2001:db8:1:2::ffff").get(f"/kalender/{_guess(99)}.ics").status_code == 429
    assert Client(REMOTE_ADDR="2001:db8:1:3::1").get(f"/kalender/{_guess(99)}.ics").status_code == 404


def test_429_is_declared_on_every_api_operation(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert operations
    for path, method, op in operations:
        assert "429" in op["responses"], (method, path)
        assert "410" not in op["responses"], (method, path)  # no API operation answers 410
