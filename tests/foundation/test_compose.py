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
