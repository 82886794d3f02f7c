"""``make check``: every plain-words check of the project's data, Rasa's included.

Prints "No problems found." or a numbered list (warnings marked), and exits 1 when a
problem must be fixed before the assistant can be published.

Usage: ``python -m staff.checks [--quick]`` (``--quick``: without Rasa's own data check).
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from staff.checks.project import check_project
from staff.problems import numbered
from staff.settings import SettingsError, StaffSettings


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m staff.checks", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="skip Rasa's own data check (rasa data validate)"
    )
    args = parser.parse_args(argv)
    try:
        settings = StaffSettings.from_env()
    except SettingsError as error:
        print(f"check: {error}", file=sys.stderr)
        return 2
    print(f"Checking the data of {settings.data_root} ...", flush=True)
    problems = check_project(settings.data_root, rasa_validate=not args.quick)
    if not problems:
        print("No problems found.")
        return 0
    print(numbered(problems))
    blocking = sum(p.blocking for p in problems)
    warnings = len(problems) - blocking
    print(
        f"\n{blocking} problem{'s' if blocking != 1 else ''} to fix, "
        f"{warnings} warning{'s' if warnings != 1 else ''}."
        + (" The assistant cannot be published until the problems are fixed." if blocking else "")
    )
    return 1 if blocking else 0


if __name__ == "__main__":
    sys.exit(main())
