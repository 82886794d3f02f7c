"""WordLlama's static token embeddings (``l2_supercat_256``): one vector for a text.

Token embeddings distilled from a large language model, 256 dimensions, shipped in the
``wordllama`` wheel; ``nlp/wordllama_files.py`` takes its two files out of the wheel into
``nlp/build/wordllama/``. An embedding is WordLlama's own: the mean of the text's token
embeddings, scaled to length 1. Used by the pipeline's featuriser
(``components/wordllama_featurizer.py``) and by the staff app to group questions that ask
the same thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

#: Where ``nlp/wordllama_files.py`` puts the model's two files.
DEFAULT_DIR = Path(__file__).resolve().parent / "build" / "wordllama"
WEIGHTS = "l2_supercat_256.safetensors"
TOKENIZER = "l2_supercat_tokenizer_config.json"
EMBEDDING_KEY = "embedding.weight"


class WordLlamaMissingError(FileNotFoundError):
    """The model's files are not there (``make setup`` puts them there)."""


class WordLlama:
    """The embedding table and its tokenizer."""

    def __init__(self, folder: Path = DEFAULT_DIR) -> None:
        weights, tokenizer = folder / WEIGHTS, folder / TOKENIZER
        missing = [str(p) for p in (weights, tokenizer) if not p.is_file()]
        if missing:
            raise WordLlamaMissingError(
                f"WordLlama's model is missing ({', '.join(missing)}): run `make setup`, "
                f"which takes it out of the wordllama wheel."
            )
        # float16 as shipped (16 MB); rows are widened to float32 only when used.
        self.table: np.ndarray = load_file(str(weights))[EMBEDDING_KEY]
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.dimension = int(self.table.shape[1])

    def pieces(self, text: str) -> Any:
        """The tokenizer's encoding of ``text`` (ids and character offsets)."""
        return self.tokenizer.encode(text, add_special_tokens=False)

    def mean(self, ids: List[int]) -> np.ndarray:
        """The mean embedding of some pieces (zeros if none)."""
        if not ids:
            return np.zeros(self.dimension, dtype=np.float32)
        return np.asarray(self.table[ids].astype(np.float32).mean(axis=0))

    def sentence(self, ids: List[int]) -> np.ndarray:
        """The embedding of a text's pieces: their mean, length 1 (zeros if none)."""
        mean = self.mean(ids)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else mean

    def embed(self, text: str) -> np.ndarray:
        """The embedding of one text."""
        return self.sentence(self.pieces(text).ids)
