"""Production differs only by environment, and that environment passes `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "sprintback.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://sprintback.example.org",
    "DATABASE_URL": "postgres://sprintback@127.0.0.1:5432/sprintback",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
}


def run_manage(*args, **env):
    # The test process itself sets DJANGO_ALLOW_ASYNC_UNSAFE (for Playwright); production never does.
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_for_the_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_are_the_safe_ones():
    script = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.X_FRAME_OPTIONS, s.LOG_FORMAT,"
        " s.AXES_FAILURE_LIMIT)"
    )
    result = run_manage("shell", "--no-imports", "-c", script, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "DENY", "json", "5"]


def test_the_proxy_header_is_trusted_only_when_the_environment_says_so():
    script = "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER)"
    assert run_manage("shell", "--no-imports", "-c", script, **PRODUCTION).stdout.strip() == "None"
    behind = run_manage(
        "shell", "--no-imports", "-c", script, BEHIND_TLS_PROXY="true", **PRODUCTION
    )
    assert "HTTP_X_FORWARDED_PROTO" in behind.stdout


def test_a_malformed_log_format_fails_with_a_clear_message():
    result = run_manage("check", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT='xml'" in result.stderr


def test_the_example_environment_with_a_real_key_passes_check_deploy():
    example = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            example[name] = value
    example["SECRET_KEY"] = secrets.token_urlsafe(64)
    env = {**PRODUCTION, **example}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr
