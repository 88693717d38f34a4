"""Security headers on every page, request ids, JSON logs, and errors without tracebacks."""

import json
import logging

import pytest
from django.test import Client, override_settings

from core.logs import JsonFormatter, RequestIdFilter
from tests.factories import TeamFactory, athlete_with_login, staff

pytestmark = pytest.mark.django_db


def test_pages_carry_csp_frame_and_content_type_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def inline_scripts(html: str) -> list[str]:
    return [tag for tag in html.split("<script")[1:] if "src=" not in tag.split(">")[0]]


def test_pages_have_no_inline_scripts(client):
    assert inline_scripts(client.get("/accounts/login/").content.decode()) == []
    team = TeamFactory()
    client.force_login(staff(team))
    assert inline_scripts(client.get("/coach/").content.decode()) == []
    client.force_login(athlete_with_login(team).user)
    assert inline_scripts(client.get("/me/").content.decode()) == []


def test_templates_have_no_inline_event_handlers_or_javascript_urls():
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\son[a-z]+=", text), f"inline handler in {path}"
        assert "javascript:" not in text, f"javascript: URL in {path}"
        assert "<script>" not in text, f"inline <script> in {path}"


def test_the_api_docs_load_their_script_as_a_file(client):
    html = client.get("/api/docs/").content.decode()
    assert "<script>" not in html
    assert "?script" in html


def test_every_response_carries_a_request_id_and_keeps_a_sane_incoming_one(client):
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="proxy-abc.123")["X-Request-ID"] == (
        "proxy-abc.123"
    )
    hostile = client.get("/healthz", HTTP_X_REQUEST_ID="x\nforged log line" + "y" * 100)
    assert hostile["X-Request-ID"] != "x\nforged log line" and "\n" not in hostile["X-Request-ID"]


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.lines = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@override_settings(ROOT_URLCONF="tests.config.boom_urls", DEBUG=False)
def test_log_lines_written_during_a_request_carry_its_id():
    handler = ListHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        Client(raise_request_exception=False).get("/boom/", HTTP_X_REQUEST_ID="req-42")
        logging.getLogger("sprintback.test").warning("after the request")
    finally:
        root.removeHandler(handler)
    by_message = {line["message"]: line for line in handler.lines}
    assert by_message["about to fail"]["request_id"] == "req-42"
    assert by_message["Internal Server Error: /boom/"]["request_id"] == "req-42"
    assert "secret internals" in by_message["Internal Server Error: /boom/"]["exc"]
    assert by_message["after the request"]["request_id"] == "-"


def test_json_log_lines_are_one_object_with_the_request_id():
    record = logging.makeLogRecord(
        {"name": "monitoring", "levelname": "INFO", "msg": "scan %s", "args": ("done",)}
    )
    record.request_id = "abc"
    record.athlete_id = 7
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "scan done"
    assert line["request_id"] == "abc"
    assert line["athlete_id"] == 7
    assert line["level"] == "INFO" and line["logger"] == "monitoring"


@override_settings(ROOT_URLCONF="tests.config.boom_urls", DEBUG=False)
def test_a_crash_shows_a_plain_500_page_without_the_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "secret internals" not in body and "Traceback" not in body
    api = client.get("/api/boom/")
    assert api.status_code == 500
    assert api.json() == {"detail": "Something went wrong on our side; it was logged."}


@override_settings(ROOT_URLCONF="tests.config.boom_urls", DEBUG=False)
def test_an_unreachable_database_is_a_clean_503_with_retry_after():
    client = Client(raise_request_exception=False)
    page = client.get("/db-down/")
    assert page.status_code == 503 and page["Retry-After"]
    assert "Connection refused" not in page.content.decode()
    api = client.post("/api/db-down/", {}, content_type="application/json")
    assert api.status_code == 503 and api["Retry-After"]
    assert "nothing was saved" in api.json()["detail"]


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https_except_the_health_check(client):
    login = client.get("/accounts/login/")
    assert login.status_code == 301 and login["Location"].startswith("https://")
    assert client.get("/healthz").status_code in (200, 503)
