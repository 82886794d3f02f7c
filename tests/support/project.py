"""The project's folder, and the clinic config of test values the tests run with."""

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
"""
