"""What the pages work with: the app's collaborators, kept on ``app.ctx.services``.

The app takes them as an argument, so tests can pass their own; by default they are made
from the settings (:func:`default_services`).
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Protocol, Set, Tuple, TypeVar

from nlp.wordllama import WordLlama
from staff import unanswered
from staff.accounts import Accounts
from staff.conversations import ConversationStore
from staff.edits import Edits
from staff.history import History
from staff.live import CallbackMarks, HandoffApi, LiveFeed, LiveStore, store_wakeup
from staff.publish import Published, Publisher
from staff.security import CookieSigner, SessionStore
from staff.settings import StaffSettings

T = TypeVar("T")


class PublisherLike(Protocol):
    """What the app needs of :class:`staff.publish.Publisher`."""

    def start(self, who: str) -> str: ...

    def status(self, job_id: Optional[str] = None) -> Dict[str, Any]: ...

    def published(self) -> List[Published]: ...

    def rollback(self, published_id: str, who: str) -> Published: ...


@dataclass
class Services:
    """The app's collaborators."""

    settings: StaffSettings
    accounts: Accounts
    sessions: SessionStore
    history: History
    conversations: ConversationStore
    publisher: PublisherLike
    signer: CookieSigner
    #: The threads that check passwords (argon2 is slow on purpose): logins wait for
    #: these, so a flood of them cannot take the threads the other pages use.
    login_threads: Executor = field(default_factory=lambda: ThreadPoolExecutor(2, "login"))
    #: Held while a full check (Rasa's own, a process of its own) runs: one at a time.
    full_check: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: The one way the pages change the data (checked, locked, recorded in ``history``).
    edits: Edits = field(init=False)
    #: Who started each publish job this app saw start (job id -> name).
    starters: Dict[str, str] = field(default_factory=dict)
    #: The tasks that follow running publish jobs (kept so they are not collected).
    watchers: Set[asyncio.Task[None]] = field(default_factory=set)
    #: A message for the next page a session sees: session id -> (text, kind), the kind
    #: being "error", "done" or "note".
    flashes: Dict[str, Tuple[str, str]] = field(default_factory=dict)
    #: The embedding that groups unanswered questions (WordLlama's, read on first use).
    embedder: Optional[unanswered.Embed] = None
    #: The live chat: its reads of the tracker store, the task that tells the pages what
    #: changed, the Rasa server's routes and the callbacks' "done" marks.
    live_store: LiveStore = field(init=False)
    live: LiveFeed = field(init=False)
    handoff: HandoffApi = field(init=False)
    callbacks: CallbackMarks = field(init=False)

    def __post_init__(self) -> None:
        self.edits = Edits(self.settings.data_root, self.history)
        self.live_store = LiveStore(self.conversations)
        self.live = LiveFeed(
            self.live_store,
            store_wakeup(self.conversations.store, self.settings.live_poll_seconds),
        )
        self.handoff = HandoffApi(self.settings.rasa_urls, self.settings.rasa_api_token)
        self.callbacks = CallbackMarks(self.settings.db, clock=self.history.clock)

    def embed(self) -> unanswered.Embed:
        """The embedding of texts, WordLlama's unless one was given (tests)."""
        if self.embedder is None:
            self.embedder = WordLlama().embed
        return self.embedder


def default_services(settings: StaffSettings) -> Services:
    """The collaborators the settings describe."""
    return Services(
        settings=settings,
        accounts=Accounts(
            settings.db,
            max_failures=settings.max_failures,
            lockout_seconds=settings.lockout_minutes * 60,
            max_address_failures=settings.max_address_failures,
            max_name_failures=settings.max_name_failures,
        ),
        sessions=SessionStore(settings.db, idle_seconds=settings.session_hours * 3600),
        history=History(settings.db),
        conversations=ConversationStore(settings.store, settings.low_confidence),
        publisher=Publisher(settings),
        signer=CookieSigner(settings.signing_key()),
        login_threads=ThreadPoolExecutor(settings.login_threads, "login"),
    )


async def blocking(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``call`` in a thread: database queries, the checks and the data files would
    otherwise hold up every other request."""
    return await blocking_on(None, call, *args, **kwargs)


async def blocking_on(
    executor: Optional[Executor], call: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """Run ``call`` in a thread of ``executor`` (None: the loop's default threads)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, functools.partial(call, *args, **kwargs))
