"""``python -m staff.publish`` (``make publish``): see :mod:`staff.publish.cli`."""

from __future__ import annotations

import sys

from staff.publish.cli import main

if __name__ == "__main__":
    sys.exit(main())
