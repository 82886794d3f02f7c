"""Asking to rephrase, then offering the team."""

from __future__ import annotations

from rasa.shared.core.domain import Domain

from actions.fallback import ActionRephrase
from clinic.config import Clinic
from tests.support.actions import expected_message, make_tracker, render, run_action


async def test_first_unclear_message_asks_to_rephrase_with_topics(
    clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("nlu_fallback", "hmm the thing with the stuff", ["greet"])

    messages, events = await run_action(ActionRephrase(), tracker, domain)

    assert messages == [expected_message("utter_ask_rephrase")]
    assert events == []
    shown = render(messages[0], domain)
    assert shown["text"].startswith("Sorry, I'm not sure I understood.")
    titles = [button["title"] for button in shown["buttons"]]
    assert titles == [
        "What Botox does",
        "Scar types",
        "The procedure",
        "Results",
        "Risks",
        "Book a consultation",
    ]


async def test_second_unclear_message_in_a_row_offers_the_team(
    clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("nlu_fallback", "still the thing", ["nlu_fallback"])

    messages, events = await run_action(ActionRephrase(), tracker, domain)

    assert messages == [expected_message("utter_fallback_contact", **clinic.template_values())]
    assert events == []
    text = render(messages[0], domain)["text"]
    assert "call +1 555 0100 (weekdays 8 to 4)" in text


async def test_an_understood_message_in_between_starts_again(
    clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("nlu_fallback", "what", ["nlu_fallback", "faq"])

    messages, _ = await run_action(ActionRephrase(), tracker, domain)

    assert [m["response"] for m in messages] == ["utter_ask_rephrase"]
