"""The live chat's updates: one task per app looks at the tracker store for events stored
since its last look, by any Rasa server, and pushes what changed to the pages that listen
(:class:`Subscription`). It looks as soon as PostgreSQL signals a save, or every
``STAFF_LIVE_POLL_SECONDS`` (0.4) on the SQLite file (:mod:`staff.live.wakeup`).

What a page is told:

- :class:`QueueUpdate`: the conversations in the live chat (waiting or taken), whenever one
  arrives, changes state, gets a message or leaves; and at once when the page subscribes.
- :class:`MessageUpdate`: a new message of the conversation the page shows.
- :class:`StateUpdate`: that conversation changed state (taken, by whom; handed back).
- :class:`TypingUpdate`: that conversation's visitor is typing (the website's widget says
  so while a person has the conversation, ``stores/typing.py``).

The task runs while a page listens (and a few seconds after the last one leaves, so that a
click from page to page does not restart it); it reads the whole list again every
``reconcile_seconds``, which also notices conversations deleted meanwhile (``make forget``).
The store's reads run in threads: the pages keep being served while it waits for the
database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Set, Tuple, TypeVar, Union

from staff.conversations import Message
from staff.live.records import LiveConversation
from staff.live.replay import MESSAGE_TYPES, STATE_TYPES, StoredEvent
from staff.live.store import Cursor, LiveStore, queue_order
from staff.live.wakeup import StoreWakeup

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: How long the task goes on after the last page left.
IDLE_SECONDS = 10.0
#: How often the whole list is read again.
RECONCILE_SECONDS = 10.0
#: The updates a page may fall behind by before it is disconnected (it reconnects).
BACKLOG = 500
#: How recent a visitor's typing must be to be told (older is over).
TYPING_RECENT_SECONDS = 8.0


@dataclass(frozen=True)
class QueueUpdate:
    """The conversations in the live chat, in queue order."""

    conversations: Tuple[LiveConversation, ...]


@dataclass(frozen=True)
class MessageUpdate:
    """A new message of ``sender``'s conversation."""

    sender: str
    message: Message


@dataclass(frozen=True)
class StateUpdate:
    """``sender``'s conversation now: in the live chat, or None (with the assistant)."""

    sender: str
    live: Optional[LiveConversation]


@dataclass(frozen=True)
class TypingUpdate:
    """``sender``'s visitor was typing at ``at`` (Unix time)."""

    sender: str
    at: float


@dataclass(frozen=True)
class Closed:
    """The feed stopped (the app is stopping), or this page fell too far behind."""


Update = Union[QueueUpdate, MessageUpdate, StateUpdate, TypingUpdate, Closed]


class Subscription:
    """What one page listens to: the queue, and the conversation of ``sender`` if given."""

    def __init__(self, sender: Optional[str]) -> None:
        self.sender = sender
        self._updates: asyncio.Queue[Update] = asyncio.Queue(maxsize=BACKLOG)
        self.closed = False

    def put(self, update: Update) -> None:
        if self.closed:
            return
        try:
            self._updates.put_nowait(update)
        except asyncio.QueueFull:
            self.close()

    def close(self) -> None:
        """End it: the page's stream ends (the page reconnects if it is still open)."""
        if self.closed:
            return
        self.closed = True
        while not self._updates.empty():
            self._updates.get_nowait()
        self._updates.put_nowait(Closed())

    async def next(self, timeout: float) -> Optional[Update]:
        """The next update, or None when there was none for ``timeout`` seconds."""
        try:
            return await asyncio.wait_for(self._updates.get(), timeout)
        except asyncio.TimeoutError:
            return None


def _state(live: Optional[LiveConversation]) -> Tuple[Optional[str], Optional[str]]:
    return (live.state, live.staff) if live else (None, None)


class LiveFeed:
    """The app's one watcher of the tracker store for the live chat.

    Args:
        store: the reads of the tracker store.
        wakeup: when it looks for new events again.
        reconcile_seconds: how often it reads the whole list again.
        idle_seconds: how long it goes on after the last page left.
    """

    def __init__(
        self,
        store: LiveStore,
        wakeup: StoreWakeup,
        reconcile_seconds: float = RECONCILE_SECONDS,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self.store = store
        self.wakeup = wakeup
        self.reconcile_seconds = reconcile_seconds
        self.idle_seconds = idle_seconds
        self._subscriptions: Set[Subscription] = set()
        self._snapshot: Dict[str, LiveConversation] = {}
        #: The latest typing told, of each conversation a page shows.
        self._typing: Dict[str, float] = {}
        self._task: Optional[asyncio.Task[None]] = None
        self._ready: Optional[asyncio.Event] = None
        self._stopping = False
        self._joining = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def _queue(self) -> Tuple[LiveConversation, ...]:
        return tuple(sorted(self._snapshot.values(), key=queue_order))

    async def queue(self) -> Tuple[LiveConversation, ...]:
        """The conversations in the live chat now: the task's own list while it runs,
        else read from the store."""
        if self.running and self._ready is not None and self._ready.is_set():
            return self._queue()
        return tuple(await _in_thread(self.store.live))

    async def subscribe(self, sender: Optional[str] = None) -> Subscription:
        """Listen to the queue (and to ``sender``'s conversation): the first update is the
        queue as it is now."""
        subscription = Subscription(sender)
        self._joining += 1  # the task does not stop while a page is joining
        try:
            while not self._stopping:
                if not self.running:
                    self._ready = asyncio.Event()
                    self._task = asyncio.get_running_loop().create_task(self._run(self._ready))
                assert self._ready is not None
                await self._ready.wait()
                if self.running:
                    break
        finally:
            self._joining -= 1
        if self._stopping:
            subscription.close()
            return subscription
        self._subscriptions.add(subscription)
        subscription.put(QueueUpdate(self._queue()))
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    async def close(self) -> None:
        """Stop: every page's stream ends (the app is stopping)."""
        self._stopping = True
        if self._ready is not None:
            self._ready.set()
        for subscription in list(self._subscriptions):
            subscription.close()
        self._subscriptions.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def _run(self, ready: asyncio.Event) -> None:
        await self.wakeup.start()
        try:
            await self._watch(ready)
        finally:
            await self.wakeup.stop()

    async def _watch(self, ready: asyncio.Event) -> None:
        cursor: Optional[Cursor] = None
        reconciled = 0.0
        last_listener = time.monotonic()
        while True:
            try:
                if cursor is None:
                    cursor = await _in_thread(self.store.cursor)
                    await self._reconcile()
                    reconciled = time.monotonic()
                else:
                    cursor = await self._look(cursor)
                    await self._look_typing()
                    if time.monotonic() - reconciled > self.reconcile_seconds:
                        await self._reconcile()
                        reconciled = time.monotonic()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database away: say so, try again
                logger.warning("live chat: the tracker store could not be read (%s)", error)
            ready.set()  # also after an error: the pages get the list as it was
            if self._subscriptions or self._joining:
                last_listener = time.monotonic()
            elif time.monotonic() - last_listener > self.idle_seconds:
                return  # nothing awaited between this check and the end: see subscribe()
            await self.wakeup.wait()

    async def _reconcile(self) -> None:
        found = await _in_thread(self.store.live)
        fresh = {conversation.sender: conversation for conversation in found}
        self._publish(fresh)

    async def _look(self, cursor: Cursor) -> Cursor:
        events, cursor = await _in_thread(self.store.changes, cursor)
        if not events:
            return cursor
        by_sender: Dict[str, List[StoredEvent]] = {}
        for event in events:
            by_sender.setdefault(event.sender, []).append(event)
        for sender in self._watched() & set(by_sender):
            for event in by_sender[sender]:
                if event.type_name not in MESSAGE_TYPES:
                    continue
                message = self.store.message(event)
                if message is not None:
                    self._tell(sender, MessageUpdate(sender, message))
        changed = [
            sender
            for sender, stored in by_sender.items()
            if sender in self._snapshot or any(e.type_name in STATE_TYPES for e in stored)
        ]
        if changed:
            now = await _in_thread(self.store.live_of, changed)
            fresh = {s: c for s, c in self._snapshot.items() if s not in now}
            fresh.update({s: c for s, c in now.items() if c is not None})
            self._publish(fresh)
        return cursor

    async def _look_typing(self) -> None:
        """Tell the pages of a conversation that its visitor is typing (once a typing)."""
        watched = self._watched()
        self._typing = {s: at for s, at in self._typing.items() if s in watched}
        if not watched:
            return
        recent = time.time() - TYPING_RECENT_SECONDS
        found = await _in_thread(self.store.typing, watched, recent)
        for sender, at in found.items():
            if at > self._typing.get(sender, 0.0):
                self._typing[sender] = at
                self._tell(sender, TypingUpdate(sender, at))

    def _watched(self) -> Set[str]:
        """The conversations the pages show."""
        return {s.sender for s in self._subscriptions if s.sender}

    def _tell(self, sender: str, update: Update) -> None:
        """Give ``update`` to the pages that show ``sender``'s conversation."""
        for subscription in list(self._subscriptions):
            if subscription.sender == sender:
                subscription.put(update)

    def _publish(self, fresh: Dict[str, LiveConversation]) -> None:
        """Make ``fresh`` the list; tell the pages what changed."""
        before = self._snapshot
        self._snapshot = fresh
        if fresh == before:
            return
        for subscription in list(self._subscriptions):
            sender = subscription.sender
            if sender and _state(before.get(sender)) != _state(fresh.get(sender)):
                subscription.put(StateUpdate(sender, fresh.get(sender)))
        update = QueueUpdate(self._queue())
        for subscription in list(self._subscriptions):
            subscription.put(update)


async def _in_thread(call: Callable[..., T], *args: Any) -> T:
    """Run a read of the store in a thread (the loop goes on serving pages)."""
    return await asyncio.get_running_loop().run_in_executor(None, call, *args)
