"""The Teach page's "Replace names, phone numbers and e-mail addresses" (staff/anonymise.py):
what it replaces, and what a question needs that it leaves."""

from __future__ import annotations

import pytest

from staff.anonymise import anonymise


@pytest.mark.parametrize(
    ("written", "saved"),
    [
        (
            "Hi, my name is Sarah Jones, can you call me on 07700 900123 or e-mail "
            "sarah.jones@example.co.uk?",
            "Hi, my name is <name>, can you call me on <number> or e-mail <email>?",
        ),
        ("I'm Tom and I had botox 2 weeks ago", "I'm <name> and I had botox 2 weeks ago"),
        ("i am 25 and MY NAME IS Ann", "i am 25 and MY NAME IS <name>"),
        (
            "I\u2019m Zo\u00eb, my name\u2019s Zo\u00eb Smith-Jones",
            "I\u2019m <name>, my name\u2019s <name>",
        ),
        ("my number is +44 (0)20 7946 0958 thanks", "my number is <number> thanks"),
        ("booking ref 123456, born 12/05/1990", "booking ref <number>, born <number>"),
    ],
)
def test_names_long_numbers_and_e_mail_addresses_become_placeholders(
    written: str, saved: str
) -> None:
    assert anonymise(written) == saved


@pytest.mark.parametrize(
    "written",
    [
        "how long does it last",
        "I am worried it takes 30 minutes and costs 400 dollars",
        "I'm not sure about the 3 to 4 months",
        "is botox ok at 45?",
        "I am on roaccutane",
    ],
)
def test_a_question_without_personal_details_is_left_as_written(written: str) -> None:
    assert anonymise(written) == written
