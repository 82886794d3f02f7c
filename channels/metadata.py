"""What a visitor's ``metadata`` may carry into the assistant: allowlisted keys, short values.

Rasa stores a message's metadata with the user event, copies it into the session's first
slot (``session_started_metadata``), sends it to the event broker and shows it in the staff
app's conversation pages; a REST caller or a web page could send up to the 1 MB request
limit of anything with every message, and even set the ``model_id`` Rasa records. Nothing
in the project reads a visitor's metadata: the widget sends none (rasa-webchat's
``customData`` is not the key Rasa's socket.io channel reads) and the messaging channels
build none. So the REST and website channels keep only the keys of :data:`ALLOWED`, each
value a string of the shape its pattern allows, and drop everything else:

- ``language``: a language tag such as ``en`` or ``pt-BR`` (at most 35 characters), the
  key rasa-webchat's documentation gives as its example of ``customData``.

What is kept is at most :data:`MAX_METADATA_CHARS` as JSON, whatever was sent.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Pattern

#: The keys kept, each with the whole shape of the string value it may have.
ALLOWED: Dict[str, Pattern[str]] = {
    "language": re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,3}"),
}
#: The most a message's kept metadata can take, as JSON (the patterns bound each value).
MAX_METADATA_CHARS = 1024


def visitor_metadata(value: Any) -> Dict[str, str]:
    """The allowlisted part of a message's metadata (an object, or a JSON string of one);
    an unknown key, a value of another shape, and anything that is not an object are
    dropped."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    return {
        key: item
        for key, pattern in ALLOWED.items()
        if isinstance(item := value.get(key), str) and pattern.fullmatch(item)
    }
