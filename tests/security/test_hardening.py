"""Headers, deployment settings, CSRF, login throttling and request size limits."""
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client

from tests.security.conftest import World

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_ENV = {
    "PRODUCTION": "1", "DEBUG": "0", "SECRET_KEY": "k" * 20 + "Zq9!xT4#pL2@vB7$nM5%" + "w" * 20,
    "ALLOWED_HOSTS": "ugeskema.example.dk", "SITE_URL": "https://ugeskema.example.dk",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests when they share this worker process.
    ignored = ("SECRET_KEY", "DEBUG", "PRODUCTION", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_in_production() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=DEPLOY_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {**DEPLOY_ENV}
    env.pop("SECRET_KEY")
    result = _manage("check", env=env)
    assert result.returncode != 0 and "SECRET_KEY must be set in production" in result.stderr


def test_every_answer_carries_the_security_headers(world: World) -> None:
    for client, url in [(world.web("coord_a"), "/uge/"), (Client(), "/login/"),
                        (Client(), world.links["citizen"].page_url.replace("http://127.0.0.1:8000", "")),
                        (world.api("coord_a"), "/api/citizens"), (Client(), "/kalender/x.ics")]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] in ("same-origin", "no-referrer")
        assert "camera=()" in response["Permissions-Policy"]


def test_inline_styles_need_the_per_request_nonce(world: World) -> None:
    response = Client().get(world.links["citizen"].page_url.replace("http://127.0.0.1:8000", ""))
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">'.encode() in response.content
    assert b"<script>" not in response.content  # no inline script anywhere on the page


def test_pages_behind_a_login_are_not_cached(world: World) -> None:
    assert "no-store" in world.web("coord_a").get("/uge/")["Cache-Control"]


def test_session_api_writes_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["coord_a"])
    url = f"/api/citizens/{world.objects['citizen_a'].pk}"
    assert client.patch(url, data="{}", content_type="application/json").status_code == 403
    client.get("/data/borgere/ny/")  # a form page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    answer = client.patch(url, data="{}", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 200
    # Bearer tokens are not sent by browsers on their own: no CSRF needed.
    assert world.api("coord_a").patch(url, data="{}", content_type="application/json").status_code == 200


def test_web_forms_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["coord_a"])
    assert client.post(f"/aftale/{world.objects['draft_appointment'].pk}/fastlaas/").status_code == 403
    page = client.get("/data/borgere/ny/")
    assert b'name="csrfmiddlewaretoken"' in page.content


def test_five_failed_logins_lock_the_account_for_that_address(world: World) -> None:
    user = world.users["coord_a"]
    user.set_password("rigtig-kode-123")
    user.save()
    client = Client(REMOTE_ADDR="192.0.2.50")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        answer = client.post("/login/", {"username": user.username, "password": "forkert"})
        assert answer.status_code == 200  # the form again, with an error
    assert client.post("/login/", {"username": user.username, "password": "forkert"}).status_code == 429
    locked = client.post("/login/", {"username": user.username, "password": "rigtig-kode-123"})
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated
    fresh = Client(REMOTE_ADDR="192.0.2.51").post("/login/", {"username": user.username,
                                                              "password": "rigtig-kode-123"})
    assert fresh.status_code == 302  # another address is not locked out


def test_an_oversized_import_is_refused_before_it_is_read(world: World) -> None:
    body = b'{"format": "ugeskema-centre/1", "pad": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b'"}'
    answer = world.api("coord_a").post("/api/import", data=body, content_type="application/json")
    assert answer.status_code == 413
