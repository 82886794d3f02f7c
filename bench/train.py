"""Training a configuration on the project's data, from an empty Rasa cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parent.parent


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message says which and where its log is."""


@dataclass(frozen=True)
class Trained:
    model: Path
    seconds: float

    def as_dict(self) -> Dict[str, Any]:
        return {
            "seconds": round(self.seconds, 2),
            "model": str(self.model.relative_to(ROOT)),
            "model_mib": round(self.model.stat().st_size / 1024**2, 1),
        }


def fresh_cache(work: Path, name: str) -> Dict[str, str]:
    """An environment whose Rasa cache is a new empty folder (RASA_CACHE_DIRECTORY), so
    nothing trained before is reused."""
    cache = work / f"cache-{name}"
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    return {**os.environ, "RASA_CACHE_DIRECTORY": str(cache)}


def train(config: Path, name: str, work: Path) -> Trained:
    """``rasa train`` of ``config`` on ``domain.yml`` and ``data/``; its wall time, from
    starting the command (Python, TensorFlow and Rasa imports included) to its end."""
    out = work / "models"
    log = work / f"train-{name}.log"
    command = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--config",
        str(config),
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        str(out),
        "--fixed-model-name",
        name,
    ]
    env = fresh_cache(work, name)
    start = time.perf_counter()
    with log.open("w") as output:
        code = subprocess.run(command, cwd=ROOT, env=env, stdout=output, stderr=output).returncode
    seconds = time.perf_counter() - start
    model = out / f"{name}.tar.gz"
    if code != 0 or not model.exists():
        raise BenchError(f"training {name} failed ({code}); see {log}")
    return Trained(model, seconds)
