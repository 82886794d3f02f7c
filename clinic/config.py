"""Typed loader for the clinic's facts (``clinic.yml``).

Every answer that names the clinic, its phone number, booking link, opening hours or the
emergency number takes them from here, so a clinic changes them in one file. The optional
``branding`` (colours and logo) is what the website's chat widget shows (``web/``); the
optional ``handoff`` (opening hours of the chat, waiting and keeping times) switches on the
live handoff to the team (:class:`Handoff`, hours in :mod:`clinic.hours`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

from clinic import hours, settings

_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{1,24}$")
_URL = re.compile(r"^https://[^\s/$.?#][^\s]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

#: Text on the primary colour is white; text on the accent colour is the primary colour.
#: Both must reach WCAG's 4.5:1 contrast for normal text.
MIN_CONTRAST = 4.5
_WHITE = "#ffffff"

#: Image types a browser shows as a logo.
LOGO_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif")


class ClinicConfigError(ValueError):
    """The clinic config is missing, unreadable or has a bad field."""


@dataclass(frozen=True)
class Branding:
    """How the website's chat widget looks: the clinic's colours and logo.

    Attributes:
        primary_color: a dark colour: the widget's header, launcher and the visitor's
            messages, with white text on it; the text of the topic buttons.
        accent_color: a light tint: the background of the topic buttons and of the
            assistant's messages.
        logo: the logo image file; ``None`` means the widget's default logo.
    """

    primary_color: str = "#1f5f6b"
    accent_color: str = "#e3f1f0"
    logo: Optional[Path] = None


@dataclass(frozen=True)
class Handoff:
    """The live handoff to the team (``handoff:`` in clinic.yml); absent: handoff off.

    Attributes:
        opening: when the team answers in the chat (time zone, hours, closed days).
        wait_minutes: how long a visitor waits for someone to take the conversation before
            the assistant offers a callback instead.
        idle_minutes: how long a taken conversation may stay quiet before it is closed.
        callback_keep_days: how long a callback request (name, phone or e-mail) is kept.
    """

    opening: hours.OpeningHours
    wait_minutes: float = 3.0
    idle_minutes: float = 10.0
    callback_keep_days: int = 30

    @property
    def time_zone(self) -> str:
        """The clinic's time zone ("Europe/London")."""
        return self.opening.time_zone

    def is_open(self, at: datetime) -> bool:
        """Whether the team answers in the chat at ``at`` (an aware datetime)."""
        return self.opening.is_open(at)

    def next_opening(self, at: datetime) -> Optional[datetime]:
        """When the team next answers in the chat, at or after ``at``."""
        return self.opening.next_opening(at)

    def template_values(self) -> Dict[str, str]:
        """Values for the handoff responses' ``{placeholders}`` (:data:`HANDOFF_DETAILS`)."""
        return {
            "handoff_wait": _amount(self.wait_minutes, "minute"),
            "callback_keep": _amount(self.callback_keep_days, "day"),
        }


#: The placeholders of the handoff's details (:meth:`Handoff.template_values`), which a
#: response may use whether or not clinic.yml has a handoff section.
HANDOFF_DETAILS = ("handoff_wait", "callback_keep")


def _amount(number: float, unit: str) -> str:
    """An amount with its unit: "3 minutes", "1 minute", "1.5 minutes"."""
    shown = f"{number:g}"
    return f"{shown} {unit}" if shown == "1" else f"{shown} {unit}s"


@dataclass(frozen=True)
class Clinic:
    """The clinic's facts, as the assistant's answers use them."""

    name: str
    phone: str
    booking_url: str
    email: str
    opening_hours: str
    emergency_number: str
    branding: Branding = field(default_factory=Branding)
    #: Where the website's widget keeps the conversation: "session" (forgotten when the
    #: browser or tab closes, so a health conversation does not stay on a shared computer)
    #: or "local" (kept until the visitor clears the site's data).
    widget_storage: str = "session"
    #: The live handoff to the team; ``None``: off (a visitor asking for a person gets the
    #: clinic's phone, e-mail and booking link).
    handoff: Optional[Handoff] = None

    def template_values(self) -> Dict[str, str]:
        """Values for the ``{placeholders}`` of the domain's responses (the handoff's too,
        when it is on)."""
        values = {
            "clinic_name": self.name,
            "clinic_phone": self.phone,
            "booking_url": self.booking_url,
            "clinic_email": self.email,
            "opening_hours": self.opening_hours,
            "emergency_number": self.emergency_number,
        }
        if self.handoff is not None:
            values.update(self.handoff.template_values())
        return values


_CHECKS = {
    "phone": (_PHONE, "a phone number such as +44 20 7946 0000"),
    "emergency_number": (_PHONE, "a phone number such as 999, 112 or 911"),
    "booking_url": (_URL, "a web address starting with https://"),
    "email": (_EMAIL, "an e-mail address such as hello@clinic.example"),
}


#: The required fields: text, one per fact.
_FACTS = tuple(
    f.name for f in fields(Clinic) if f.name not in ("branding", "widget_storage", "handoff")
)
#: Where the widget may keep the conversation (the browser's sessionStorage or localStorage).
WIDGET_STORAGES = ("session", "local")


def _check_unknown(data: Mapping, known: set[str], source: str, prefix: str = "") -> None:
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        names = ", ".join(prefix + name for name in sorted(known))
        raise ClinicConfigError(
            f"{source}: unknown field '{prefix}{unknown[0]}' (the fields are: {names})"
        )


def _optional_text(data: Mapping, name: str, source: str, prefix: str) -> Optional[str]:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ClinicConfigError(
            f"{source}: field '{prefix}{name}' must be text, found {type(value).__name__}"
        )
    text = value.strip()
    if not text:
        raise ClinicConfigError(f"{source}: field '{prefix}{name}' is empty")
    return text


def parse_branding(
    data: Any, source: str = "clinic config", base: Optional[Path] = None
) -> Branding:
    """Validate the ``branding`` section of a clinic config; defaults for what is absent.

    Args:
        data: the parsed ``branding`` mapping, or ``None`` when the config has none.
        source: the config's name, for the error messages.
        base: the config file's folder; a relative logo path is looked up there first,
            then at the project root.

    Raises:
        ClinicConfigError: naming the first branding field that is malformed.
    """
    if data is None:
        return Branding()
    prefix = "branding."
    if not isinstance(data, Mapping):
        raise ClinicConfigError(
            f"{source}: field 'branding' must hold fields such as 'primary_color: ...', "
            f"found {type(data).__name__}"
        )
    _check_unknown(data, {f.name for f in fields(Branding)}, source, prefix)
    defaults = Branding()
    colours: Dict[str, str] = {}
    for name in ("primary_color", "accent_color"):
        text = _optional_text(data, name, source, prefix)
        if text is None:
            colours[name] = getattr(defaults, name)
        elif not _HEX_COLOUR.match(text):
            raise ClinicConfigError(
                f"{source}: field '{prefix}{name}' is '{text}', which is not a hex colour "
                "such as #1f5f6b"
            )
        else:
            colours[name] = text.lower()
    _check_contrast(colours["primary_color"], _WHITE, "primary_color", "white text", source)
    _check_contrast(
        colours["accent_color"], colours["primary_color"], "accent_color",
        "text in the primary colour", source,
    )  # fmt: skip
    logo_text = _optional_text(data, "logo", source, prefix)
    logo = None if logo_text is None else _find_logo(logo_text, source, base)
    return Branding(logo=logo, **colours)


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rgb`` or ``#rrggbb`` colour."""
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two hex colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _check_contrast(colour: str, text: str, name: str, what: str, source: str) -> None:
    ratio = contrast_ratio(colour, text)
    if ratio < MIN_CONTRAST:
        raise ClinicConfigError(
            f"{source}: field 'branding.{name}' is '{colour}', which is too close to the "
            f"{what} shown on it (contrast {ratio:.1f}:1, at least {MIN_CONTRAST}:1 needed)"
        )


def _find_logo(text: str, source: str, base: Optional[Path]) -> Path:
    """The logo file ``text`` names: absolute, or next to the config, or in the project."""
    if not text.lower().endswith(LOGO_SUFFIXES):
        raise ClinicConfigError(
            f"{source}: field 'branding.logo' is '{text}', which is not an image file "
            f"({', '.join(LOGO_SUFFIXES)})"
        )
    path = Path(text)
    candidates = (
        [path]
        if path.is_absolute()
        else [folder / path for folder in (base, settings.PROJECT_ROOT) if folder is not None]
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise ClinicConfigError(
        f"{source}: field 'branding.logo' is '{text}', which is not a file next to the "
        "clinic config or in the project"
    )


def parse_clinic(data: Any, source: str = "clinic config", base: Optional[Path] = None) -> Clinic:
    """Validate the parsed YAML of a clinic config and build a :class:`Clinic`.

    Args:
        data: the parsed YAML.
        source: the config's name, for the error messages.
        base: the config file's folder, where a relative ``branding.logo`` is looked up
            first (then at the project root).

    Raises:
        ClinicConfigError: naming the first field that is missing or malformed.
    """
    if not isinstance(data, Mapping):
        raise ClinicConfigError(
            f"{source}: expected fields such as 'name: ...' and 'phone: ...', "
            f"found {type(data).__name__}"
        )
    _check_unknown(data, {f.name for f in fields(Clinic)}, source)
    values: Dict[str, str] = {}
    for name in _FACTS:
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
    branding = parse_branding(data.get("branding"), source, base)
    return Clinic(
        **values,
        branding=branding,
        widget_storage=parse_widget_storage(data, source),
        handoff=parse_handoff(data.get("handoff"), source),
    )


def parse_widget_storage(data: Mapping, source: str) -> str:
    """The ``widget_storage`` field: "session" when absent.

    Raises:
        ClinicConfigError: when it is not "session" or "local".
    """
    value = data.get("widget_storage", "session")
    text = value.strip().lower() if isinstance(value, str) else ""
    if text not in WIDGET_STORAGES:
        raise ClinicConfigError(
            f"{source}: field 'widget_storage' is '{value}'; use 'session' (the conversation "
            "is forgotten when the browser closes) or 'local' (kept until the visitor "
            "clears the site's data)"
        )
    return text


#: The ``handoff:`` section's fields with their defaults (``None``: required).
_HANDOFF_FIELDS: Dict[str, Any] = {
    "time_zone": None,
    "hours": None,
    "closed_days": [],
    "wait_minutes": 3,
    "idle_minutes": 10,
    "callback_keep_days": 30,
}
#: Longest waits and keeping time a clinic may set (a day; ten years).
_MAX_MINUTES = 24 * 60
_MAX_KEEP_DAYS = 3650


def parse_handoff(data: Any, source: str = "clinic config") -> Optional[Handoff]:
    """Validate the ``handoff`` section of a clinic config; ``None`` when there is none.

    Raises:
        ClinicConfigError: naming the first handoff field that is missing or malformed.
    """
    if data is None:
        return None
    prefix = "handoff."
    if not isinstance(data, Mapping):
        raise ClinicConfigError(
            f"{source}: field 'handoff' must hold fields such as 'time_zone: Europe/London', "
            f"found {type(data).__name__}"
        )
    _check_unknown(data, set(_HANDOFF_FIELDS), source, prefix)
    for name, default in _HANDOFF_FIELDS.items():
        if default is None and data.get(name) is None:
            raise ClinicConfigError(f"{source}: field '{prefix}{name}' is missing or empty")
    zone_name = _optional_text(data, "time_zone", source, prefix) or ""
    try:
        hours.zone_of(zone_name)
    except ValueError as error:
        raise ClinicConfigError(
            f"{source}: field '{prefix}time_zone' is '{zone_name}', which {error}"
        ) from error
    opening = hours.OpeningHours(
        time_zone=zone_name,
        week=_parse_week(data["hours"], source),
        closed_days=frozenset(_parse_closed_days(data.get("closed_days"), source)),
    )
    return Handoff(
        opening=opening,
        wait_minutes=_positive(data, "wait_minutes", _MAX_MINUTES, source),
        idle_minutes=_positive(data, "idle_minutes", _MAX_MINUTES, source),
        callback_keep_days=int(
            _positive(data, "callback_keep_days", _MAX_KEEP_DAYS, source, whole=True)
        ),
    )


def _parse_week(data: Any, source: str) -> Tuple[Optional[hours.Span], ...]:
    """``handoff.hours``: each day's hours, Monday first; a day left out is closed."""
    if not isinstance(data, Mapping):
        raise ClinicConfigError(
            f"{source}: field 'handoff.hours' must hold days such as 'monday: \"09:00-18:00\"', "
            f"found {type(data).__name__}"
        )
    _check_unknown(data, set(hours.DAYS), source, "handoff.hours.")
    week: List[Optional[hours.Span]] = []
    for day in hours.DAYS:
        value = data.get(day)
        if value is None:
            week.append(None)
            continue
        if not isinstance(value, str):
            raise ClinicConfigError(
                f"{source}: field 'handoff.hours.{day}' must be text such as \"09:00-18:00\" "
                f"or 'closed', found {type(value).__name__}"
            )
        try:
            week.append(hours.parse_span(value))
        except ValueError as error:
            raise ClinicConfigError(
                f"{source}: field 'handoff.hours.{day}' is '{value.strip()}', which {error}"
            ) from error
    if not any(week):
        raise ClinicConfigError(
            f"{source}: field 'handoff.hours' has no open day; give at least one day's hours "
            "such as 'monday: \"09:00-18:00\"' (or remove the handoff section to switch the "
            "handoff off)"
        )
    return tuple(week)


def _parse_closed_days(data: Any, source: str) -> List[date]:
    """``handoff.closed_days``: dates such as "2026-12-25" (quoted or not)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise ClinicConfigError(
            f"{source}: field 'handoff.closed_days' must be a list of dates such as "
            f'["2026-12-25"], found {type(data).__name__}'
        )
    days: List[date] = []
    for value in data:
        if isinstance(value, date) and not isinstance(value, datetime):
            days.append(value)
            continue
        try:
            days.append(date.fromisoformat(str(value).strip()))
        except ValueError as error:
            raise ClinicConfigError(
                f"{source}: field 'handoff.closed_days' has '{value}', which is not a date "
                "such as 2026-12-25"
            ) from error
    return days


def _positive(data: Mapping, name: str, most: float, source: str, whole: bool = False) -> float:
    """A number of minutes or days above 0 and at most ``most`` (its default if absent)."""
    value = data.get(name, _HANDOFF_FIELDS[name])
    kind = "a whole number" if whole else "a number"
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (whole and not float(value).is_integer())
    ):
        raise ClinicConfigError(
            f"{source}: field 'handoff.{name}' is '{value}', which is not {kind}"
        )
    if not 0 < value <= most:
        raise ClinicConfigError(
            f"{source}: field 'handoff.{name}' is {value}; it must be above 0 and at most {most:g}"
        )
    return float(value)


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
    return parse_clinic(data, source=str(path), base=path.parent)


@lru_cache(maxsize=1)
def get_clinic() -> Clinic:
    """The clinic config at :func:`clinic.settings.clinic_config_path`, read once."""
    return load_clinic(settings.clinic_config_path())
