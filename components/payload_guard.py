"""The payload guard: a visitor cannot steer the assistant by typing a button payload.

Rasa reads a message that starts with "/" as an intent with entities
(``/report_emergency_symptom``, ``/faq{"x": 1}``) and skips the NLU. The assistant's own
buttons rely on that (``/affirm``, ``/book_consultation``). Anything else that starts with
"/" was typed, or forged, by the visitor: this component, first in the pipeline, removes
the leading "/" so Rasa does not obey it, and records the original under ``forged_payload``
in the parse data. The safety guard, last in the pipeline, then answers it as a message
not understood, unless its words describe an emergency.

The allowlist is in one place: the payloads of the buttons in the domain's responses, plus
``allowed_payloads`` in this component's entry of ``config.yml`` for payloads sent by
something other than a button (a website widget's opening payload, for instance).
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

PARSE_KEY = "forged_payload"


def button_payloads(responses: Dict[Text, List[Dict[Text, Any]]]) -> FrozenSet[Text]:
    """Every intent payload ("/...") of a button in these responses."""
    return frozenset(
        str(button.get("payload", "")).strip()
        for variations in responses.values()
        for variation in variations
        for button in variation.get("buttons") or []
        if str(button.get("payload", "")).strip().startswith(INTENT_MESSAGE_PREFIX)
    )


def neutralise(text: Text) -> Text:
    """The words of a forged payload, without the "/" that makes Rasa obey it."""
    return text.strip().lstrip(INTENT_MESSAGE_PREFIX).strip()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class PayloadGuard(GraphComponent):
    """Let through only the payloads of the assistant's own buttons (see module doc)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``allowed_payloads``: payloads allowed besides those of the domain's buttons."""
        return {"allowed_payloads": []}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.extra: FrozenSet[Text] = frozenset(
            str(p).strip() for p in config.get("allowed_payloads") or []
        )
        self._allowed: Optional[FrozenSet[Text]] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PayloadGuard:
        """Creates the component from its config."""
        return cls(config)

    def allowed(self, domain: Optional[Domain]) -> FrozenSet[Text]:
        """The allowlist: the domain's button payloads and ``allowed_payloads``."""
        if self._allowed is None:
            responses = domain.responses if domain else {}
            self._allowed = button_payloads(responses) | self.extra
        return self._allowed

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples are not typed by visitors: they pass unchanged."""
        return training_data

    def process(self, messages: List[Message], domain: Optional[Domain] = None) -> List[Message]:
        """Turn each forged payload into plain text before any other component reads it."""
        allowed = self.allowed(domain)
        for message in messages:
            self._check(message, allowed)
        return messages

    @staticmethod
    def _check(message: Message, allowed: Iterable[Text]) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text.strip().startswith(INTENT_MESSAGE_PREFIX):
            return
        if text.strip() in allowed:
            return
        message.set(PARSE_KEY, text, add_to_output=True)
        message.set(TEXT, neutralise(text))
