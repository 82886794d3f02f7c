"""Where a turn's time goes: py-spy samples of the Rasa server under load, summarised.

``py-spy record --format raw`` writes collapsed stacks ("root;...;leaf count", each frame
"function (file:line)"). Two summaries: the functions the samples ended in (self time),
and areas of the assistant: each sample goes to the innermost frame that belongs to a known
area (a pipeline component, a policy, the tracker store, the action server calls, Sanic),
so TensorFlow's time inside DIET counts for DIET.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

#: Components that call others' code (the ResponseSelector is a DIETClassifier, the TED
#: policies featurize trackers): a sample with one of these anywhere in its stack is theirs.
OUTER: Tuple[Tuple[str, str], ...] = (
    ("ResponseSelector", "rasa/nlu/selectors/"),
    ("UnexpecTEDIntentPolicy", "rasa/core/policies/unexpected_intent_policy.py"),
    ("TEDPolicy", "rasa/core/policies/ted_policy.py"),
)
#: (area, a piece of the file's path). Each sample goes to the innermost frame of one of
#: these areas; only a sample with none of them goes to the innermost frame of GENERAL.
AREAS: Tuple[Tuple[str, str], ...] = (
    ("safety guard (project)", "components/safety_guard.py"),
    ("safety guard (project)", "components/safety/"),
    ("scope and coverage guards (project)", "components/scope_guard.py"),
    ("scope and coverage guards (project)", "components/coverage_guard.py"),
    ("scope and coverage guards (project)", "components/topic_words.py"),
    ("language gate (project, lingua)", "components/language_gate.py"),
    ("language gate (project, lingua)", "components/language/"),
    ("language gate (project, lingua)", "lingua/"),
    ("intent and topic classifier (project)", "components/intent_classifier.py"),
    ("WordLlama featurizer (project)", "components/wordllama_featurizer.py"),
    ("WordLlama featurizer (project)", "nlp/wordllama.py"),
    ("payload guard (project)", "components/payload_guard.py"),
    ("response generation (clinic NLG)", "components/clinic_nlg.py"),
    ("response generation (clinic NLG)", "rasa/core/nlg/"),
    ("DIETClassifier", "rasa/nlu/classifiers/diet_classifier.py"),
    ("ResponseSelector", "rasa/nlu/selectors/"),
    ("featurizers", "rasa/nlu/featurizers/"),
    ("tokenizer", "rasa/nlu/tokenizers/"),
    ("spaCy", "rasa/nlu/utils/spacy_utils.py"),
    ("entity extraction", "rasa/nlu/extractors/"),
    ("fallback classifier", "rasa/nlu/classifiers/fallback_classifier.py"),
    ("TEDPolicy", "rasa/core/policies/ted_policy.py"),
    ("rule and memoization policies", "rasa/core/policies/"),
    ("policies' tracker featurization", "rasa/core/featurizers/"),
    ("tracker store (SQL, SQLite)", "rasa/core/tracker_store.py"),
    ("tracker store (SQL, SQLite)", "stores/tracker.py"),
    ("lock store", "rasa/core/lock_store.py"),
    ("action server calls (HTTP client, response validation)", "rasa/utils/endpoints.py"),
    ("action server calls (HTTP client, response validation)", "_validate_action_result"),
    ("action server calls (HTTP client, response validation)", "RemoteAction"),
    ("dialogue state (trackers, events, domain)", "rasa/shared/core/"),
    ("Rasa graph runner and message processing", "rasa/engine/"),
    ("Rasa graph runner and message processing", "rasa/core/processor.py"),
    ("Rasa graph runner and message processing", "rasa/core/agent.py"),
    ("Rasa graph runner and message processing", "rasa/core/actions/action.py"),
    ("REST channel", "rasa/core/channels/"),
    ("REST channel", "channels/rest.py"),
)
GENERAL: Tuple[Tuple[str, str], ...] = (
    ("Rasa, other", "rasa/"),
    ("Sanic (HTTP server)", "sanic/"),
    ("Sanic (HTTP server)", "sanic_routing/"),
    ("asyncio event loop", "asyncio/"),
    ("asyncio event loop", "uvloop/"),
)
OTHER = "other"
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def parse_raw(text: str) -> List[Tuple[List[str], int]]:
    """(frames from root to leaf, samples) of each line of py-spy's raw output."""
    stacks = []
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def frame_parts(frame: str) -> Tuple[str, str]:
    """(function, file) of a frame written "function (file:line)"."""
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip(), ""
    return match["function"], match["file"]


def short_file(path: str) -> str:
    """The path from the package folder on ("rasa/core/processor.py")."""
    for marker in ("site-packages/", "lib/python3.10/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path.rsplit("/main/", 1)[-1]


def compact(stacks: Sequence[Tuple[List[str], int]]) -> str:
    """The stacks in the same collapsed format, shorter: "function (package/file.py)" frames
    without line numbers or the process line, identical stacks added up. Flame graph tools
    (flamegraph.pl, speedscope) read it."""
    folded: Counter[str] = Counter()
    for frames, count in stacks:
        parts = []
        for frame in frames:
            if frame.startswith("process "):
                continue
            function, file = frame_parts(frame)
            parts.append(f"{function} ({short_file(file)})" if file else function)
        folded[";".join(parts)] += count
    return "".join(f"{stack} {count}\n" for stack, count in sorted(folded.items()))


def area_of(frames: Sequence[str]) -> str:
    """The area of OUTER anywhere in the stack, else of the innermost frame of one of AREAS,
    else of GENERAL, else OTHER."""
    for area, piece in OUTER:
        if any(piece in frame_parts(frame)[1] for frame in frames):
            return area
    for areas in (AREAS, GENERAL):
        for frame in reversed(frames):
            function, file = frame_parts(frame)
            for area, piece in areas:
                if piece in file or piece == function:
                    return area
    return OTHER


def summarise(
    stacks: Sequence[Tuple[List[str], int]], rate_hz: int, turns: int, top: int = 15
) -> Dict[str, Any]:
    """Areas and top functions: share of the samples and CPU milliseconds per turn."""
    total = sum(count for _, count in stacks)
    areas: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    for frames, count in stacks:
        areas[area_of(frames)] += count
        function, file = frame_parts(frames[-1])
        functions[f"{function} ({short_file(file)})"] += count

    def rows(counter: Counter[str], limit: int) -> List[Dict[str, Any]]:
        return [
            {
                "name": name,
                "share": count / total if total else 0.0,
                "cpu_ms_per_turn": count / rate_hz / turns * 1000 if turns else None,
            }
            for name, count in counter.most_common(limit)
        ]

    return {
        "samples": total,
        "rate_hz": rate_hz,
        "turns": turns,
        "cpu_ms_per_turn": total / rate_hz / turns * 1000 if turns else None,
        "areas": rows(areas, len(areas)),
        "top_functions": rows(functions, top),
    }


def start(pid: int, seconds: float, rate_hz: int, out: Path, log: Path) -> subprocess.Popen:
    """py-spy recording ``pid`` (and its subprocesses) for ``seconds``, raw format, without
    pausing it (``--nonblocking``), its messages in ``log``. Wait for the process, then read
    ``out``."""
    command = [
        "py-spy",
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(int(seconds)),
        "--rate",
        str(rate_hz),
        "--format",
        "raw",
        "--output",
        str(out),
        "--nonblocking",
        "--subprocesses",
    ]
    with log.open("w") as output:
        return subprocess.Popen(command, stdout=output, stderr=output)
