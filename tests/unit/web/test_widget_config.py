"""What /widget.js tells the widget: the clinic's name, colours and logo, and the server."""

from __future__ import annotations

import json
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from clinic.config import Clinic, load_clinic
from tests.support.project import TEST_CLINIC_YAML
from web.settings import TEMPLATES_DIR, WebSettings
from web.widget import render_widget_js, widget_config

SETTINGS = WebSettings(rasa_socket_url="https://assistant.test-dermatology.example")


def make_clinic(tmp_path: Path) -> Clinic:
    path = tmp_path / "clinic.yml"
    path.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    return load_clinic(path)


def templates() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)))


def config_text(script: str) -> str:
    found = re.search(r"var CONFIG = (\{.*\});\n", script)
    assert found, "no CONFIG line in widget.js"
    return found.group(1)


def config_in(script: str) -> dict:
    loaded: dict = json.loads(config_text(script))
    return loaded


def test_the_config_has_the_clinics_branding_and_the_server(tmp_path: Path) -> None:
    config = widget_config(make_clinic(tmp_path), SETTINGS)
    assert config["title"] == "Test Dermatology"
    assert config["subtitle"] == "Questions about Botox for acne scars"
    assert (config["primaryColor"], config["accentColor"]) == ("#6a1b4d", "#f6e8f0")
    assert config["logo"] == "branding/logo"
    assert config["socketUrl"] == "https://assistant.test-dermatology.example"
    assert config["socketPath"] == "/socket.io/"
    assert config["initPayload"] == "/greet"
    # The conversation is forgotten when the browser closes: not left on a shared computer.
    assert config["storage"] == "session"
    assert config["labels"]["open"] == "Open the chat with Test Dermatology's assistant"


def test_the_clinic_can_keep_the_conversation_until_the_browser_is_cleared(
    tmp_path: Path,
) -> None:
    path = tmp_path / "clinic.yml"
    path.write_text(TEST_CLINIC_YAML + 'widget_storage: "local"\n', encoding="utf-8")
    assert widget_config(load_clinic(path), SETTINGS)["storage"] == "local"


def test_the_opening_payload_is_one_the_payload_guard_allows() -> None:
    config_yml = (TEMPLATES_DIR.parent.parent / "config.yml").read_text(encoding="utf-8")
    assert 'allowed_payloads: ["/greet"]' in config_yml


def test_widget_js_carries_the_config(tmp_path: Path) -> None:
    config = widget_config(make_clinic(tmp_path), SETTINGS)
    script = render_widget_js(templates(), config)
    assert config_in(script) == config
    assert "window.WebChat.default(" in script


def test_a_clinic_name_cannot_break_out_of_the_script(tmp_path: Path) -> None:
    clinic = make_clinic(tmp_path)
    hostile = Clinic(**{**clinic.__dict__, "name": "</script><script>alert('x')</script>"})
    script = render_widget_js(templates(), widget_config(hostile, SETTINGS))
    assert "<" not in config_text(script)
    assert config_in(script)["title"] == "</script><script>alert('x')</script>"
