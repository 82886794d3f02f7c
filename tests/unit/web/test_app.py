"""The website over HTTP (``python -m web``): pages, the widget's files, health."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import requests

from tests.support.project import ROOT, TEST_CLINIC_YAML
from tests.support.website import Site


def get(site: Site, path: str) -> requests.Response:
    reply = requests.get(site.url + path, timeout=10)
    reply.raise_for_status()
    return reply


def test_health_answers_json(site: Site) -> None:
    reply = get(site, "/health")
    assert reply.json() == {"status": "ok"}
    assert requests.head(site.url + "/health", timeout=10).status_code == 200


def test_the_home_page_names_the_clinic_and_embeds_the_widget_with_one_tag(site: Site) -> None:
    html = get(site, "/").text
    assert "<title>Test Dermatology</title>" in html
    assert "not medical advice" in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == [f'<script src="/widget.js" data-socket-url="{site.socket_url}" defer>']


def test_the_about_page_has_the_same_widget_and_the_clinics_facts(site: Site) -> None:
    html = get(site, "/about").text
    assert "About Test Dermatology" in html
    assert "weekdays 8 to 4" in html
    assert 'href="https://test-dermatology.example/book"' in html
    assert f'<script src="/widget.js" data-socket-url="{site.socket_url}" defer>' in html


def test_the_pages_may_load_nothing_from_another_site(site: Site) -> None:
    policy = get(site, "/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert f"connect-src 'self' {site.socket_url} ws://localhost:5999" in policy
    assert "http" not in policy.replace(site.socket_url, "")


def test_widget_js_is_javascript_with_the_clinics_branding(site: Site) -> None:
    reply = get(site, "/widget.js")
    assert reply.headers["Content-Type"].startswith("text/javascript")
    assert '"primaryColor": "#6a1b4d"' in reply.text
    assert '"title": "Test Dermatology"' in reply.text
    assert f'"socketUrl": "{site.socket_url}"' in reply.text


def test_the_bundle_comes_from_node_modules_without_the_font_import(site: Site) -> None:
    reply = get(site, "/vendor/rasa-webchat.js")
    assert reply.headers["Content-Type"].startswith("text/javascript")
    assert "e.WebChat=t()" in reply.text
    assert "fonts.googleapis.com" not in reply.text


def test_the_logo_is_the_one_the_clinic_config_names(site: Site) -> None:
    reply = get(site, "/branding/logo")
    assert reply.headers["Content-Type"] == "image/svg+xml"
    assert reply.content == (ROOT / "web" / "static" / "logo.svg").read_bytes()


def test_the_projects_css_sets_a_system_font(site: Site) -> None:
    css = get(site, "/static/widget.css").text
    assert "system-ui" in css
    assert "googleapis" not in css + get(site, "/static/site.css").text


def test_an_unknown_address_is_not_found(site: Site) -> None:
    assert requests.get(site.url + "/nowhere", timeout=10).status_code == 404


def test_a_bad_setting_stops_the_server_with_a_clear_message() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "web"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "WEB_PORT": "http"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "web: WEB_PORT is 'http', which is not a port number" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_clinic_config_stops_the_server_naming_the_field(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(
        TEST_CLINIC_YAML.replace('primary_color: "#6a1b4d"', 'primary_color: "plum"'),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "web"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CLINIC_CONFIG": str(clinic)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "field 'branding.primary_color' is 'plum', which is not a hex colour" in result.stderr
    assert "Traceback" not in result.stderr
