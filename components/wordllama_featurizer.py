"""Pretrained static word embeddings for every message: WordLlama's 256-dimensional model.

The bag-of-words and character features of ``CountVectorsFeaturizer`` know only the words of
the training data. These embeddings come pretrained (WordLlama, ``l2_supercat_256``: token
embeddings distilled from a large language model), so a message in words the training data
never used ("jab", "dermo", "numbing gel") still lands near the examples that mean the same.
The classifier (:mod:`components.intent_classifier`) reads them beside the sparse features.

The model (:mod:`nlp.wordllama`) is read from the two files ``scripts/setup.sh`` takes out
of the ``wordllama`` wheel; nothing is downloaded at run time. The sentence features are
WordLlama's embedding of the message; the sequence features give each Rasa token the mean of
the pieces it covers.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlp.wordllama import DEFAULT_DIR, WordLlama, WordLlamaMissingError

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class WordLlamaFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense features from WordLlama's pretrained token embeddings (see module doc)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """The tokens the sequence features are aligned with."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``model_dir``: the folder with WordLlama's two files (default nlp/build/wordllama)."""
        return {**DenseFeaturizer.get_default_config(), "model_dir": None}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Nothing to validate beyond the model folder, checked when it is read."""

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        folder = self._config.get("model_dir")
        try:
            self.model = WordLlama(Path(folder) if folder else DEFAULT_DIR)
        except WordLlamaMissingError as missing:
            raise InvalidConfigException(str(missing)) from missing

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> WordLlamaFeaturizer:
        """Read the model; a missing model stops the server with what to run."""
        return cls({**cls.get_default_config(), **config}, execution_context.node_name)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurise the training examples in place."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the sequence and sentence features of each message's text."""
        for message in messages:
            self._featurise(message)
        return messages

    def _featurise(self, message: Message) -> None:
        text: Optional[str] = message.get(TEXT)
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not text or not tokens:
            return
        encoding = self.model.pieces(text)
        sentence = self.model.sentence(encoding.ids)
        sequence = np.zeros((len(tokens), self.model.dimension), dtype=np.float32)
        for row, token in enumerate(tokens):
            ids = [
                piece
                for piece, (start, end) in zip(encoding.ids, encoding.offsets, strict=True)
                if start < token.end and end > token.start
            ]
            if ids:
                sequence[row] = self.model.mean(ids)
        self.add_features_to_message(sequence, sentence[np.newaxis, :], TEXT, message)
