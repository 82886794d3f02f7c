"""Typed loader for the clinic's facts (``clinic.yml``).

Every answer that names the clinic, its phone number, booking link, opening hours or the
emergency number takes them from here, so a clinic changes them in one file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping

import yaml

from actions import settings

_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{1,24}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ClinicConfigError(ValueError):
    """The clinic config is missing, unreadable or has a bad field."""


@dataclass(frozen=True)
class Clinic:
    """The clinic's facts, as the assistant's answers use them."""

    name: str
    phone: str
    booking_url: str
    email: str
    opening_hours: str
    emergency_number: str

    def template_values(self) -> Dict[str, str]:
        """Values for the ``{placeholders}`` of the domain's responses."""
        return {
            "clinic_name": self.name,
            "clinic_phone": self.phone,
            "booking_url": self.booking_url,
            "clinic_email": self.email,
            "opening_hours": self.opening_hours,
            "emergency_number": self.emergency_number,
        }


_CHECKS = {
    "phone": (_PHONE, "a phone number such as +44 20 7946 0000"),
    "emergency_number": (_PHONE, "a phone number such as 999, 112 or 911"),
    "booking_url": (_URL, "a web address starting with https://"),
    "email": (_EMAIL, "an e-mail address such as hello@clinic.example"),
}


def parse_clinic(data: Any, source: str = "clinic config") -> Clinic:
    """Validate the parsed YAML of a clinic config and build a :class:`Clinic`.

    Raises:
        ClinicConfigError: naming the first field that is missing or malformed.
    """
    if not isinstance(data, Mapping):
        raise ClinicConfigError(
            f"{source}: expected fields such as 'name: ...' and 'phone: ...', "
            f"found {type(data).__name__}"
        )
    known = {f.name for f in fields(Clinic)}
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        raise ClinicConfigError(
            f"{source}: unknown field '{unknown[0]}' (the fields are: {', '.join(sorted(known))})"
        )
    values: Dict[str, str] = {}
    for name in (f.name for f in fields(Clinic)):
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ClinicConfigError(f"{source}: field '{name}' is missing or empty")
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ClinicConfigError(
                f"{source}: field '{name}' must be text, found {type(value).__name__}"
            )
        text = str(value).strip()
        check = _CHECKS.get(name)
        if check and not check[0].match(text):
            raise ClinicConfigError(
                f"{source}: field '{name}' is '{text}', which is not {check[1]}"
            )
        values[name] = text
    return Clinic(**values)


def load_clinic(path: Path) -> Clinic:
    """Read and validate the clinic config at ``path``.

    Raises:
        ClinicConfigError: if the file is missing, is not YAML, or has a bad field.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ClinicConfigError(f"{path}: cannot read the clinic config ({error})") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ClinicConfigError(f"{path}: not valid YAML ({error})") from error
    return parse_clinic(data, source=str(path))


@lru_cache(maxsize=1)
def get_clinic() -> Clinic:
    """The clinic config at :func:`actions.settings.clinic_config_path`, read once."""
    return load_clinic(settings.clinic_config_path())
