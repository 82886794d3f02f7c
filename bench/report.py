"""The ratio table with the targets, the JSON of every figure, the latency plot, and the
benchmark's README that shows them."""

from __future__ import annotations

import json
import math
import operator
import textwrap
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from bench.stats import ratio

#: The issue's targets on project / baseline: (row key, comparison, bound).
COMPARE: Dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure of the project beside the baseline's or the floor's."""

    figure: str
    unit: str
    project: float
    other: float
    #: "baseline" or "floor".
    against: str
    #: e.g. "<= 0.6" on the ratio, "== 0" on the project's own figure; "" for none.
    target: str = ""
    #: The target is on the project's figure, not on the ratio.
    target_on_value: bool = False

    @property
    def ratio(self) -> float:
        return ratio(self.project, self.other)

    @property
    def met(self) -> Optional[bool]:
        """Whether the target is met; None without a target, False if a figure is missing."""
        if not self.target:
            return None
        sign, bound = self.target.split()
        value = self.project if self.target_on_value else self.ratio
        if math.isnan(value):
            return False
        return COMPARE[sign](value, float(bound))

    def as_dict(self) -> Dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "met": self.met}


def _level(config: Dict[str, Any], visitors: int) -> Dict[str, Any]:
    return config.get("load", {}).get(str(visitors), {})


def _latency(config: Dict[str, Any], visitors: int, kind: str, stat: str) -> float:
    return float(_level(config, visitors).get("latency", {}).get(kind, {}).get(stat, math.nan))


def _get(data: Dict[str, Any], *keys: str) -> float:
    value: Any = data
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return math.nan
        value = value[key]
    return float(value) if value is not None else math.nan


def rows(results: Dict[str, Any]) -> List[Row]:
    """The table's rows from the results (see ``run.py`` for their shape)."""
    project = results["configs"]["project"]
    baseline = results["configs"]["baseline"]
    floor = results.get("floor", {})
    levels = [int(v) for v in project.get("load", {})]
    last = max(levels) if levels else 32

    def pair(figure: str, unit: str, *keys: str, target: str = "") -> Row:
        return Row(figure, unit, _get(project, *keys), _get(baseline, *keys), "baseline", target)

    table = [
        pair("training time", "s", "training", "seconds", target="<= 0.5"),
        pair("cold start (process start to /status ready)", "s", "cold_start_s"),
        pair("Rasa server memory after warm-up", "MiB", "memory_mib", "rasa", target="<= 0.8"),
        pair("action server memory after warm-up", "MiB", "memory_mib", "actions"),
    ]
    for stat, target in (("p50_ms", "<= 0.6"), ("p95_ms", "<= 0.6"), ("p99_ms", "")):
        table.append(
            Row(
                f"FAQ turn latency {stat[:3]}, 1 visitor",
                "ms",
                _latency(project, 1, "faq", stat),
                _latency(baseline, 1, "faq", stat),
                "baseline",
                target,
            )
        )
    for visitors in levels[1:]:
        for stat in ("p50_ms", "p95_ms"):
            table.append(
                Row(
                    f"FAQ turn latency {stat[:3]}, {visitors} visitors",
                    "ms",
                    _latency(project, visitors, "faq", stat),
                    _latency(baseline, visitors, "faq", stat),
                    "baseline",
                )
            )
    for visitors in levels:
        table.append(
            Row(
                f"throughput, {visitors} visitor{'s' if visitors > 1 else ''}",
                "turns/s",
                _get(_level(project, visitors), "throughput_turns_per_s"),
                _get(_level(baseline, visitors), "throughput_turns_per_s"),
                "baseline",
                ">= 1.5" if visitors == 8 else "",
            )
        )
    table += [
        pair("intent F1 (5-fold CV, weighted)", "", "accuracy", "intent", "f1", target=">= 1.0"),
        pair(
            "response-selection F1 (CV, weighted)",
            "",
            "accuracy",
            "response_selection",
            "f1",
            target=">= 1.0",
        ),
        Row(
            f"errors, {last} visitors",
            "",
            _get(_level(project, last), "errors"),
            _get(_level(baseline, last), "errors"),
            "baseline",
            "== 0",
            True,
        ),
        Row(
            f"wrong answers, {last} visitors",
            "",
            _get(_level(project, last), "wrong_answers"),
            _get(_level(baseline, last), "wrong_answers"),
            "baseline",
        ),
    ]
    table.append(
        Row(
            "FAQ turn latency p50, 1 visitor",
            "ms",
            _latency(project, 1, "faq", "p50_ms"),
            _latency(floor, 1, "faq", "p50_ms"),
            "floor",
        )
    )
    for visitors in levels:
        table.append(
            Row(
                f"throughput, {visitors} visitor{'s' if visitors > 1 else ''}",
                "turns/s",
                _get(_level(project, visitors), "throughput_turns_per_s"),
                _get(_level(floor, visitors), "throughput_turns_per_s"),
                "floor",
            )
        )
    return table


def _number(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if value == 0 or abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _met(row: Row) -> str:
    return {None: "", True: "yes", False: "**NO**"}[row.met]


def markdown(table: List[Row], heading: str, notes: Sequence[str] = ()) -> str:
    """Two Markdown tables (project / baseline with the targets, project / floor), then
    the notes as a list."""
    lines = [
        heading,
        "",
        "| figure | project | baseline | project / baseline | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in table:
        if row.against != "baseline":
            continue
        unit = f" ({row.unit})" if row.unit else ""
        target = (f"project {row.target}" if row.target_on_value else row.target) or ""
        lines.append(
            f"| {row.figure}{unit} | {_number(row.project)} | {_number(row.other)} | "
            f"{_number(row.ratio)} | {target} | {_met(row)} |"
        )
    lines += ["", "| figure | project | floor | project / floor |", "|---|---:|---:|---:|"]
    for row in table:
        if row.against == "floor":
            unit = f" ({row.unit})" if row.unit else ""
            lines.append(
                f"| {row.figure}{unit} | {_number(row.project)} | "
                f"{_number(row.other)} | {_number(row.ratio)} |"
            )
    missed = [row.figure for row in table if row.met is False]
    lines += ["", f"Targets missed: {', '.join(missed)}." if missed else "All targets met."]
    if notes:
        lines += ["", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


def profile_markdown(results: Dict[str, Any], top: int = 8) -> str:
    """Where the Rasa server's CPU time goes, per configuration: the areas of the profile
    (CPU milliseconds per turn, share of the samples)."""
    lines = []
    for name, config in results["configs"].items():
        summary = config.get("profile") or {}
        if "areas" not in summary:
            continue
        lines += [
            "",
            f"{name}: {summary['cpu_ms_per_turn']:.1f} CPU ms per turn "
            f"({summary['samples']} samples, {summary['turns']} turns, 8 visitors)",
            "",
            "| area | CPU ms per turn | share |",
            "|---|---:|---:|",
        ]
        for area in summary["areas"][:top]:
            lines.append(
                f"| {area['name']} | {area['cpu_ms_per_turn']:.1f} | {area['share']:.0%} |"
            )
    return "\n".join(lines) + "\n" if lines else ""


def write_json(results: Dict[str, Any], path: Path) -> None:
    """Every figure, NaN written as null."""

    def clean(value: Any) -> Any:
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    path.write_text(json.dumps(clean(results), indent=1) + "\n", encoding="utf-8")


def plot(results: Dict[str, Any], path: Path, title: str) -> None:
    """Latency of FAQ turns (p50, p95) and throughput against concurrent visitors."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = {
        "project": results["configs"]["project"],
        "baseline": results["configs"]["baseline"],
        "floor (bare Sanic echo)": results.get("floor", {}),
    }
    colours = {
        "project": "tab:blue",
        "baseline": "tab:orange",
        "floor (bare Sanic echo)": "tab:gray",
    }
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, data in series.items():
        levels = sorted(int(v) for v in data.get("load", {}))
        if not levels:
            continue
        for stat, style in (("p50_ms", "-o"), ("p95_ms", "--s")):
            left.plot(
                levels,
                [_latency(data, v, "faq", stat) for v in levels],
                style,
                color=colours[name],
                label=f"{name} {stat[:3]}",
            )
        right.plot(
            levels,
            [_get(_level(data, v), "throughput_turns_per_s") for v in levels],
            "-o",
            color=colours[name],
            label=name,
        )
    for axis in (left, right):
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")
        axis.set_xticks([1, 8, 32])
        axis.set_xticklabels(["1", "8", "32"])
        axis.set_xlabel("concurrent visitors")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    left.set_ylabel("FAQ turn latency (ms, log scale)")
    left.set_title("Latency of an FAQ turn")
    right.set_ylabel("turns answered per second (log scale)")
    right.set_title("Throughput")
    figure.suptitle(textwrap.fill(title, 130), fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


#: The top of bench/README.md, above the latest run's table.
README_HEAD = """\
# Benchmark: the latest figures

Written by `make bench` (`python -m bench`) at the end of each run: do not edit by hand.
How it measures, and what earlier runs found, is in
[docs/benchmark.md](../docs/benchmark.md); every figure of this run, with the machine,
the versions and the commit, is in `results/latest.json`.

"""


def readme(text: str) -> str:
    """bench/README.md: the run's table, notes and profile (``text``), then its plot."""
    plot_link = (
        "\n![Latency of an FAQ turn and throughput against concurrent visitors]"
        "(results/latency.png)\n"
    )
    return README_HEAD + text.rstrip() + "\n" + plot_link
