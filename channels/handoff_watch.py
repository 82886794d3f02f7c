"""The live handoff's periodic task, in every Rasa server: conversations nobody took in
time are offered a call back, and taken ones gone quiet are closed.

Every :data:`CHECK_SECONDS` it finds the paused conversations (``stores/paused.py``: one
cheap query of the tracker store's events), reads each, and

- resumes one waiting longer than ``wait_minutes`` (or waiting while staff are away:
  ``is_open`` of the handoff's times) and triggers ``EXTERNAL_handoff_timeout``, whose rule
  offers a call back;
- closes one taken and quiet (no message from either side) for ``idle_minutes``, with
  ``utter_handoff_idle_closed``.

It acts through :class:`channels.handoff_steps.LiveHandoff`, which takes the
conversation's lock and checks its state again there: with two servers (or two worker
processes) both may see a conversation due, only the first acts. The times come from
:func:`channels.handoff_state.handoff_times`, read at each pass. The task starts once the
server has started and stops with it (``channels/handoff.py``); a failure on one
conversation, or of the database, is logged and the next pass tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, Callable, List, Optional, Sequence, Set

from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel

from channels.handoff_state import Times, handoff_times, state_of
from channels.handoff_steps import LiveHandoff
from stores.paused import PausedConversations
from stores.sender_tag import sender_tag
from stores.tracker import StoreUnavailable, clinic_store

logger = logging.getLogger(__name__)

#: Seconds between two passes.
CHECK_SECONDS = 5.0
#: Seconds a stopping server waits for the pass under way.
STOP_SECONDS = 10.0

TIMED_OUT = "timed out"
CLOSED_IDLE = "closed idle"


class HandoffWatch:
    """The periodic task (see the module's description).

    Args:
        times: the handoff's times, read at each pass.
        clock: the time now, in unix seconds (tests pass their own).
        interval: seconds between two passes.
    """

    def __init__(
        self,
        times: Callable[[], Times] = handoff_times,
        clock: Callable[[], float] = time.time,
        interval: float = CHECK_SECONDS,
    ) -> None:
        self.times = times
        self.clock = clock
        self.interval = interval
        self.paused = PausedConversations()
        self._task: Optional[asyncio.Task] = None
        self._stopping = asyncio.Event()

    async def paused_senders(self, agent: Agent) -> Set[str]:
        """The sender ids of the paused conversations."""
        store = clinic_store(agent.tracker_store)
        if store is not None:
            return self.paused.refresh(store.engine)
        # Another kind of store (a test's in memory): every conversation.
        return set(await agent.tracker_store.keys())

    async def check(
        self, agent: Agent, input_channels: Sequence[InputChannel]
    ) -> List[tuple[str, str]]:
        """One pass: act on every conversation due; what was done, as (sender id, what)."""
        steps = LiveHandoff(agent, input_channels)
        times = self.times()
        done: List[tuple[str, str]] = []
        for sender_id in sorted(await self.paused_senders(agent)):
            try:
                outcome = await self._check_one(steps, sender_id, times)
            except (Exception, StoreUnavailable) as error:
                logger.error(
                    "Handoff: conversation %s could not be checked: %s",
                    sender_tag(sender_id),
                    type(error).__name__,
                )
                logger.debug("Handoff: the error", exc_info=True)
                continue
            if outcome is not None:
                done.append((sender_id, outcome))
        return done

    async def _check_one(self, steps: LiveHandoff, sender_id: str, times: Times) -> Optional[str]:
        """Act on one paused conversation if it is due (read without the lock first: the
        step reads it again under the lock)."""
        tracker = await steps.agent.tracker_store.retrieve(sender_id)
        state = state_of(tracker) if tracker is not None else None
        if state is None or not (state.waiting or state.taken):
            self.paused.forget(sender_id)  # resumed meanwhile, or paused for another reason
            return None
        now = self.clock()
        if state.timed_out(times, now) and await steps.time_out(sender_id, times, now):
            return TIMED_OUT
        if state.idle(times, now) and await steps.close_idle(sender_id, times, now):
            return CLOSED_IDLE
        return None

    # Started and stopped with the server.

    def start(self, app: Any) -> None:
        """Start the passes on the running server ``app`` (its ``ctx.agent`` and
        ``ctx.input_channels``, read at each pass: a new model brings a new agent)."""
        self._stopping = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(app))

    async def stop(self) -> None:
        """Stop: the pass under way may finish (at most :data:`STOP_SECONDS`)."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_SECONDS)
        except asyncio.TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, app: Any) -> None:
        while not self._stopping.is_set():
            agent = getattr(app.ctx, "agent", None)
            if isinstance(agent, Agent) and agent.is_ready():
                try:
                    await self.check(agent, getattr(app.ctx, "input_channels", None) or [])
                except (Exception, StoreUnavailable) as error:
                    logger.error("Handoff: the periodic check failed: %s", type(error).__name__)
                    logger.debug("Handoff: the error", exc_info=True)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)
