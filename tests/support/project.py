"""The project's folder, and the clinic config of test values the tests run with (with
the live handoff on, and moments when its chat is open and closed)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Distinctive values, so a test sees that an answer took them from the config it was given.
TEST_CLINIC_YAML = """\
name: "Test Dermatology"
phone: "+1 555 0100"
booking_url: "https://test-dermatology.example/book"
email: "desk@test-dermatology.example"
opening_hours: "weekdays 8 to 4"
emergency_number: "911"
branding:
  primary_color: "#6a1b4d"
  accent_color: "#f6e8f0"
  logo: "web/static/logo.svg"
handoff:
  time_zone: America/New_York
  hours:
    monday: "08:00-16:00"
    tuesday: "08:00-16:00"
    wednesday: "08:00-16:00"
    thursday: "08:00-16:00"
    friday: "08:00-16:00"
    saturday: "10:00-12:00"
    sunday: closed
  closed_days: ["2026-12-25", 2027-01-01]
  wait_minutes: 2
  idle_minutes: 5
  callback_keep_days: 14
"""

#: The same clinic without the live handoff (no handoff section: the handoff is off).
TEST_CLINIC_YAML_WITHOUT_HANDOFF = TEST_CLINIC_YAML[: TEST_CLINIC_YAML.index("handoff:")]

#: Moments of TEST_CLINIC_YAML's handoff hours (the clinic's zone, America/New_York), for
#: ``CLINIC_NOW``: a weekday while the team is in the chat, and the same day after hours.
OPEN_NOW = "2026-12-09T10:30:00-05:00"  # Wednesday 10:30
CLOSED_NOW = "2026-12-09T17:15:00-05:00"  # Wednesday 17:15: back Thursday at 8:00
