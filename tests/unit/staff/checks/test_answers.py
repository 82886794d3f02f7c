"""The checks of an answer (staff/checks/answers.py).

The project's data (copied by ``data_root``, tests/conftest.py) is the good data: it
must pass every check. Each bad case changes the copy the way a staff member could.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from staff import checks, data
from staff.checks import answers
from tests.support.check_cases import (
    GOOD_ANSWER,
    SOURCE,
    blocking,
    messages,
)


def test_a_good_answer_with_its_source(data_root: Path) -> None:
    assert checks.check_answer("downtime", GOOD_ANSWER, [SOURCE], data_root) == []


def test_an_unchanged_answer_needs_no_new_source(data_root: Path) -> None:
    answer = data.topic("consultation", data_root).answer
    assert checks.check_answer("consultation", answer, [], data_root) == []


@pytest.mark.parametrize(
    "text, wanted",
    [
        ("The usual dose is 20 units per area.", "gives a dose or a number of units ('20 units')"),
        ("Each session uses several units.", "gives a dose or a number of units ('units')"),
        ("The results are permanent.", "gives a guarantee ('permanent')"),
        ("Botox will remove your scars.", "gives a guarantee ('will remove')"),
        ("The treatment is risk-free.", "gives a guarantee ('risk-free')"),
        ("A session costs $300.", "gives a price ('$300')"),
        ("It is about 250 pounds a session.", "gives a price ('250 pounds')"),
    ],
)
def test_an_answer_that_gives_a_dose_a_guarantee_or_a_price(
    text: str, wanted: str, data_root: Path
) -> None:
    found = blocking(checks.check_answer("downtime", text, [SOURCE], data_root))
    assert any(f"The answer {wanted}." in message for message in found), found


def test_an_answer_sentence_the_source_does_not_back(data_root: Path) -> None:
    text = f"{GOOD_ANSWER} Botox is safe for pregnant women."
    assert blocking(checks.check_answer("downtime", text, [SOURCE], data_root)) == [
        "The sentence 'Botox is safe for pregnant women.' is not backed by the source sentences "
        "you picked. Pick the sentence of the source text that says it, or change or remove it."
    ]
    # With no source picked, no new sentence is backed.
    assert len(blocking(checks.check_answer("downtime", GOOD_ANSWER, [], data_root))) == 1


def test_a_source_sentence_that_is_not_in_the_source(data_root: Path) -> None:
    found = checks.check_answer("downtime", GOOD_ANSWER, [SOURCE, "Botox is magic."], data_root)
    assert blocking(found) == [
        "The source sentence 'Botox is magic.' is not in the source text; pick it from the list."
    ]


def test_a_sentence_with_only_the_clinics_details_needs_no_source(data_root: Path) -> None:
    text = f"{GOOD_ANSWER} To book, call {{clinic_name}} on {{clinic_phone}}."
    assert checks.check_answer("downtime", text, [SOURCE], data_root) == []


def test_an_empty_or_too_long_answer(data_root: Path) -> None:
    assert messages(checks.check_answer("downtime", "  \n ", [SOURCE], data_root)) == [
        "The answer is empty. Write what visitors should read."
    ]
    long = " ".join([GOOD_ANSWER] * 14)
    found = blocking(checks.check_answer("downtime", long, [SOURCE], data_root))
    assert found == [
        f"The answer is {len(long)} characters long; keep it under "
        f"{answers.MAX_ANSWER_CHARS} so it is easy to read in the chat window."
    ]


def test_an_answer_with_a_placeholder_that_is_not_in_clinic_yml(data_root: Path) -> None:
    text = f"{GOOD_ANSWER} Call {{clinic_phone}} or write to {{clinic_adress}}."
    found = blocking(checks.check_answer("downtime", text, [SOURCE], data_root))
    assert len(found) == 1
    assert found[0].startswith(
        "The answer uses {clinic_adress}, which is not one of the clinic's details in clinic.yml."
    )
    assert "{clinic_phone}" in found[0]
    stray = blocking(checks.check_answer("downtime", f"{GOOD_ANSWER} {{", [SOURCE], data_root))
    assert stray == [
        "The answer has a curly bracket that is not part of a clinic detail such as "
        "{clinic_phone}; remove it."
    ]


def test_an_answer_for_a_topic_that_does_not_exist(data_root: Path) -> None:
    assert messages(checks.check_answer("nope", GOOD_ANSWER, [SOURCE], data_root)) == [
        "There is no topic 'nope' with an answer to change."
    ]


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "http://example.org/prices",
        "vbscript:msgbox(1)",
        "/relative/page",
    ],
)
def test_a_link_that_is_not_https_mailto_or_tel_is_refused(target: str, data_root: Path) -> None:
    def link_problems(text: str) -> List[str]:
        found = blocking(checks.check_answer("downtime", text, [SOURCE], data_root))
        return [m for m in found if m.startswith("The answer links to ")]

    refused = link_problems(f"{GOOD_ANSWER} [More]({target})")
    assert len(refused) == 1 and "a link must start with https:, mailto: or tel:" in refused[0]
    if ":" in target:  # an autolink needs a scheme
        assert len(link_problems(f"{GOOD_ANSWER} <{target.strip()}>")) == 1
    # Link words with brackets in them, and a link by reference, are links too.
    assert len(link_problems(f"{GOOD_ANSWER} [our [new] page]({target})")) == 1
    assert len(link_problems(f"{GOOD_ANSWER} [our page][b]\n\n[b]: {target.strip()}")) == 1


@pytest.mark.parametrize(
    "target",
    [
        "https://clinic.example/book",
        "mailto:team@clinic.example",
        "tel:+442000000000",
        "{booking_url}",
    ],
)
def test_an_https_mailto_tel_or_clinic_detail_link_is_accepted(
    target: str, data_root: Path
) -> None:
    text = f"{GOOD_ANSWER} [Book or ask]({target})"
    assert not [
        p
        for p in checks.check_answer("downtime", text, [SOURCE], data_root)
        if "link" in p.message
    ]
