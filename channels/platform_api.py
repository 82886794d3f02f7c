"""A platform's outgoing API (Messenger, Slack, Telegram, Twilio, WhatsApp): one aiohttp
session a channel, reused, with a time limit; a failure is logged with the secrets, and
what was sent about the visitor, hidden, and never raised into the conversation."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any, Iterator, List, Mapping, Optional, Sequence

import aiohttp

from channels import settings

logger = logging.getLogger(__name__)

#: A payload's own words ("text", "whatsapp", "individual"): kept in what is logged.
_API_WORD = re.compile(r"[a-z_]*")
#: What replaces, in a logged answer, a value that was sent about the visitor.
HIDDEN = "[hidden]"


def _leaves(value: Any) -> Iterator[str]:
    """Every string and number in a payload (JSON, form or query), as text."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        yield str(value)


def _about_the_visitor(leaf: str) -> bool:
    """Whether a value sent may identify the visitor or be their conversation: not one of
    the API's own lower-case words, nor a short number (a count, an index)."""
    if leaf.isdigit():
        return len(leaf) >= 5
    return len(leaf.strip()) >= 3 and not _API_WORD.fullmatch(leaf)


def sent_about_the_visitor(*payloads: Any) -> List[str]:
    """The values of the payloads a platform may echo in an error, as sent and as JSON
    escapes them: the recipient's id (a phone number), the texts, the buttons' titles.
    Longest first, so that none is hidden only in part."""
    found = set()
    for payload in payloads:
        for leaf in _leaves(payload):
            if _about_the_visitor(leaf):
                found.update({leaf, json.dumps(leaf)[1:-1]})
    return sorted(found, key=len, reverse=True)


class PlatformAPI:
    """A platform's outgoing API: one aiohttp session, reused, with a time limit.

    Failures (a network error, a time-out, an HTTP error, ``{"ok": false}``) are logged,
    with the secrets replaced by ``***``, and :meth:`post` returns None: a reply that could
    not be sent never raises into the conversation or back to the platform.
    """

    def __init__(
        self,
        channel: str,
        base_url: str,
        *,
        headers: Optional[Mapping[str, str]] = None,
        auth: Optional[aiohttp.BasicAuth] = None,
        secrets: Sequence[str] = (),
        timeout: float = settings.API_TIMEOUT_SECONDS,
    ) -> None:
        self.channel = channel
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.auth = auth
        self.secrets = [secret for secret in secrets if secret]
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self.timeout, headers=self.headers, auth=self.auth
            )
        return self._session

    def redact(self, text: str, personal: Sequence[str] = ()) -> str:
        """``text`` with every secret of this API replaced by ``***``, and each of
        ``personal`` (what was sent about the visitor) by ``[hidden]``."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        for value in personal:
            text = text.replace(value, HIDDEN)
        return text

    async def post(
        self,
        path: str,
        *,
        json: Optional[Any] = None,
        data: Optional[Mapping[str, str]] = None,
        params: Optional[Mapping[str, str]] = None,
    ) -> Optional[Any]:
        """POST to ``{base_url}{path}``; the answer's JSON, or None if it failed."""
        where = self.redact(path)
        personal = sent_about_the_visitor(json, data, params)
        try:
            async with self._client().post(
                self.base_url + path, json=json, data=data, params=params
            ) as reply:
                text = await reply.text()
                if reply.status >= 400:
                    logger.error(
                        "%s API: %s answered HTTP %s: %s",
                        self.channel,
                        where,
                        reply.status,
                        self.redact(text, personal)[:300],
                    )
                    return None
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("%s API: %s failed: %s", self.channel, where, self.redact(repr(error)))
            return None
        try:
            answer = _json_loads(text)
        except ValueError:
            return None
        if isinstance(answer, dict) and answer.get("ok") is False:
            refusal = self.redact(text, personal)[:300]
            logger.error("%s API: %s refused: %s", self.channel, where, refusal)
            return None
        return answer

    async def close(self) -> None:
        """Close the session (when the server stops)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()


def _json_loads(text: str) -> Any:
    return json.loads(text) if text.strip() else None
