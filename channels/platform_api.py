"""A platform's outgoing API (Messenger, Slack, Telegram, Twilio, WhatsApp): one aiohttp
session a channel, reused, with a time limit; a failure is logged with the secrets hidden
and never raised into the conversation."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Mapping, Optional, Sequence

import aiohttp

from channels import settings

logger = logging.getLogger(__name__)


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

    def redact(self, text: str) -> str:
        """``text`` with every secret of this API replaced by ``***``."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
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
                        self.redact(text[:300]),
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
            logger.error("%s API: %s refused: %s", self.channel, where, self.redact(text[:300]))
            return None
        return answer

    async def close(self) -> None:
        """Close the session (when the server stops)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()


def _json_loads(text: str) -> Any:
    return json.loads(text) if text.strip() else None
