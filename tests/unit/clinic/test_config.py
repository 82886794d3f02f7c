"""The clinic config loader: good files load, bad ones fail naming the bad field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Optional

import pytest

from clinic import settings
from clinic.config import (
    Branding,
    Clinic,
    ClinicConfigError,
    contrast_ratio,
    load_clinic,
    parse_branding,
    parse_clinic,
)
from tests.support.project import ROOT, TEST_CLINIC_YAML

GOOD = {
    "name": "Test Dermatology",
    "phone": "+1 555 0100",
    "booking_url": "https://test-dermatology.example/book",
    "email": "desk@test-dermatology.example",
    "opening_hours": "weekdays 8 to 4",
    "emergency_number": "911",
}


#: The branding of TEST_CLINIC_YAML.
TEST_BRANDING = Branding(
    primary_color="#6a1b4d", accent_color="#f6e8f0", logo=ROOT / "web" / "static" / "logo.svg"
)


def clinic_of(facts: Dict[str, str], branding: Optional[Branding] = None) -> Clinic:
    """The clinic with ``facts`` (the fields of GOOD) and ``branding`` (default: none)."""
    return Clinic(
        name=facts["name"],
        phone=facts["phone"],
        booking_url=facts["booking_url"],
        email=facts["email"],
        opening_hours=facts["opening_hours"],
        emergency_number=facts["emergency_number"],
        branding=branding or Branding(),
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "clinic.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_clinic_config_loads() -> None:
    clinic = load_clinic(ROOT / "clinic.yml")
    assert clinic.name == "Example Skin Clinic (demo)"
    assert clinic.booking_url.startswith("https://")
    assert clinic.branding.logo == ROOT / "web" / "static" / "logo.svg"


def test_a_good_file_loads_every_field(tmp_path: Path) -> None:
    assert load_clinic(write(tmp_path, TEST_CLINIC_YAML)) == clinic_of(GOOD, TEST_BRANDING)


def test_template_values_name_every_placeholder() -> None:
    assert clinic_of(GOOD).template_values() == {
        "clinic_name": "Test Dermatology",
        "clinic_phone": "+1 555 0100",
        "booking_url": "https://test-dermatology.example/book",
        "clinic_email": "desk@test-dermatology.example",
        "opening_hours": "weekdays 8 to 4",
        "emergency_number": "911",
    }


def test_a_number_written_without_quotes_is_accepted() -> None:
    assert parse_clinic({**GOOD, "emergency_number": 112}).emergency_number == "112"


@pytest.mark.parametrize("field", sorted(GOOD))
def test_a_missing_field_is_named(field: str) -> None:
    data = {k: v for k, v in GOOD.items() if k != field}
    with pytest.raises(ClinicConfigError, match=f"field '{field}' is missing or empty"):
        parse_clinic(data)


@pytest.mark.parametrize("field", sorted(GOOD))
def test_an_empty_field_is_named(field: str) -> None:
    with pytest.raises(ClinicConfigError, match=f"field '{field}' is missing or empty"):
        parse_clinic({**GOOD, field: "   "})


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("phone", "call us", "not a phone number"),
        ("emergency_number", "ambulance", "not a phone number"),
        ("booking_url", "www.clinic.example", "not a web address"),
        # The booking link is shown as a link in every channel: https only.
        ("booking_url", "http://clinic.example/book", "not a web address"),
        ("email", "clinic at example", "not an e-mail address"),
    ],
)
def test_a_malformed_field_is_named(field: str, value: str, expected: str) -> None:
    with pytest.raises(
        ClinicConfigError, match=f"field '{field}' is '{value}', which is {expected}"
    ):
        parse_clinic({**GOOD, field: value})


def test_a_field_of_the_wrong_type_is_named() -> None:
    with pytest.raises(ClinicConfigError, match="field 'opening_hours' must be text, found list"):
        parse_clinic({**GOOD, "opening_hours": ["9-5"]})


def test_an_unknown_field_is_named() -> None:
    with pytest.raises(ClinicConfigError, match="unknown field 'fax'"):
        parse_clinic({**GOOD, "fax": "123"})


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ClinicConfigError, match="expected fields"):
        load_clinic(write(tmp_path, "- just a list\n"))


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ClinicConfigError, match="not valid YAML"):
        load_clinic(write(tmp_path, 'name: "unterminated\n'))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ClinicConfigError, match="cannot read the clinic config"):
        load_clinic(tmp_path / "nowhere.yml")


def test_the_path_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_CONFIG", "/somewhere/clinic.yml")
    assert settings.clinic_config_path() == Path("/somewhere/clinic.yml")
    monkeypatch.delenv("CLINIC_CONFIG")
    assert settings.clinic_config_path() == ROOT / "clinic.yml"


# The branding: optional, validated like the facts.


def test_without_branding_the_defaults_apply() -> None:
    assert parse_clinic(GOOD).branding == Branding()
    assert Branding().logo is None
    assert contrast_ratio(Branding().primary_color, "#ffffff") >= 4.5


def test_a_partial_branding_keeps_the_other_defaults() -> None:
    branding = parse_branding({"primary_color": "#1A2B3C"})
    assert branding == Branding(primary_color="#1a2b3c")


def test_branding_does_not_change_the_template_values() -> None:
    assert clinic_of(GOOD, TEST_BRANDING).template_values() == (clinic_of(GOOD).template_values())


@pytest.mark.parametrize("field", ["primary_color", "accent_color"])
@pytest.mark.parametrize("value", ["teal", "#12345", "1f5f6b", "#gggggg"])
def test_a_colour_that_is_not_hex_is_named(field: str, value: str) -> None:
    with pytest.raises(
        ClinicConfigError,
        match=re.escape(f"field 'branding.{field}' is '{value}', which is not a hex colour"),
    ):
        parse_branding({field: value})


def test_a_primary_colour_too_light_for_white_text_is_named() -> None:
    with pytest.raises(
        ClinicConfigError,
        match=re.escape(
            "field 'branding.primary_color' is '#ffcc00', which is too close to the white "
            "text shown on it (contrast 1.5:1"
        ),
    ):
        parse_branding({"primary_color": "#ffcc00"})


def test_an_accent_colour_too_close_to_the_primary_colour_is_named() -> None:
    with pytest.raises(
        ClinicConfigError, match=re.escape("field 'branding.accent_color' is '#2a6f7c'")
    ):
        parse_branding({"primary_color": "#1f5f6b", "accent_color": "#2a6f7c"})


def test_an_unknown_branding_field_is_named() -> None:
    with pytest.raises(ClinicConfigError, match=re.escape("unknown field 'branding.font'")):
        parse_clinic({**GOOD, "branding": {"font": "Comic Sans"}})


def test_a_branding_that_is_not_a_mapping_is_named() -> None:
    with pytest.raises(ClinicConfigError, match="field 'branding' must hold fields"):
        parse_clinic({**GOOD, "branding": "#1f5f6b"})


def test_a_branding_field_of_the_wrong_type_is_named() -> None:
    with pytest.raises(
        ClinicConfigError, match=re.escape("field 'branding.logo' must be text, found int")
    ):
        parse_branding({"logo": 42})


def test_the_logo_is_found_next_to_the_config_first(tmp_path: Path) -> None:
    (tmp_path / "web" / "static").mkdir(parents=True)
    (tmp_path / "web" / "static" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    config = write(tmp_path, TEST_CLINIC_YAML)
    assert load_clinic(config).branding.logo == tmp_path / "web" / "static" / "logo.svg"


def test_the_logo_is_found_in_the_project_folder(tmp_path: Path) -> None:
    config = write(tmp_path, TEST_CLINIC_YAML)
    assert load_clinic(config).branding.logo == ROOT / "web" / "static" / "logo.svg"


def test_an_absolute_logo_path_is_kept(tmp_path: Path) -> None:
    logo = tmp_path / "brand.png"
    logo.write_bytes(b"\x89PNG")
    assert parse_branding({"logo": str(logo)}).logo == logo


def test_a_missing_logo_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        ClinicConfigError,
        match=re.escape("field 'branding.logo' is 'nowhere/logo.svg', which is not a file"),
    ):
        parse_branding({"logo": "nowhere/logo.svg"}, base=tmp_path)


def test_a_logo_that_is_not_an_image_is_named() -> None:
    with pytest.raises(
        ClinicConfigError,
        match=re.escape("field 'branding.logo' is 'README.md', which is not an image"),
    ):
        parse_branding({"logo": "README.md"})


# Where the widget keeps the conversation: optional, the browser's session by default.


def test_the_widget_keeps_the_conversation_for_the_browser_session_by_default() -> None:
    assert parse_clinic(GOOD).widget_storage == "session"


def test_a_clinic_can_keep_the_conversation_in_the_browser_until_cleared() -> None:
    assert parse_clinic({**GOOD, "widget_storage": "local"}).widget_storage == "local"
    assert parse_clinic({**GOOD, "widget_storage": " Session "}).widget_storage == "session"


@pytest.mark.parametrize("value", ["cookie", "", 1])
def test_another_widget_storage_is_named(value: object) -> None:
    with pytest.raises(ClinicConfigError, match="widget_storage"):
        parse_clinic({**GOOD, "widget_storage": value})
