"""Responses that can name the clinic without the action server.

Rasa fills a response's ``{placeholders}`` from slots and from what an action passes. This
generator adds the clinic's facts from ``clinic.yml`` (``{clinic_name}``, ``{clinic_phone}``,
``{booking_url}``, ``{clinic_email}``, ``{opening_hours}``, ``{emergency_number}``, the live
handoff's ``{handoff_wait}`` and ``{callback_keep}`` when clinic.yml has a handoff section,
and the channels' ``{max_message_chars}``), so any
response can use them: an FAQ answer, a greeting, and the emergency guidance even when the
action server is down. It is switched on in ``endpoints.yml`` (``nlg: type: ...``).
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from channels.limits import max_message_chars
from clinic.config import get_clinic


class ClinicResponseGenerator(TemplatedNaturalLanguageGenerator):
    """The domain's responses, with the clinic's facts available to every one of them."""

    def __init__(
        self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)
        # Read at start-up, so a broken clinic.yml stops the server with a clear message.
        self.clinic_values: Dict[str, Any] = dict(get_clinic().template_values())
        # The channels' length limit, named by utter_message_too_long.
        self.clinic_values["max_message_chars"] = f"{max_message_chars():,}"

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Dict[str, Any] | None:
        """Fill the response with slots, the clinic's facts and the caller's values."""
        return await super().generate(
            utter_action, tracker, output_channel, **{**self.clinic_values, **kwargs}
        )
