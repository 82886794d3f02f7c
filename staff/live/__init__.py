"""The live chat (issue 17): conversations waiting for a person, taken by one, and
callback requests, read from the tracker store; takes, messages and hand-backs sent to the
Rasa server's live-chat routes.

A conversation is in the live chat while its tracker is paused with the ``handoff`` slot
"waiting" or "taken" (the contract of issue 17); the staff app reads that from the tracker
store every Rasa server writes, so it sees conversations handled by any of them.

- :mod:`staff.live.records`: the slot names, a conversation of the live chat, a callback
  request.
- :mod:`staff.live.replay`: a conversation's events replayed as Rasa applies them (pure).
- :mod:`staff.live.store`: :class:`LiveStore`, the reads of the tracker store.
- :mod:`staff.live.wakeup`: :class:`StoreWakeup`, when the task looks again: at once on
  PostgreSQL's signal of a save (LISTEN/NOTIFY), else every few tenths of a second.
- :mod:`staff.live.feed`: :class:`LiveFeed`, the task that looks for new events and tells
  the pages.
- :mod:`staff.live.handoff_api`: :class:`HandoffApi`, the client of the Rasa server's
  routes.
- :mod:`staff.live.callbacks`: how long callback requests are kept, and the "done" marks
  (staff database).
"""

from staff.live.callbacks import CallbackMarks, callback_keep_days
from staff.live.feed import (
    LiveFeed,
    MessageUpdate,
    QueueUpdate,
    StateUpdate,
    Subscription,
    TypingUpdate,
)
from staff.live.handoff_api import MAX_MESSAGE, HandoffAnswer, HandoffApi, HandoffUnreachableError
from staff.live.records import TAKEN, WAITING, CallbackRequest, LiveConversation
from staff.live.store import LiveStore
from staff.live.wakeup import StoreWakeup, store_wakeup

__all__ = [
    "MAX_MESSAGE",
    "TAKEN",
    "WAITING",
    "CallbackMarks",
    "CallbackRequest",
    "HandoffAnswer",
    "HandoffApi",
    "HandoffUnreachableError",
    "LiveConversation",
    "LiveFeed",
    "LiveStore",
    "MessageUpdate",
    "QueueUpdate",
    "StateUpdate",
    "StoreWakeup",
    "Subscription",
    "TypingUpdate",
    "callback_keep_days",
    "store_wakeup",
]
