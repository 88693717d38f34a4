"""Installable (manifest, root-served service worker) and light: the check-in page under 60 KB
compressed, History (with its chart) under its own budget."""

import datetime as dt
import gzip
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from portal.me_views import HISTORY_DAYS
from tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db
BUDGET_BYTES = 60 * 1024
HISTORY_BUDGET_BYTES = 60 * 1024


def test_service_worker_is_served_from_the_root_for_the_me_scope(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert "workbox-sw.js" in body and "NetworkFirst" in body


def test_manifest_makes_the_athlete_pages_installable(client):
    response = client.get("/manifest.webmanifest")
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/me/" and manifest["scope"] == "/me/"
    assert manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def page_weight(client, url_name: str) -> dict:
    """Compressed bytes of an athlete page's HTML and every CSS/JS file it references."""
    html = client.get(reverse(url_name)).content
    sizes = {"html": _gzip_size(html)}
    for url in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html):
        path = finders.find(url.decode().removeprefix("/static/"))
        with open(path, "rb") as f:
            sizes[url.decode()] = _gzip_size(f.read())
    return sizes


def test_the_checkin_page_with_its_css_and_js_is_under_60_kb_compressed(me_client, capsys):
    sizes = page_weight(me_client, "me:today")
    total = sum(sizes.values())
    with capsys.disabled():
        print(f"\ncheck-in page weight (gzip): {total / 1024:.1f} KB {sizes}")
    assert any(u.endswith("me.js") for u in sizes) and any(u.endswith("app.css") for u in sizes)
    assert not any("uplot" in u or "htmx" in u or "charts.js" in u for u in sizes)
    assert total < BUDGET_BYTES


def test_history_with_its_chart_is_under_its_budget_compressed(me_client, squad, capsys):
    """History carries the chart library (and htmx for its pager): its own budget, measured
    with eight weeks of check-ins on the page."""
    today = timezone.localtime()
    for days_ago in range(HISTORY_DAYS):
        CheckInFactory(athlete=squad["me"], taken_at=today - dt.timedelta(days=days_ago))
    sizes = page_weight(me_client, "me:history")
    total = sum(sizes.values())
    with capsys.disabled():
        print(f"\nhistory page weight (gzip): {total / 1024:.1f} KB {sizes}")
    assert any("uplot" in u for u in sizes) and any(u.endswith("charts.js") for u in sizes)
    assert total < HISTORY_BUDGET_BYTES
