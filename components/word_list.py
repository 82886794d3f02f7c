"""A list of words kept in a trained model: the language gate's English vocabulary and the
scope guard's words of the assistant's topics, one word a line."""

from __future__ import annotations

from typing import FrozenSet, Iterable, Optional

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def save_words(
    model_storage: ModelStorage, resource: Resource, file_name: str, words: Iterable[str]
) -> None:
    """Write ``words`` into the model, sorted."""
    with model_storage.write_to(resource) as folder:
        (folder / file_name).write_text("\n".join(sorted(words)), encoding="utf-8")


def load_words(
    model_storage: ModelStorage, resource: Resource, file_name: str
) -> Optional[FrozenSet[str]]:
    """The words written into the model, or None when it has none (not trained yet)."""
    try:
        with model_storage.read_from(resource) as folder:
            return frozenset((folder / file_name).read_text(encoding="utf-8").split("\n"))
    except (ValueError, FileNotFoundError):
        return None
