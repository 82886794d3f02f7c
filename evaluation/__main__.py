"""``python -m evaluation --model models/<name>.tar.gz``: the held-out sets against one model.

Prints the figures against their thresholds, the calibration and the messages not handled as
wanted, writes them to ``results/understanding.json``, and exits 1 when a figure misses.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List, Optional

from evaluation import understanding
from evaluation.in_process import conversations


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__)
    parser.add_argument("--model", type=Path, required=True, help="the trained model (.tar.gz)")
    parser.add_argument("--sets", type=Path, default=understanding.SETS, help="the sets' folder")
    parser.add_argument("--only", help="only the messages of this batch (`set:` in the files)")
    parser.add_argument("--out", type=Path, default=understanding.RESULTS, help="results (JSON)")
    args = parser.parse_args(argv)
    items = understanding.load(args.sets, args.only)
    results = understanding.run(conversations(args.model), items)
    values = understanding.figures(results)
    failed = understanding.failures(values)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"figures": values, "failures": failed, "results": results}, indent=1)
    )
    print(understanding.report(values, results, f"in-process, {args.model.name}"))
    for failure in failed:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
