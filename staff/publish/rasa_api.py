"""The client of Rasa's model API: which model the running assistant serves
(``GET /status``), and loading a new one into it (``PUT /model?token=...``), into each of
its Rasa servers (``RASA_URL`` lists them, separated by commas)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

import requests

from staff.publish.files import model_id

#: How long a Rasa server may take to load a model.
LOAD_TIMEOUT = 900


class ModelApi:
    """Rasa's model API of each Rasa server of the assistant.

    Args:
        urls: each Rasa server (:attr:`staff.settings.StaffSettings.rasa_urls`).
        token: the token of Rasa's HTTP API (``RASA_API_TOKEN``), "" for none.
    """

    def __init__(self, urls: Sequence[str], token: str) -> None:
        self.urls = tuple(urls)
        self.token = token

    def _params(self) -> Dict[str, str]:
        return {"token": self.token} if self.token else {}

    def running_model_id(self) -> Optional[str]:
        """The id of the model the running assistant serves: the one every Rasa server of
        ``RASA_URL`` reports; None when one is not reachable or they differ."""
        found = {self.model_id_at(url) for url in self.urls}
        return found.pop() if len(found) == 1 else None

    def model_id_at(self, url: str) -> Optional[str]:
        """The id of the model the Rasa server at ``url`` serves; None when it does not
        answer."""
        try:
            reply = requests.get(f"{url}/status", params=self._params(), timeout=3)
        except requests.RequestException:
            return None
        if not reply.ok:
            return None
        found = reply.json().get("model_id")
        return str(found) if found else None

    def load(self, model: Path) -> Tuple[bool, str]:
        """Load ``model`` into the running assistant, into each of its Rasa servers;
        (loaded into all, what happened in plain words)."""
        urls = self.urls
        results = [self._load_into(url, model) for url in urls]
        if len(urls) == 1:
            return results[0]
        failed = [
            f"{url}: {said}"
            for url, (loaded, said) in zip(urls, results, strict=True)
            if not loaded
        ]
        if not failed:
            return True, f"Loaded into the assistant (all {len(urls)} of its servers)."
        return False, (
            f"It reached only {len(urls) - len(failed)} of the assistant's {len(urls)} "
            f"servers; not {'; '.join(failed)} Publish again, or roll back, once they all "
            "answer."
        )

    def _load_into(self, url: str, model: Path) -> Tuple[bool, str]:
        """Load ``model`` into the Rasa server at ``url`` (Rasa's ``PUT /model``) and check
        that its ``/status`` reports it; (loaded, what happened in plain words)."""
        later = "`make run` starts the assistant with it."
        try:
            reply = requests.put(
                f"{url}/model",
                params=self._params(),
                json={"model_file": str(model.resolve())},
                timeout=LOAD_TIMEOUT,
            )
        except requests.ConnectionError:
            return False, f"The assistant is not running (nothing answers at {url}). {later}"
        except requests.Timeout:
            return False, f"The assistant did not answer within {LOAD_TIMEOUT // 60} minutes."
        if reply.status_code in (401, 403):
            return False, (
                "The assistant refused it: the staff app's RASA_API_TOKEN is not the token the "
                "assistant was started with. Publish from the staff app started by `make run`, "
                "or restart with `make run`, which starts it with this version."
            )
        if reply.status_code in (404, 405):
            return False, (
                "The assistant's model API is off (it was started without RASA_API_TOKEN). "
                f"Restart it with `make run`; {later}"
            )
        if reply.status_code != 204:
            return False, (
                f"The assistant could not load it (it answered {reply.status_code}: "
                f"{_reason(reply)})."
            )
        wanted = model_id(model)
        running = self.model_id_at(url)
        if running != wanted:
            return False, "The assistant accepted it but still reports another version."
        return True, "Loaded into the assistant."


def _reason(reply: requests.Response) -> str:
    try:
        body = reply.json()
    except ValueError:
        return reply.text[:200] or reply.reason
    return str(body.get("message") or body.get("reason") or body)[:200]
