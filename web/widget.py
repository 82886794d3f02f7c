"""What ``/widget.js`` tells the chat widget: the clinic's name, colours and logo, the Rasa
server to talk to, and the words of its labels.

The values are rendered into the script itself (``templates/widget.js``), so a clinic's
page needs one ``<script>`` tag and no second request for a configuration.
"""

from __future__ import annotations

from typing import Any, Dict

from jinja2 import Environment

from clinic.config import Clinic
from web.settings import WebSettings

SUBTITLE = "Questions about Botox for acne scars"
#: The opening message the widget sends; config.yml's payload guard allows it.
INIT_PAYLOAD = "/greet"
#: Where the app serves the clinic's logo, relative to the widget's address.
LOGO_PATH = "branding/logo"


def widget_config(clinic: Clinic, settings: WebSettings) -> Dict[str, Any]:
    """The widget's settings for ``clinic``; data- attributes of the tag may override some.

    ``socketUrl``, ``socketPath`` and ``storage`` are the defaults of the tag's
    ``data-socket-url``, ``data-socket-path`` and ``data-storage``.
    """
    return {
        "title": clinic.name,
        "subtitle": SUBTITLE,
        "socketUrl": settings.rasa_socket_url,
        "socketPath": settings.socket_path,
        "storage": clinic.widget_storage,
        "initPayload": INIT_PAYLOAD,
        "primaryColor": clinic.branding.primary_color,
        "accentColor": clinic.branding.accent_color,
        "logo": LOGO_PATH,
        "labels": {
            "open": f"Open the chat with {clinic.name}'s assistant",
            "close": "Close the chat",
            "log": "Conversation with the assistant",
            "input": "Your question",
            "inputHint": "Type your question…",
            "send": "Send",
            "connecting": "Connecting…",
        },
    }


def render_widget_js(environment: Environment, config: Dict[str, Any]) -> str:
    """The loader script with ``config`` in it (as JSON, safe inside a script)."""
    return environment.get_template("widget.js").render(config=config)
