"""The benchmark's steps, in order, and the command line (``python -m bench``)."""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench import accuracy, load, machine, profile, report, serve, train
from bench.answers import AnswerBook
from bench.plan import FULL, QUICK, Plan

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / "work"
RESULTS = BENCH / "results"
#: The run's figures, for people: the latest table (written by every run).
README = BENCH / "README.md"
#: The two configurations, trained on the same domain.yml and data/.
CONFIGS = {"project": ROOT / "config.yml", "baseline": BENCH / "baseline_config.yml"}
COMMAND = "make bench"
#: Other processes using more than this many cores during a measurement make it unreliable.
BUSY_CORES = 0.15
#: A load level disturbed by other processes is measured again, after a pause, up to this
#: many times; the least disturbed attempt is kept.
RETRIES_IF_BUSY = 3
RETRY_PAUSE_S = 30.0


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def measured_level(url: str, visitors: int, plan: Plan, check: load.Check, prefix: str) -> Any:
    """One load level (warm-up, then the measured time), with the CPU that other processes
    of the machine used meanwhile (``others_cpu_cores``); measured again while others
    disturb it (RETRIES_IF_BUSY), keeping the least disturbed attempt."""
    best: Optional[Dict[str, Any]] = None
    for attempt in range(1, RETRIES_IF_BUSY + 2):
        load.run_level(url, visitors, plan.warmup_s, 0, check, f"{prefix}-w", plan.timeout_s)
        meter = machine.OthersMeter()
        level = load.run_level(
            url, visitors, plan.durations_s[visitors], 0, check, prefix, plan.timeout_s
        )
        figures = level.as_dict()
        figures["others_cpu_cores"] = round(meter.cores(), 3)
        figures["attempts"] = attempt
        if best is None or figures["others_cpu_cores"] < best["others_cpu_cores"]:
            best = figures
        if figures["others_cpu_cores"] <= BUSY_CORES or attempt > RETRIES_IF_BUSY:
            break
        say(
            f"{prefix}: other processes used {figures['others_cpu_cores']:.2f} cores; "
            f"measuring again in {RETRY_PAUSE_S:.0f} s (attempt {attempt + 1})"
        )
        time.sleep(RETRY_PAUSE_S)
    assert best is not None
    best["attempts"] = attempt
    warn_if_busy(best["others_cpu_cores"], f"{prefix}")
    return best


def warn_if_busy(cores: float, what: str) -> None:
    if cores > BUSY_CORES:
        say(
            f"WARNING: other processes used {cores:.2f} cores during {what}: the figures are "
            "disturbed; run the benchmark on an otherwise idle machine"
        )


def measure_serving(name: str, model: Path, plan: Plan, book: AnswerBook) -> Dict[str, Any]:
    """Cold start, memory after warm-up, the load levels and a profile."""
    figures: Dict[str, Any] = {}
    check = load.check_with(book)
    meter = machine.OthersMeter()
    with serve.serve(model, WORK / f"serve-{name}") as served:
        figures["cold_start_s"] = round(served.cold_start_s, 2)
        figures["cold_start_others_cpu_cores"] = round(meter.cores(), 3)
        say(f"{name}: ready {served.cold_start_s:.1f} s after start; warming up")
        load.run_level(served.webhook, 8, plan.warmup_s * 2, 0, check, f"{name}-warm")
        figures["memory_mib"] = {
            "rasa": round(serve.tree_rss_mib(served.rasa_pid), 1),
            "actions": round(serve.tree_rss_mib(served.actions_pid), 1),
        }
        say(f"{name}: memory after warm-up {figures['memory_mib']} MiB")
        figures["load"] = {}
        for visitors in plan.levels:
            level = measured_level(served.webhook, visitors, plan, check, f"{name}-{visitors}")
            figures["load"][str(visitors)] = level
            faq = level["latency"]["faq"]
            say(
                f"{name}: {visitors} visitors: {level['throughput_turns_per_s']:.1f} turns/s, "
                f"FAQ p50 {faq['p50_ms']:.0f} ms p95 {faq['p95_ms']:.0f} ms, "
                f"outcomes {level['outcomes']}"
            )
        figures["memory_after_load_mib"] = {
            "rasa": round(serve.tree_rss_mib(served.rasa_pid), 1),
            "actions": round(serve.tree_rss_mib(served.actions_pid), 1),
        }
        figures["profile"] = profile_under_load(served, plan, check, name)
    return figures


def profile_under_load(
    served: serve.Served, plan: Plan, check: load.Check, name: str
) -> Dict[str, Any]:
    """py-spy on the Rasa server during an extra 8-visitor run (not one of the measured
    levels, so sampling does not slow them)."""
    raw = WORK / f"profile-{name}.raw.txt"
    log = WORK / f"py-spy-{name}.log"
    spy = profile.start(served.rasa_pid, plan.profile_s, plan.profile_rate_hz, raw, log)
    level = load.run_level(served.webhook, 8, plan.profile_s, 0, check, f"{name}-profile")
    spy.wait(timeout=120)
    if spy.returncode != 0 or not raw.exists():
        return {"error": f"py-spy failed ({spy.returncode}); see {log}"}
    stacks = profile.parse_raw(raw.read_text())
    # A few MB: kept beside the work files (not committed), for flamegraph.pl or speedscope.
    folded = WORK / f"profile-{name}.folded.txt"
    folded.write_text(profile.compact(stacks), encoding="utf-8")
    summary = profile.summarise(stacks, plan.profile_rate_hz, level.answered)
    summary["stacks"] = str(folded.relative_to(ROOT))
    summary["throughput_while_profiled"] = level.throughput
    return summary


def measure_floor(plan: Plan) -> Dict[str, Any]:
    figures: Dict[str, Any] = {"load": {}}
    with serve.serve_floor(WORK / "serve-floor") as webhook:
        for visitors in plan.levels:
            level = measured_level(webhook, visitors, plan, load.check_echo, f"floor-{visitors}")
            figures["load"][str(visitors)] = level
            say(
                f"floor: {visitors} visitors: {level['throughput_turns_per_s']:.0f} turns/s, "
                f"outcomes {level['outcomes']}"
            )
    return figures


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="The project's config.yml against Rasa's default configuration.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short load levels and 2 folds, to try it out: NOT the real figures",
    )
    parser.add_argument(
        "--skip-accuracy", action="store_true", help="no cross-validation (the F1 rows stay empty)"
    )
    parser.add_argument(
        "--reuse-models",
        action="store_true",
        help="serve the models of an earlier run in bench/work/models instead "
        "of training (the training time is then the earlier run's)",
    )
    parser.add_argument(
        "--reuse-accuracy",
        action="store_true",
        help="take the cross-validation figures of the earlier run (bench/results/latest.json) "
        "instead of cross-validating again; with --reuse-models, re-measures only serving",
    )
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    plan = QUICK if args.quick else FULL
    # Reused figures are real ones, of the same models, measured by the earlier run.
    real = plan.is_real and not args.skip_accuracy
    earlier = earlier_run() if (args.reuse_models or args.reuse_accuracy) else {}
    if earlier:
        commit = str((earlier.get("machine") or {}).get("git_commit"))
        then, now = earlier.get("machine") or {}, machine.describe()
        changed = machine.inputs_changed_since(commit) + [
            f"{p} {then.get(p)} -> {now.get(p)}"
            for p in machine.MODEL_PACKAGES
            if then.get(p) != now.get(p)
        ]
        if changed:
            raise SystemExit(
                f"Cannot reuse the run of {earlier.get('date')}: what its models were made "
                f"from has changed since (commit {commit[:8]}): {', '.join(changed)}"
            )
    started = time.monotonic()
    date = datetime.datetime.now(datetime.timezone.utc)
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    say(
        f"plan '{plan.name}'{'' if real else ' (NOT the real figures)'}; machine load "
        f"{machine.load_average():.2f}; work in {WORK.relative_to(ROOT)}"
    )
    results: Dict[str, Any] = {
        "date": date.isoformat(timespec="seconds"),
        "command": COMMAND
        + (
            " (python -m bench " + " ".join(argv or sys.argv[1:]) + ")"
            if (argv or sys.argv[1:])
            else ""
        ),
        "plan": plan.name,
        "real_figures": real,
        "machine": machine.describe(),
        "load_average_at_start": machine.load_average(),
        "configs": {},
    }
    if earlier:
        results["reused_from"] = {
            "date": earlier.get("date"),
            "git_commit": (earlier.get("machine") or {}).get("git_commit"),
            "what": [
                w
                for w, on in (("training", args.reuse_models), ("accuracy", args.reuse_accuracy))
                if on
            ],
        }
    # Rasa may write its defaults into a config whose pipeline is empty: train copies.
    configs = {}
    for name, source in CONFIGS.items():
        configs[name] = WORK / f"{name}_config.yml"
        shutil.copyfile(source, configs[name])
        results["configs"][name] = {"config": str(source.relative_to(ROOT))}

    previous: Dict[str, Dict[str, Any]] = dict(earlier.get("configs") or {})
    reused_accuracy: Dict[str, Dict[str, Any]] = {}
    if args.reuse_accuracy:
        reused_accuracy = {n: (previous.get(n) or {}).get("accuracy") or {} for n in configs}
        if not all(a and "error" not in a for a in reused_accuracy.values()):
            raise SystemExit("--reuse-accuracy: the earlier run has no cross-validation figures")
    for name, config in configs.items():
        if args.reuse_models and (WORK / "models" / f"{name}.tar.gz").exists():
            model = WORK / "models" / f"{name}.tar.gz"
            results["configs"][name]["training"] = {
                **(previous.get(name) or {}).get("training", {}),
                "reused": True,
            }
        else:
            say(f"{name}: training from an empty cache ({config.relative_to(ROOT)})")
            meter = machine.OthersMeter()
            trained = train.train(config, name, WORK)
            model = trained.model
            results["configs"][name]["training"] = {
                **trained.as_dict(),
                "others_cpu_cores": round(meter.cores(), 3),
            }
            warn_if_busy(meter.cores(), f"training {name}")
            say(f"{name}: trained in {trained.seconds:.0f} s")
        results["configs"][name]["model"] = str(model)

    book = AnswerBook.of_project()
    for name in configs:
        model = Path(results["configs"][name].pop("model"))
        results["configs"][name].update(measure_serving(name, model, plan, book))
    say("floor: bare Sanic echo endpoint")
    results["floor"] = measure_floor(plan)

    # The figures so far, in case the cross-validation fails or is stopped.
    report.write_json(results, RESULTS / "latest.json")
    if reused_accuracy:
        for name, figures in reused_accuracy.items():
            results["configs"][name]["accuracy"] = {**figures, "reused": True}
        say(f"cross-validation figures reused from the run of {earlier.get('date')}")
    elif not args.skip_accuracy:
        say(
            f"{plan.folds}-fold cross-validation of both configurations, side by side "
            "(rasa test nlu --cross-validation); the baseline's takes longest"
        )
        meter = machine.OthersMeter()
        running = {
            name: accuracy.start(config, name, WORK, plan.folds)
            for name, config in configs.items()
        }
        for name, cv in running.items():
            try:
                figures = cv.finish()
            except train.BenchError as error:
                say(f"{name}: {error}")
                results["configs"][name]["accuracy"] = {"error": str(error)}
                continue
            figures["others_cpu_cores"] = round(meter.cores(), 3)
            results["configs"][name]["accuracy"] = figures
            say(
                f"{name}: intent F1 {figures['intent']['f1']:.3f}, response selection F1 "
                f"{figures['response_selection']['f1']:.3f} ({figures['seconds']:.0f} s)"
                + (
                    f"; left out: {figures['components_left_out']}"
                    if figures["components_left_out"]
                    else ""
                )
            )

    results["wall_time_s"] = round(time.monotonic() - started, 1)
    table = report.rows(results)
    results["table"] = [row.as_dict() for row in table]
    results["targets_missed"] = [row.figure for row in table if row.met is False]
    results["max_others_cpu_cores"] = max_others_cores(results)
    heading = (
        f"Benchmark of {date:%Y-%m-%d %H:%M} UTC (`{results['command']}`, "
        f"{results['machine']['cores']} cores, {results['machine']['cpu']}), "
        f"{results['wall_time_s'] / 60:.0f} minutes"
    )
    if not real:
        heading = f"**NOT THE REAL FIGURES ({plan.name} plan or parts skipped).** " + heading
    elif earlier:
        heading += (
            f"; {' and '.join(results['reused_from']['what'])} figures from the run of "
            f"{earlier.get('date')}, of the same models"
        )
    text = report.markdown(table, heading, notes(results)) + report.profile_markdown(results)
    report.write_json(results, RESULTS / "latest.json")
    README.write_text(report.readme(text), encoding="utf-8")
    report.plot(results, RESULTS / "latency.png", heading.replace("`", "").replace("**", ""))
    print()
    print(text)
    written = [RESULTS / "latest.json", README, RESULTS / "latency.png"]
    print("Written: " + ", ".join(str(p.relative_to(ROOT)) for p in written))
    return 0


def notes(results: Dict[str, Any]) -> List[str]:
    """What a reader of the table needs to know: how the targets are read, what the
    cross-validation left out, whether anything else used the CPU."""
    found = [
        "Latency targets are on the FAQ turn (a visitor's general question) with 1 visitor, "
        "the latency a visitor sees on an otherwise idle server; 8 and 32 visitors are shown "
        "beside. Throughput: turns answered per second, visitors in a closed loop. Errors: "
        "non-200, exceptions, timeouts; wrong answers (empty or of the wrong kind) apart.",
    ]
    for name, config in results["configs"].items():
        left_out = (config.get("accuracy") or {}).get("components_left_out")
        if left_out:
            found.append(
                f"Cross-validation of {name}: {', '.join(left_out)} left out (it needs the "
                "domain, which rasa test nlu's NLU-only training lacks; it acts only on "
                "typed button payloads, none of which is in the data)."
            )
        if "error" in (config.get("accuracy") or {}):
            found.append(f"Cross-validation of {name} failed: {config['accuracy']['error']}")
    busy = disturbed(results)
    found.append(
        "Other processes of the machine used at most "
        f"{max_others_cores(results):.2f} cores during a measurement"
        + (
            f"; more than {BUSY_CORES} during: {', '.join(busy)} (those figures are disturbed)."
            if busy
            else " (an otherwise idle machine)."
        )
    )
    return found


def disturbed(value: Any, path: str = "") -> List[str]:
    """Where in the results other processes used more than BUSY_CORES cores."""
    found: List[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path} {key}".strip()
            if key == "max_others_cpu_cores":
                continue
            if key.endswith("others_cpu_cores") and float(item) > BUSY_CORES:
                found.append(f"{path} ({float(item):.2f} cores)")
            elif isinstance(item, dict):
                found.extend(disturbed(item, where))
    return found


def max_others_cores(value: Any) -> float:
    """The largest ``others_cpu_cores`` anywhere in the results."""
    if isinstance(value, dict):
        own = [float(v) for k, v in value.items() if k.endswith("others_cpu_cores")]
        return max([*own, *(max_others_cores(v) for v in value.values())], default=0.0)
    if isinstance(value, list):
        return max((max_others_cores(v) for v in value), default=0.0)
    return 0.0


def earlier_run() -> Dict[str, Any]:
    """The results of the previous run (bench/results/latest.json), for the reuse options."""
    path = RESULTS / "latest.json"
    if not path.exists():
        raise SystemExit(f"{path}: no earlier run to reuse")
    data: Dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
