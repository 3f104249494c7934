"""Secret links and API tokens: random, hashed, rotatable, revocable, expiring (the throttle of misses is in
test_throttle.py); tokens and names never in logs or error pages."""
import logging
from datetime import date

from django.test import Client
from django.utils import timezone

from api.auth import api_token_create, api_token_revoke
from api.models import ApiToken, token_hash
from scheduler.models import EnrolmentStatus, FeedToken
from scheduler.publishing.tokens import feed_token_revoke, feed_token_rotate
from tests.security.conftest import World


def _path(url: str) -> str:
    return url.replace("http://127.0.0.1:8000", "")


def test_links_carry_at_least_128_random_bits_and_only_hashes_are_stored(world: World) -> None:
    link = world.links["citizen"]
    assert len(link.page_token) >= 43 and len(link.feed_secret) >= 43  # 32 random bytes, base64url
    stored = FeedToken.objects.get(pk=link.feed_token.pk)
    assert link.page_token not in stored.token_hash and link.feed_secret not in stored.token_hash
    raw = world.tokens["coord_a"]
    row = ApiToken.objects.get(token_hash=token_hash(raw))
    assert raw not in row.token_hash and len(raw) >= 36


def test_a_rotated_link_stops_working_and_the_new_one_works(world: World) -> None:
    old = world.links["citizen"]
    new = feed_token_rotate(owner=world.objects["citizen_a"])
    client = Client()
    assert client.get(_path(old.page_url)).status_code == 410
    assert client.get(_path(old.feed_url)).status_code == 410
    assert client.get(_path(new.page_url)).status_code == 200


def test_a_revoked_link_answers_410_and_a_revoked_api_token_401_saying_so(world: World) -> None:
    link = world.links["consultant"]
    feed_token_revoke(feed_token=link.feed_token)
    gone = Client().get(_path(link.feed_url))
    assert gone.status_code == 410 and "nyt link" in gone.content.decode()
    assert link.feed_secret not in gone.content.decode()
    row, raw = api_token_create(user=world.users["coord_a"], name="x")
    api_token_revoke(token=row)
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/citizens")
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"
    unknown = Client(HTTP_AUTHORIZATION="Bearer ugs_" + "x" * 40).get("/api/citizens")
    assert unknown.status_code == 401 and unknown.json().get("code") is None  # unknown stays unexplained


def test_the_citizen_link_dies_when_the_course_ends(world: World) -> None:
    enrolment = world.objects["enrolment"]
    enrolment.end_date, enrolment.status = date(2026, 1, 30), EnrolmentStatus.ENDED
    enrolment.save()
    link = world.links["citizen"]
    for url in (link.page_url, link.pdf_url, link.feed_url):
        assert Client().get(_path(url)).status_code == 410


def test_a_feed_secret_does_not_open_the_page_and_a_consultant_link_not_a_citizen_page(world: World) -> None:
    citizen, consultant = world.links["citizen"], world.links["consultant"]
    assert Client().get(f"/borger/{citizen.feed_secret}/").status_code == 404
    assert Client().get(f"/borger/{consultant.page_token}/").status_code == 404
    assert Client().get(f"/borger/{consultant.page_token}/ugeskema.pdf").status_code == 404


def test_a_missed_token_never_reaches_the_log_or_the_error_page(world: World, caplog, settings) -> None:
    settings.DEBUG = False
    secret = "Zq9" + "x" * 40
    # These loggers do not propagate (settings.LOGGING): listen on them directly, at DEBUG.
    loggers = [logging.getLogger(name) for name in ("django.request", "django.server")]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG, logger="django.request"), \
                caplog.at_level(logging.DEBUG, logger="django.server"):
            response = Client().get(f"/kalender/{secret}.ics")
            page = Client().get(f"/borger/{secret}/ugeskema.pdf")
    finally:
        for logger in loggers:
            logger.removeHandler(caplog.handler)
    assert response.status_code == 404 and page.status_code == 404
    assert secret.encode() not in response.content and secret.encode() not in page.content
    assert secret not in caplog.text
    assert "[skjult]" in caplog.text  # the 404 warning was written, redacted


def test_the_runserver_access_log_redacts_tokens(caplog) -> None:
    from config.log_redaction import RedactTokenFilter

    logger = logging.getLogger("django.server")
    assert any(isinstance(f, RedactTokenFilter) for f in logger.filters)
    secret = "Qw8" + "y" * 40
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG, logger="django.server"):
            logger.info('"%s" %s %s', f"GET /kalender/{secret}.ics HTTP/1.1", 200, 512)
    finally:
        logger.removeHandler(caplog.handler)
    assert secret not in caplog.text and "/kalender/[skjult]" in caplog.text


def test_citizen_names_are_not_logged_when_api_answers_fail(world: World, caplog) -> None:
    client = world.api("coord_b")
    with caplog.at_level(logging.DEBUG):
        assert client.get(f"/api/citizens/{world.objects['citizen_a'].pk}").status_code == 404
        assert client.patch(f"/api/citizens/{world.objects['citizen_a'].pk}", data="{}",
                            content_type="application/json").status_code == 404
    assert "Jensen" not in caplog.text and "Anne" not in caplog.text


def test_an_api_token_stays_valid_until_revoked_and_expiring_links_are_checked_at_use(world: World) -> None:
    token = world.links["consultant"].feed_token
    FeedToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert Client().get(_path(world.links["consultant"].feed_url)).status_code == 410
