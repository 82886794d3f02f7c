"""The clinic config loader: good files load, bad ones fail naming the bad field."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Dict, Optional
from zoneinfo import ZoneInfo

import pytest

from clinic import settings
from clinic.config import (
    HANDOFF_DETAILS,
    Branding,
    Clinic,
    ClinicConfigError,
    Handoff,
    contrast_ratio,
    load_clinic,
    parse_branding,
    parse_clinic,
    parse_handoff,
)
from clinic.hours import OpeningHours
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


#: The handoff of TEST_CLINIC_YAML.
TEST_HANDOFF = Handoff(
    opening=OpeningHours(
        time_zone="America/New_York",
        week=((480, 960),) * 5 + ((600, 720), None),
        closed_days=frozenset({date(2026, 12, 25), date(2027, 1, 1)}),
    ),
    wait_minutes=2.0,
    idle_minutes=5.0,
    callback_keep_days=14,
)

#: A handoff section as a clinic writes it.
HANDOFF: Dict[str, Any] = {
    "time_zone": "Europe/London",
    "hours": {"monday": "09:00-18:00", "saturday": "10:00-14:00", "sunday": "closed"},
    "closed_days": ["2026-12-25"],
    "wait_minutes": 3,
    "idle_minutes": 10,
    "callback_keep_days": 30,
}


def clinic_of(
    facts: Dict[str, str],
    branding: Optional[Branding] = None,
    handoff: Optional[Handoff] = None,
) -> Clinic:
    """The clinic with ``facts`` (the fields of GOOD), ``branding`` and ``handoff`` (default:
    none)."""
    return Clinic(
        name=facts["name"],
        phone=facts["phone"],
        booking_url=facts["booking_url"],
        email=facts["email"],
        opening_hours=facts["opening_hours"],
        emergency_number=facts["emergency_number"],
        branding=branding or Branding(),
        handoff=handoff,
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
    assert clinic.handoff is not None
    assert clinic.handoff.time_zone == "Europe/London"
    assert clinic.handoff.wait_minutes == 3


def test_a_good_file_loads_every_field(tmp_path: Path) -> None:
    assert load_clinic(write(tmp_path, TEST_CLINIC_YAML)) == clinic_of(
        GOOD, TEST_BRANDING, TEST_HANDOFF
    )


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


# The live handoff: optional (absent, it is off), validated like the facts.


def test_without_a_handoff_section_the_handoff_is_off() -> None:
    assert parse_clinic(GOOD).handoff is None
    assert parse_handoff(None) is None


def test_a_handoff_section_is_read() -> None:
    handoff = parse_handoff(HANDOFF)

    assert handoff is not None
    assert handoff.time_zone == "Europe/London"
    assert handoff.opening.week == ((540, 1080), None, None, None, None, (600, 840), None)
    assert handoff.opening.closed_days == {date(2026, 12, 25)}
    assert (handoff.wait_minutes, handoff.idle_minutes, handoff.callback_keep_days) == (
        3.0,
        10.0,
        30,
    )
    london = ZoneInfo("Europe/London")
    assert handoff.is_open(datetime(2026, 12, 14, 10, 0, tzinfo=london))  # a Monday
    assert not handoff.is_open(datetime(2026, 12, 15, 10, 0, tzinfo=london))  # no hours
    assert handoff.next_opening(datetime(2026, 12, 15, 10, 0, tzinfo=london)) == datetime(
        2026, 12, 19, 10, 0, tzinfo=london
    )


def test_the_handoff_times_have_defaults() -> None:
    handoff = parse_handoff({"time_zone": "Europe/London", "hours": {"friday": "09:00-17:00"}})
    assert handoff is not None
    assert (handoff.wait_minutes, handoff.idle_minutes, handoff.callback_keep_days) == (
        3.0,
        10.0,
        30,
    )
    assert handoff.opening.closed_days == frozenset()


def test_the_handoff_fills_its_placeholders() -> None:
    assert clinic_of(GOOD, handoff=TEST_HANDOFF).template_values() == {
        **clinic_of(GOOD).template_values(),
        "handoff_wait": "2 minutes",
        "callback_keep": "14 days",
    }
    one = parse_handoff({**HANDOFF, "wait_minutes": 1, "callback_keep_days": 1})
    assert one is not None
    assert one.template_values() == {"handoff_wait": "1 minute", "callback_keep": "1 day"}
    half = parse_handoff({**HANDOFF, "wait_minutes": 1.5})
    assert half is not None
    assert half.template_values()["handoff_wait"] == "1.5 minutes"
    # The names the staff app's checks accept in any message (staff/checks/answers.py).
    assert set(TEST_HANDOFF.template_values()) == set(HANDOFF_DETAILS)


@pytest.mark.parametrize("field", ["time_zone", "hours"])
def test_a_missing_handoff_field_is_named(field: str) -> None:
    data = {k: v for k, v in HANDOFF.items() if k != field}
    with pytest.raises(ClinicConfigError, match=f"field 'handoff.{field}' is missing or empty"):
        parse_handoff(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Europe/Londn"}, "'Europe/Londn', which is not a time zone"),
        ({"time_zone": 5}, "'handoff.time_zone' must be text, found int"),
        ({"hours": "9 to 5"}, "'handoff.hours' must hold days such as"),
        ({"hours": {"mon": "09:00-18:00"}}, "unknown field 'handoff.hours.mon'"),
        ({"hours": {"monday": "9 to 5"}}, "hours.monday' is '9 to 5', which is not hours"),
        ({"hours": {"monday": "18:00-09:00"}}, "'18:00-09:00', which does not start before"),
        ({"hours": {"monday": 9}}, "'handoff.hours.monday' must be text such as"),
        ({"hours": {"monday": "closed", "sunday": "closed"}}, "'handoff.hours' has no open day"),
        ({"closed_days": "2026-12-25"}, "'handoff.closed_days' must be a list of dates"),
        ({"closed_days": ["25/12/2026"]}, "closed_days' has '25/12/2026', which is not a date"),
        ({"wait_minutes": 0}, "'handoff.wait_minutes' is 0; it must be above 0 and at most 1440"),
        ({"wait_minutes": -3}, "'handoff.wait_minutes' is -3; it must be above 0"),
        ({"idle_minutes": "ten"}, "'handoff.idle_minutes' is 'ten', which is not a number"),
        ({"idle_minutes": True}, "'handoff.idle_minutes' is 'True', which is not a number"),
        ({"idle_minutes": 2000}, "'handoff.idle_minutes' is 2000; it must be above 0 and at"),
        ({"callback_keep_days": 7.5}, "callback_keep_days' is '7.5', which is not a whole number"),
        ({"callback_keep_days": 4000}, "keep_days' is 4000; it must be above 0 and at most 3650"),
        ({"fax": 1}, "unknown field 'handoff.fax'"),
    ],
)  # fmt: skip
def test_a_malformed_handoff_field_is_named(change: Dict[str, Any], message: str) -> None:
    with pytest.raises(ClinicConfigError, match=re.escape(message)):
        parse_clinic({**GOOD, "handoff": {**HANDOFF, **change}})


def test_a_handoff_that_is_not_a_mapping_is_named() -> None:
    with pytest.raises(ClinicConfigError, match="field 'handoff' must hold fields"):
        parse_clinic({**GOOD, "handoff": "on"})


def test_dates_written_without_quotes_are_read(tmp_path: Path) -> None:
    clinic = load_clinic(write(tmp_path, TEST_CLINIC_YAML))
    assert clinic.handoff is not None
    assert date(2027, 1, 1) in clinic.handoff.opening.closed_days
