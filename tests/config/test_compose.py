"""No Docker engine runs here: the compose file is checked by parsing it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command(service) -> str:
    cmd = service["command"]
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def test_compose_has_the_production_services_with_health_checks():
    services = compose()["services"]
    assert set(services) >= {"postgres", "redis", "web", "worker", "beat"}
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "pgdata" in compose()["volumes"]


def test_app_services_run_gunicorn_celery_worker_and_beat():
    services = compose()["services"]
    web = command(services["web"])
    assert "gunicorn config.wsgi:application" in web
    assert "migrate" in web and "collectstatic" in web
    assert "celery -A config worker" in command(services["worker"])
    assert "celery -A config beat" in command(services["beat"])


def test_app_services_get_database_broker_and_secrets_from_the_environment():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert (
            env["DATABASE_URL"].startswith("postgres://")
            and "@postgres:5432/" in env["DATABASE_URL"]
        )
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        assert env["DEBUG"] == "false"
        assert "SECRET_KEY" in env and "ALLOWED_HOSTS" in env
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    assert (ROOT / "Dockerfile").exists() and (ROOT / ".env.example").exists()


def test_web_serves_with_the_gunicorn_config_and_a_shared_cache():
    services = compose()["services"]
    assert "--config config/gunicorn.py" in command(services["web"])
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["CACHE_URL"].startswith("redis://redis:6379/")
        # The container's own health check calls http://127.0.0.1:8000/healthz.
        assert env["ALLOWED_HOSTS"].endswith(",127.0.0.1")
    assert "127.0.0.1:8000/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_the_gunicorn_config_loads():
    import runpy

    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert config["workers"] >= 1
    assert "request_id" in config["access_log_format"]


def test_the_documented_environment_names_only_settings_that_exist():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    gunicorn_source = (ROOT / "config" / "gunicorn.py").read_text()
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.lstrip("# ").strip()
        if "=" not in line or " " in line.split("=", 1)[0]:
            continue
        name = line.split("=", 1)[0]
        if name in ("POSTGRES_PASSWORD",):
            continue  # read by docker-compose.yml itself
        assert f'"{name}"' in settings_source + gunicorn_source, name
