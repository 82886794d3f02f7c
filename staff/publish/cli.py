"""``python -m staff.publish`` (``make publish``): run one publish job in the foreground,
printing its progress and figures; ``--list`` lists the versions, ``--rollback ID`` rolls
back, ``--live-model`` prints the live version's model file (nothing when there is none),
the model a Rasa server that starts serves."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import IO, Any, Dict, List, Optional, Tuple

from staff.publish.errors import PublishError
from staff.publish.gates import PLAIN_FIGURES
from staff.publish.publisher import Publisher
from staff.publish.registry import live_model
from staff.settings import SettingsError, StaffSettings


def _print_list(publisher: Publisher, out: IO[str]) -> None:
    versions = publisher.published()
    if not versions:
        print("Nothing has been published yet.", file=out)
        return
    for entry in versions:
        mark = "LIVE " if entry.live else "     "
        figures = ", ".join(
            f"{name} {entry.figures[name]:.3f}"
            for name in ("intent accuracy", "emergency recall", "advice recall")
            if name in entry.figures
        )
        commit = f" commit {entry.git_commit[:10]}" if entry.git_commit else ""
        print(f"{mark}{entry.id}  {entry.date}  by {entry.who}{commit}  {figures}", file=out)


def _follow(publisher: Publisher, job_id: str, out: IO[str]) -> Dict[str, Any]:
    shown: Tuple[str, int] = ("", -10)
    while True:
        status = publisher.wait(job_id, timeout=0.5)
        stage, percent = status["stage"], status["percent"]
        if status["state"] != "running":
            return status
        if stage != shown[0] and (
            not stage.startswith("Training:") or percent >= shown[1] + 5 or "epoch" not in stage
        ):
            print(f"[{percent:3d}%] {stage}", file=out, flush=True)
            shown = (stage, percent)


def main(argv: Optional[List[str]] = None, out: IO[str] = sys.stdout) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m staff.publish",
        description="Retrain from the data, test, and load the new version into the "
        "running assistant (make publish).",
    )
    parser.add_argument("--who", default=f"{getpass.getuser()} (command line)")
    parser.add_argument("--list", action="store_true", help="list the published versions")
    parser.add_argument("--rollback", metavar="ID", help="go back to a published version")
    parser.add_argument(
        "--live-model",
        action="store_true",
        help="print the live version's model file (nothing when there is none) and exit",
    )
    args = parser.parse_args(argv)
    try:
        settings = StaffSettings.from_env()
    except SettingsError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 2
    if args.live_model:  # before the publisher: it reads, and writes nothing
        model = live_model(settings.models)
        if model is not None:
            print(model, file=out)
        return 0
    publisher = Publisher(settings)
    if args.list:
        _print_list(publisher, out)
        return 0
    try:
        if args.rollback:
            entry = publisher.rollback(args.rollback, args.who)
            print(entry.note, file=out)
            return 0
        job_id = publisher.start(args.who)
    except KeyError as error:
        print(f"There is no published version {error}; --list lists them.", file=out)
        return 1
    except PublishError as error:
        print(str(error), file=out)
        return 1
    print(f"Publishing the data of {settings.data_root} (job {job_id}).", file=out, flush=True)
    status = _follow(publisher, job_id, out)
    if status["figures"]:
        print("Test figures:", file=out)
        for name, value in status["figures"].items():
            print(f"  {PLAIN_FIGURES.get(name, name):62s} {value:6.1%}", file=out)
    for warning in status.get("warnings") or []:
        print(f"Warning: {warning}", file=out)
    for number, problem in enumerate(status["problems"], 1):
        print(f"{number}. {problem}", file=out)
    seconds = ", ".join(f"{k} {v:.0f} s" for k, v in status.get("seconds", {}).items())
    print(f"{status['stage']}" + (f" ({seconds})" if seconds else ""), file=out)
    return 0 if status["state"] in ("published", "passed") else 1
