import pytest
from django.db import connection

from config.celery import app

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, monkeypatch):
    real = app.connection_for_write
    monkeypatch.setattr(app, "connection_for_write", lambda *a, **k: real("redis://127.0.0.1:1/0"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
