"""A website visitor typing, passed on to the staff member who has their conversation.

The widget emits ``visitor_typing`` (with its session key) while the visitor types, at most
every few seconds (``web/templates/widget.js``); the socket.io channel hands it here with
the conversation it belongs to. :class:`TypingRelay` lets one through per conversation every
:data:`MIN_SECONDS` and records it in the tracker store's database (``stores/typing.py``:
only while the conversation is paused; on PostgreSQL with a signal), where the staff app
reads it. Best effort: a record that fails is dropped (the next keystrokes try again), and
nothing of what is typed leaves the visitor's browser.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Callable, Optional

from rasa.core.agent import Agent

from stores.sender_tag import sender_tag
from stores.tracker import clinic_store

logger = logging.getLogger(__name__)

#: Seconds between two records of one conversation's typing.
MIN_SECONDS = 2.0
#: Conversations whose last record is remembered (the oldest are forgotten first).
REMEMBERED = 10_000


class TypingRelay:
    """Records that visitors type, each conversation at most every :data:`MIN_SECONDS`.

    Args:
        clock: seconds (tests pass their own).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._last: OrderedDict[str, float] = OrderedDict()

    def due(self, sender_id: str) -> bool:
        """Whether a record of ``sender_id`` typing is due (and if so, count it as made)."""
        now = self.clock()
        last = self._last.get(sender_id)
        if last is not None and now - last < MIN_SECONDS:
            return False
        self._last[sender_id] = now
        self._last.move_to_end(sender_id)
        while len(self._last) > REMEMBERED:
            self._last.popitem(last=False)
        return True

    async def relay(self, agent: Optional[Agent], sender_id: str) -> bool:
        """Record that the visitor of ``sender_id`` is typing, if due and the conversation
        is paused; whether it was recorded."""
        if agent is None or not self.due(sender_id):
            return False
        store = clinic_store(agent.tracker_store)
        if store is None:
            return False
        try:
            return await store.record_typing(sender_id, time.time())
        except Exception as error:  # the database away: the next keystrokes try again
            logger.info(
                "Typing of conversation %s not recorded: %s",
                sender_tag(sender_id),
                type(error).__name__,
            )
            return False
