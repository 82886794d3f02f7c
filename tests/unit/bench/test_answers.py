"""Telling which response a reply is, and judging a visitor's turn (bench/answers.py,
bench/load.py, bench/visitors.py)."""

from __future__ import annotations

import random

from bench.answers import AnswerBook, template_pattern
from bench.load import check_echo, check_with
from bench.visitors import TURN_TYPES, Turn, conversation

BOOK = AnswerBook.from_texts(
    [
        ("utter_greet", "Hello! I'm the assistant of {clinic_name}.\n  Ask me anything."),
        ("utter_faq/pain", "Steps are taken to keep you comfortable."),
        ("utter_faq/cost", "The cost depends on {clinic_name}'s prices."),
        ("utter_refuse_medical_advice", "I can't advise on your own situation. Call {phone}."),
    ]
)


def test_placeholders_match_any_text_and_spaces_are_normalised():
    assert template_pattern("Call {clinic_phone} now.").fullmatch("Call +1 555 0100 now.")
    assert BOOK.classify("Hello!  I'm the assistant of Test Clinic. Ask me anything.") == (
        "utter_greet"
    )
    assert BOOK.classify("Something else entirely.") is None


def test_project_responses_are_all_read():
    book = AnswerBook.of_project()
    names = {name for name, _ in book.patterns}
    assert {
        "utter_greet",
        "utter_refuse_medical_advice",
        "utter_consultation_info",
        "utter_goodbye",
        "utter_faq/pain",
    } <= names
    assert sum(name.startswith("utter_faq/") for name in names) == 23


def test_check_faq_turn():
    check = check_with(BOOK)
    turn = Turn("faq", "does it hurt?", "utter_faq/", "pain")
    assert check(turn, [{"text": "Steps are taken to keep you comfortable."}]) == "ok"
    assert check(turn, [{"text": "The cost depends on X's prices."}]) == "other_topic"
    assert check(turn, [{"text": "I can't advise on your own situation. Call 1."}]) == (
        "wrong_kind"
    )
    assert check(turn, []) == "empty"
    assert check(turn, [{"image": "x.png"}]) == "empty"


def test_check_refusal_turn():
    check = check_with(BOOK)
    turn = Turn("advice", "I'm pregnant, can I?", "utter_refuse_medical_advice")
    assert check(turn, [{"text": "I can't advise on your own situation. Call 1."}]) == "ok"
    assert check(turn, [{"text": "Steps are taken to keep you comfortable."}]) == "wrong_kind"


def test_check_echo():
    turn = Turn("greet", "hi", "utter_greet")
    assert check_echo(turn, [{"recipient_id": "a", "text": "hi"}]) == "ok"
    assert check_echo(turn, [{"text": "ho"}]) == "wrong_kind"
    assert check_echo(turn, []) == "empty"


def test_conversation_has_every_turn_type_in_order():
    turns = conversation(random.Random(1))
    assert tuple(t.kind for t in turns) == TURN_TYPES
    assert turns[1].topic and turns[2].topic
