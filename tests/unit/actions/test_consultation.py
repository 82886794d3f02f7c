"""How to book a consultation (asking for a person: test_handoff.py)."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain

from actions.consultation import ActionConsultationInfo
from clinic.config import Clinic
from tests.support.actions import expected_message, make_tracker, render, run_action


@pytest.mark.parametrize(
    ("intent", "previous"),
    [("book_consultation", []), ("affirm", ["request_medical_advice"])],
)
async def test_booking_gives_link_phone_and_hours(
    clinic: Clinic, domain: Domain, intent: str, previous: list
) -> None:
    tracker = make_tracker(intent, previous_intents=previous)

    messages, events = await run_action(ActionConsultationInfo(), tracker, domain)

    assert messages == [expected_message("utter_consultation_info", **clinic.template_values())]
    assert events == []
    text = render(messages[0], domain)["text"]
    assert text.startswith(
        "You can book a consultation with Test Dermatology online at "
        "https://test-dermatology.example/book, or call +1 555 0100 (weekdays 8 to 4)."
    )
    assert "desk@test-dermatology.example" in text
