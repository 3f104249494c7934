"""PRODUCTION=1 refuses to start on settings that would leak secret links or accept any Host header.

Settings are read once per process: each case starts `manage.py check` with its own environment.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_ENV = {
    "PRODUCTION": "1", "DEBUG": "0", "SECRET_KEY": "k" * 20 + "Zq9!xT4#pL2@vB7$nM5%" + "w" * 20,
    "ALLOWED_HOSTS": "ugeskema.example.dk", "SITE_URL": "https://ugeskema.example.dk",
}


def _check(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "DEBUG", "PRODUCTION", "ALLOWED_HOSTS", "SITE_URL"}}
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120, check=False)


def test_production_starts_with_https_and_named_hosts() -> None:
    result = _check(DEPLOY_ENV)
    assert result.returncode == 0, result.stderr[-2000:]


def test_production_refuses_an_http_site_url() -> None:
    result = _check({**DEPLOY_ENV, "SITE_URL": "http://ugeskema.example.dk"})
    assert result.returncode != 0
    assert "SITE_URL must be an https:// address in production" in result.stderr


def test_production_refuses_a_missing_site_url() -> None:
    env = {**DEPLOY_ENV}
    env.pop("SITE_URL")  # the development default is http://127.0.0.1:8000
    result = _check(env)
    assert result.returncode != 0 and "SITE_URL must be an https:// address" in result.stderr


def test_production_refuses_missing_or_empty_allowed_hosts() -> None:
    env = {**DEPLOY_ENV}
    env.pop("ALLOWED_HOSTS")
    for case in (env, {**DEPLOY_ENV, "ALLOWED_HOSTS": " , "}):
        result = _check(case)
        assert result.returncode != 0
        assert "ALLOWED_HOSTS must name the site's host names in production" in result.stderr


def test_development_keeps_its_defaults() -> None:
    result = _check({"PRODUCTION": "0"})
    assert result.returncode == 0, result.stderr[-2000:]
