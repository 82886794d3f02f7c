"""The clinic config loader: good files load, bad ones fail naming the bad field."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions import settings
from actions.clinic import Clinic, ClinicConfigError, load_clinic, parse_clinic
from tests.conftest import ROOT, TEST_CLINIC_YAML

GOOD = {
    "name": "Test Dermatology",
    "phone": "+1 555 0100",
    "booking_url": "https://test-dermatology.example/book",
    "email": "desk@test-dermatology.example",
    "opening_hours": "weekdays 8 to 4",
    "emergency_number": "911",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "clinic.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_clinic_config_loads() -> None:
    clinic = load_clinic(ROOT / "clinic.yml")
    assert clinic.name == "Example Skin Clinic (demo)"
    assert clinic.booking_url.startswith("https://")


def test_a_good_file_loads_every_field(tmp_path: Path) -> None:
    assert load_clinic(write(tmp_path, TEST_CLINIC_YAML)) == Clinic(**GOOD)


def test_template_values_name_every_placeholder() -> None:
    assert Clinic(**GOOD).template_values() == {
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
