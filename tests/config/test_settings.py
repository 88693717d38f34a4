"""A malformed environment fails at start with a message that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(**env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DATABASE_URL": "mysqlish://nope"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"CELERY_BROKER_URL": "localhost"}, "CELERY_BROKER_URL"),
        ({"DEBUG": "false"}, "SECRET_KEY must be set"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ({"SITE_URL": "sprintback.example.org"}, "SITE_URL"),
        ({"CONN_MAX_AGE": "ten", "DATABASE_URL": "postgres://u@localhost/x"}, "CONN_MAX_AGE"),
        ({"MONITORING_SWEEP_SECONDS": "soon"}, "MONITORING_SWEEP_SECONDS"),
        ({"MONITORING_SWEEP_SECONDS": "0"}, "MONITORING_SWEEP_SECONDS"),
        ({"API_TOKEN_TTL_DAYS": "ninety"}, "API_TOKEN_TTL_DAYS"),
        ({"API_TOKEN_TTL_DAYS": "0"}, "API_TOKEN_TTL_DAYS"),
    ],
)
def test_malformed_environment_fails_with_a_clear_message(env, message):
    result = start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_defaults_need_no_environment():
    result = start(CELERY_BROKER_DIR="/tmp/sprintback-test-broker")
    assert result.returncode == 0, result.stderr


# Maybe set by CI or a developer's shell; the tests below give their own or want the default.
NOT_INHERITED = (
    "CELERY_BROKER_URL",
    "CELERY_BROKER_DIR",
    "CELERY_BEAT_DIR",
    "MONITORING_SWEEP_SECONDS",
    "API_TOKEN_TTL_DAYS",
)


def settings_seen_with(code, **env):
    """What `code` prints after Django set up its settings with this environment."""
    environment = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; " + code,
        ],
        cwd=ROOT,
        env={**environment, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("days, seen", [(None, "90"), ("30", "30")])
def test_api_tokens_last_api_token_ttl_days(days, seen):
    env = {} if days is None else {"API_TOKEN_TTL_DAYS": days}
    code = "from knox.settings import knox_settings; print(knox_settings.TOKEN_TTL.days)"
    assert settings_seen_with(code, **env) == seen


@pytest.mark.parametrize("broker", ["redis://127.0.0.1:1/0", "filesystem://"])
def test_the_beat_schedule_folder_exists_whatever_the_broker(tmp_path, broker):
    """Celery beat dies at start when its schedule file's folder is missing (it was only made
    for the file-system broker)."""
    beat_dir, broker_dir = tmp_path / "beat", tmp_path / "broker"

    filename = settings_seen_with(
        "print(settings.CELERY_BEAT_SCHEDULE_FILENAME)",
        CELERY_BROKER_URL=broker,
        CELERY_BEAT_DIR=str(beat_dir),
        CELERY_BROKER_DIR=str(broker_dir),
    )

    assert beat_dir.is_dir()
    assert Path(filename).parent == beat_dir
    assert broker_dir.exists() == broker.startswith("filesystem")


@pytest.mark.parametrize(
    "seconds, schedule", [(None, "<crontab: * * * * * (m/h/dM/MY/d)>"), ("3", "0:00:03")]
)
def test_the_pending_sweep_runs_each_minute_unless_told_otherwise(tmp_path, seconds, schedule):
    env = {"CELERY_BROKER_DIR": str(tmp_path)}
    if seconds:
        env["MONITORING_SWEEP_SECONDS"] = seconds
    seen = settings_seen_with(
        "print(settings.CELERY_BEAT_SCHEDULE['monitoring-pending-evaluations']['schedule'])",
        **env,
    )
    assert seen == schedule


def test_collectstatic_with_the_production_storage_succeeds(tmp_path):
    """The manifest storage (DEBUG=false) rewrites every CSS/JS reference; a vendored file
    pointing at a missing source map would break the Docker build and `make fuzz`."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    environment.update(
        DEBUG="false",
        SECRET_KEY="x" * 60,
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()
