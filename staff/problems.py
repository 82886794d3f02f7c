"""What a check found, and the error of an edit it stopped, in plain words.

The lowest module of the staff app's core: the readers, the checks, the claims review and
the edits all speak of :class:`Problem` and :class:`ContentError`, and import nothing of
each other to do it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Sequence


@dataclass(frozen=True)
class Problem:
    """One problem, in plain words.

    Attributes:
        field: where the app shows it: "answer", "example", "topic", "name", "source",
            "confirm" or "data".
        message: one sentence a nurse understands.
        blocking: True: it must not be saved or published; False: a warning.
    """

    field: str
    message: str
    blocking: bool = True


class ContentError(ValueError):
    """An edit that was not made, with the reasons in plain words.

    Attributes:
        problems: what the checks found when they stopped it (the blocking problems and
            the warnings beside them); empty when something else stopped it.
    """

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems: List[Problem] = list(problems)


def refuse_if_blocking(problems: Sequence[Problem], what: str) -> None:
    """Raise ContentError naming ``what`` and the blocking problems, if there are any."""
    blocking = [p for p in problems if p.blocking]
    if blocking:
        raise ContentError(
            f"{what} was not saved: " + " ".join(p.message for p in blocking), problems
        )


def quote(text: str, limit: int = 80) -> str:
    """``text`` in quotes for a message, shortened when long."""
    text = " ".join(text.split())
    return f"'{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}'"


def numbered(problems: Iterable[Problem]) -> str:
    """Problems as a numbered list, blocking ones first, warnings marked."""
    ordered = sorted(problems, key=lambda p: not p.blocking)
    return "\n".join(
        f"{number}. {'' if p.blocking else '(warning) '}{p.message}"
        for number, p in enumerate(ordered, 1)
    )
