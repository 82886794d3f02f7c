"""The chat widget's bundle (npm's rasa-webchat), made to load nothing from outside.

The bundle injects CSS that starts with ``@import url(https://fonts.googleapis.com/...)``
for its Inter font; a clinic page must not fetch anything from a third party (privacy, and
it may run without internet). The import is removed, and ``static/widget.css`` sets a
system font instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

#: A CSS ``@import`` of an absolute or protocol-relative URL, as the bundle writes it.
_EXTERNAL_IMPORT = re.compile(r"""@import\s+url\(\s*['"]?(?:https?:)?//[^)]*\)\s*;?""")


def strip_external_imports(source: str) -> str:
    """``source`` without the CSS ``@import`` rules that load from another site."""
    return _EXTERNAL_IMPORT.sub("", source)


class WidgetBundle:
    """The rewritten bundle, read from disk at the first request and then kept."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._text: Optional[str] = None

    def text(self) -> str:
        """The bundle without external imports.

        Raises:
            FileNotFoundError: when web/node_modules is not installed (``make setup``).
        """
        if self._text is None:
            self._text = strip_external_imports(self.path.read_text(encoding="utf-8"))
        return self._text
