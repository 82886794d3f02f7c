"""Taking the obvious personal details out of a visitor's message before it becomes a
training example (the Teach page's "Replace names, numbers and e-mail addresses" box).

It replaces e-mail addresses with ``<email>``, phone numbers and other runs of five or more
digits (spaces, dots, dashes, brackets and a leading + between them allowed) with
``<number>``, and a name given as "my name is Ann Lee", "my name's Ann", "I'm Ann" or "I am
Ann" (up to three capitalised words after it) with ``<name>``. Short numbers ("2 weeks",
"30 minutes") stay: the question needs them. It is a help, not a guarantee: the staff
member still reads and edits the text before saving.
"""

from __future__ import annotations

import re

EMAIL = "<email>"
NUMBER = "<number>"
NAME = "<name>"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: A run of digits with separators between them; replaced when it has 5 digits or more.
_DIGITS = re.compile(r"\+?\d(?:[\d .()/-]*\d)?")
_MIN_DIGITS = 5
#: "my name is" and its kin, in any case, then one to three capitalised words.
_APOSTROPHES = "'\u2019"
_NAME = re.compile(
    rf"\b((?i:my\s+name\s+is|my\s+name[{_APOSTROPHES}]s|i[{_APOSTROPHES}]m|i\s+am)\s+)"
    rf"[A-Z][\w{_APOSTROPHES}-]*(?:\s+[A-Z][\w{_APOSTROPHES}-]*){{0,2}}"
)


def _number(match: re.Match[str]) -> str:
    text = match.group()
    return NUMBER if sum(c.isdigit() for c in text) >= _MIN_DIGITS else text


def anonymise(text: str) -> str:
    """``text`` with e-mail addresses, long numbers and introduced names replaced by
    placeholders; everything else as it was."""
    text = _EMAIL.sub(EMAIL, text)
    text = _DIGITS.sub(_number, text)
    return _NAME.sub(lambda match: match.group(1) + NAME, text)
