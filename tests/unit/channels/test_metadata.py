"""What a visitor's metadata keeps (channels/metadata.py): allowlisted keys, bounded values."""

from __future__ import annotations

import json

import pytest

from channels.metadata import ALLOWED, MAX_METADATA_CHARS, visitor_metadata

BIG = "x" * 100_000


def test_an_allowlisted_key_with_a_short_value_is_kept() -> None:
    assert visitor_metadata({"language": "en-GB"}) == {"language": "en-GB"}
    assert visitor_metadata('{"language": "pt-BR"}') == {"language": "pt-BR"}


def test_unknown_keys_are_dropped_whatever_their_size() -> None:
    metadata = {
        "language": "en",
        "page": BIG,
        "nested": {"deep": [BIG, {"deeper": BIG}]},
        "model_id": "forged",
        "": "x",
    }
    assert visitor_metadata(metadata) == {"language": "en"}


@pytest.mark.parametrize(
    "value",
    [BIG, "en" + "-abcdefgh" * 5, ["en"], {"tag": "en"}, 12, None, True, "en GB", "<b>en</b>", ""],
    ids=lambda value: repr(value)[:24],
)
def test_an_allowlisted_key_with_an_odd_or_long_value_is_dropped(value: object) -> None:
    assert visitor_metadata({"language": value}) == {}


@pytest.mark.parametrize(
    "value", [None, "", "{bad", "[1]", "12", [1], 12, BIG], ids=lambda value: repr(value)[:24]
)
def test_what_is_not_an_object_gives_nothing(value: object) -> None:
    assert visitor_metadata(value) == {}


def test_whatever_is_sent_what_is_kept_stays_under_the_total_limit() -> None:
    longest = {key: "a" * 8 + "-abcdefgh" * 3 for key in ALLOWED}
    kept = visitor_metadata({**longest, "page": BIG})
    assert set(kept) == set(ALLOWED)
    assert len(json.dumps(kept)) <= MAX_METADATA_CHARS == 1024
