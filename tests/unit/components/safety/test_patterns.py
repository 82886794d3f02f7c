"""The safety guard's patterns: data/safety/ as staff wrote it, and a broken file named."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.safety.patterns import GuardPatterns


def test_a_broken_pattern_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "emergency.yml").write_text("symptoms:\n  breathing: can't breathe\n")
    (tmp_path / "advice.yml").write_text("personal: {}\n")
    with pytest.raises(ValueError, match="symptoms: breathing must be a list of phrases"):
        GuardPatterns.load(tmp_path)
