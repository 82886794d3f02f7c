"""How many messages the REST and website channels take from one sender and one client
address: a sliding window of a minute for each (the limits: ``channels/settings.py``).

A message over either limit is refused before anything reads it (REST: 429 with
``Retry-After``, ``channels/rest.py``; the website: ``utter_rate_limited``,
``channels/socketio.py``) and is not counted, so a client that waits as told gets in again.
Each channel of each server process counts for itself: behind several processes or
servers a client gets that many times the limits (nginx's own limits, in
``deploy/nginx.conf``, hold for all of them).

The client's address is the peer's, or, when Sanic is told a proxy is in front
(``SANIC_PROXIES_COUNT`` or ``SANIC_REAL_IP_HEADER``), the one the proxy forwards; without
that setting a forged ``X-Forwarded-For`` changes nothing, and behind a proxy without it
every visitor would share the proxy's address.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections import deque
from typing import Callable, Deque, Dict, List, Optional

from sanic.request import Request

from channels.settings import RateLimits
from stores.sender_tag import sender_tag

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
#: The limits are per minute.
WINDOW_SECONDS = 60.0


class SlidingWindow:
    """At most ``limit`` events a key in any ``seconds`` (a limit of 0: no limit)."""

    def __init__(self, limit: int, seconds: float = WINDOW_SECONDS, clock: Clock = time.monotonic):
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self._times: Dict[str, Deque[float]] = {}
        self._swept = clock()

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may have another event (0.0: now)."""
        if self.limit <= 0:
            return 0.0
        times = self._times.get(key)
        if times is None:
            return 0.0
        now = self.clock()
        while times and times[0] <= now - self.seconds:
            times.popleft()
        if len(times) < self.limit:
            return 0.0
        return times[0] + self.seconds - now

    def record(self, key: str) -> None:
        """Count an event of ``key`` now."""
        if self.limit <= 0:
            return
        now = self.clock()
        if now - self._swept >= self.seconds:
            self._sweep(now)
        self._times.setdefault(key, deque(maxlen=self.limit)).append(now)

    def keys(self) -> List[str]:
        """The keys with events still counted (or not yet swept)."""
        return list(self._times)

    def _sweep(self, now: float) -> None:
        """Forget the keys whose last event left the window: memory stays bounded by the
        events of about two windows, however many senders and addresses come and go."""
        self._times = {k: t for k, t in self._times.items() if t and t[-1] > now - self.seconds}
        self._swept = now


class RateLimiter:
    """The limits of one channel: per sender and per client address."""

    def __init__(self, limits: RateLimits, clock: Clock = time.monotonic) -> None:
        self.limits = limits
        self.senders = SlidingWindow(limits.per_sender, WINDOW_SECONDS, clock)
        self.addresses = SlidingWindow(limits.per_address, WINDOW_SECONDS, clock)

    def check(self, sender: Optional[str], address: Optional[str]) -> Optional[int]:
        """None, and the message counted, if ``sender`` and ``address`` are both within
        their limits (either may be unknown: None); else the whole seconds to wait."""
        wait = max(
            self.senders.wait(sender) if sender else 0.0,
            self.addresses.wait(address) if address else 0.0,
        )
        if wait > 0:
            # Tags, not the sender id or the address: both are personal data.
            logger.info(
                "A message from sender %s (address %s) refused: over the rate limit of %s "
                "messages a sender or %s an address in a minute.",
                sender_tag(sender) if sender else "-",
                sender_tag(address) if address else "-",
                self.limits.per_sender,
                self.limits.per_address,
            )
            return max(1, math.ceil(wait))
        if sender:
            self.senders.record(sender)
        if address:
            self.addresses.record(address)
        return None


#: The IPv6 prefix one client is counted by: a home or office network is given a /64 (or
#: more) to take addresses from as it likes, so one address of it tells nothing.
IPV6_CLIENT_PREFIX = 64


def client_address(request: Request) -> str:
    """The client's address as the limits count it: the one a proxy forwards when Sanic is
    told of one (Sanic's ``request.remote_addr``), else the peer's (``request.ip``); an
    IPv6 address as its /64 network (:func:`client_network`)."""
    return client_network(request.remote_addr or request.ip)


def client_network(address: str) -> str:
    """``address`` as one client: an IPv4 address as it is, an IPv6 one as its network of
    :data:`IPV6_CLIENT_PREFIX` bits (an IPv4 address mapped into IPv6 as the IPv4 one);
    anything else as it is."""
    try:
        parsed = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(parsed)
