"""Installable (manifest, root-served service worker) and light (< 60 KB compressed)."""

import gzip
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db
BUDGET_BYTES = 60 * 1024


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


def checkin_page_weight(client) -> dict:
    """Compressed bytes of the check-in page's HTML and every CSS/JS file it references."""
    html = client.get(reverse("me:today")).content
    sizes = {"html": _gzip_size(html)}
    for url in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html):
        path = finders.find(url.decode().removeprefix("/static/"))
        with open(path, "rb") as f:
            sizes[url.decode()] = _gzip_size(f.read())
    return sizes


def test_the_checkin_page_with_its_css_and_js_is_under_60_kb_compressed(me_client, capsys):
    sizes = checkin_page_weight(me_client)
    total = sum(sizes.values())
    with capsys.disabled():
        print(f"\ncheck-in page weight (gzip): {total / 1024:.1f} KB {sizes}")
    assert any(u.endswith("me.js") for u in sizes) and any(u.endswith("app.css") for u in sizes)
    assert not any("uplot" in u or "htmx" in u for u in sizes)
    assert total < BUDGET_BYTES
