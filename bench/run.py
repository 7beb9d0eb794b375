"""`make bench`: train the project's model and Rasa's default setup on the
same data, measure both, write bench/results/latest.json (+ a timestamped
copy) and a latency chart, and print a summary table.

    python -m bench.run            # full run (trains both; about 20-30 min here)
    python -m bench.run --quick    # fewer repeats/turns, reuse trained models
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

from base.paths import rasa_env
from bench import conversations, production, report, training
from bench.paths import BASELINE_CONFIG, PROJECT_CONFIG, PYTHON, ROOT, WORK
from bench.processes import PeakRss, tree_cpu_s
from bench.servers import ActionServer, RasaServer

LEVELS = (1, 10, 50)
SCALING_FRACTIONS = (0.25, 0.5, 1.0)
FULL = {"repeats": 3, "cold_starts": 3, "turns": 4, "duration": 20.0, "warmup": 3.0}
QUICK = {"repeats": 1, "cold_starts": 1, "turns": 3, "duration": 8.0, "warmup": 2.0}


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def load_run(url: str, scripts: Path, concurrency: int, settings: Dict) -> Dict:
    """One load-generator process against a running server."""
    command = [
        str(PYTHON),
        "-m",
        "bench.loadgen",
        "--url",
        url,
        "--scripts",
        str(scripts),
        "--concurrency",
        str(concurrency),
        "--duration",
        str(settings["duration"]),
        "--warmup",
        str(settings["warmup"]),
    ]
    limit = settings["duration"] + settings["warmup"] + 120
    result = subprocess.run(command, cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=limit)
    if result.returncode != 0:
        raise RuntimeError(f"load generator failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def serve_and_load(name: str, model: str, scripts: Path, settings: Dict, levels=LEVELS, cold_starts: int = 1) -> Dict:
    """Cold starts (median), then latency/throughput per level, and peak RSS."""
    logs = WORK / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    memory = PeakRss()
    actions = ActionServer(memory, logs / f"actions-{name}.log")
    server = None
    try:
        starts = []
        for _ in range(cold_starts):
            if server:
                server.stop()
            server = RasaServer(ROOT / model, actions, memory, logs / f"rasa-{name}.log")
            starts.append(round(server.cold_start_s, 2))
            say(f"{name}: cold start {server.cold_start_s:.1f} s")
        assert server is not None, "at least one cold start"
        latency = {}
        for level in levels:
            runs = []
            for _ in range(settings["repeats"]):
                before = {who: tree_cpu_s(p) for who, p in memory.pids.items()}
                run = load_run(server.url, scripts, level, settings)
                run["cpu_ms_per_message"] = {
                    who: round(1000 * (tree_cpu_s(p) - before[who]) / max(run["answered"], 1), 1)
                    for who, p in memory.pids.items()
                }
                runs.append(run)
            latency[str(level)] = report.summarise_level(runs)
            say(
                f"{name}: {level} concurrent: p50 {latency[str(level)]['p50']} ms, "
                f"p95 {latency[str(level)]['p95']} ms, {latency[str(level)]['throughput']} msg/s, "
                f"CPU ms/message {latency[str(level)]['cpu_ms_per_message']}"
            )
    finally:
        if server:
            server.stop()
        actions.stop()
        peak = memory.stop()
    return {
        "cold_start_runs_s": starts,
        "cold_start_s": round(statistics.median(starts), 2),
        "latency_ms": latency,
        "throughput_saturation": max(v["throughput"] for v in latency.values()),
        "rss_mb": {k: round(v, 1) for k, v in peak.items()},
    }


def production_profile(model: str, scripts: Path, settings: Dict) -> Dict:
    """The production profile with the project's model (bench/production.py):
    through nginx and on one Rasa server directly."""
    say("production profile: starting PostgreSQL, Redis, actions, 2 Rasa servers, nginx ...")
    try:
        profile = production.start(ROOT / model)
    except Exception as error:  # no PostgreSQL/Redis/nginx here: report it, measure the rest
        say(f"production profile: not measured ({error})")
        return {"error": f"not measured: {str(error)[:200]}"}
    try:
        raw = production.measure(
            profile, (1, 10), settings["repeats"], lambda url, level: load_run(url, scripts, level, settings)
        )
    finally:
        profile.remove()
    found = {}
    for label, levels in raw.items():
        found[label] = {"latency_ms": {level: report.summarise_level(runs) for level, runs in levels.items()}}
        for level, summary in found[label]["latency_ms"].items():
            say(
                f"production, {label}: {level} concurrent: p50 {summary['p50']} ms, p95 {summary['p95']} ms, "
                f"{summary['throughput']} msg/s, CPU ms/message {summary['cpu_ms_per_message']}"
            )
    return found


def accuracy(model: str) -> Dict:
    result = subprocess.run(
        [str(PYTHON), "-m", "bench.accuracy", str(ROOT / model)],
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode != 0:
        raise RuntimeError(f"held-out evaluation failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(name: str, config: Path, scripts: Path, settings: Dict, reuse: str) -> Dict:
    say(f"{name}: training ({'fresh' if reuse == 'no' else 'reusing a model if present'}) ...")
    info = training.train(name, config, reuse=reuse)
    say(f"{name}: model {info['model']} ({info['train_s']} s to train)")
    figures = serve_and_load(name, info["model"], scripts, settings, cold_starts=settings["cold_starts"])
    figures["accuracy"] = accuracy(info["model"])
    say(f"{name}: held-out accuracy {figures['accuracy']}")
    return {**info, **figures}


def scaling(project: Dict, scripts: Path, settings: Dict, reuse: str) -> List[Dict]:
    """The project's model on 25/50/100% of the NLU examples (per intent)."""
    rows = []
    for fraction in SCALING_FRACTIONS:
        if fraction == 1.0:
            info, figures, data = project, project, training.DATA
        else:
            data = training.subsample_data(fraction)
            info = training.train(f"project{round(fraction * 100)}", PROJECT_CONFIG, data, reuse=reuse)
            figures = serve_and_load(f"project{round(fraction * 100)}", info["model"], scripts, settings, levels=(10,))
        rows.append(
            {
                "fraction": fraction,
                "examples": training.count_examples(data),
                "train_s": info["train_s"],
                "model_mb": info["model_mb"],
                "cold_start_s": figures["cold_start_s"],
                "p50_at_10_ms": figures["latency_ms"]["10"]["p50"],
                "p95_at_10_ms": figures["latency_ms"]["10"]["p95"],
                "rss_rasa_mb": figures["rss_mb"]["rasa"],
            }
        )
        say(f"scaling {fraction:.0%}: {rows[-1]}")
    return rows


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats and turns; reuse models trained from the same files"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="in a full run too: reuse models trained from the same files, the newest baseline",
    )
    parser.add_argument(
        "--reuse-baseline",
        action="store_true",
        help="reuse the newest baseline model (its training time as recorded); train the project's models fresh",
    )
    parser.add_argument("--no-baseline", action="store_true", help="measure the project's model only")
    parser.add_argument("--no-scaling", action="store_true", help="skip the 25/50/100%% data figures")
    parser.add_argument(
        "--no-production", action="store_true", help="skip the production profile (PostgreSQL, Redis, nginx)"
    )
    parser.add_argument("--repeats", type=int, help="load runs per level (median reported)")
    parser.add_argument("--duration", type=float, help="measured seconds per load run")
    args = parser.parse_args(argv)
    settings = dict(QUICK if args.quick else FULL)
    if args.repeats:
        settings["repeats"] = settings["cold_starts"] = max(1, args.repeats)
    if args.duration:
        settings["duration"] = max(1.0, args.duration)
    reuse = "same" if args.quick or args.reuse else "no"
    began, stamp = time.monotonic(), time.strftime("%Y%m%d-%H%M%S")
    WORK.mkdir(parents=True, exist_ok=True)
    scripts = WORK / "conversations.json"
    dialogues = conversations.build(count=2000, turns=int(settings["turns"]))
    scripts.write_text(json.dumps(dialogues, ensure_ascii=False))
    results: Dict = {
        "started": stamp,
        "mode": "quick" if args.quick else "full",
        "settings": settings,
        "levels": list(LEVELS),
        "machine": {"cpus": os.cpu_count(), "loadavg_start": os.getloadavg(), "python": platform.python_version()},
        "load_mix_turns": conversations.mix(dialogues),
        "models": {},
    }
    results["models"]["project"] = measure("project", PROJECT_CONFIG, scripts, settings, reuse)
    if not args.no_baseline:
        results["models"]["baseline"] = measure(
            "baseline", BASELINE_CONFIG, scripts, settings, "newest" if reuse == "same" or args.reuse_baseline else "no"
        )
        project, baseline = results["models"]["project"], results["models"]["baseline"]
        results["ratios"] = report.ratios(project, baseline)
        results["targets"] = report.targets(project, baseline)
    if not args.no_production:
        results["production"] = production_profile(results["models"]["project"]["model"], scripts, settings)
    if not args.no_scaling:
        results["scaling"] = scaling(results["models"]["project"], scripts, settings, reuse)
    results["machine"]["loadavg_end"] = os.getloadavg()
    results["duration_s"] = round(time.monotonic() - began, 1)
    paths = report.write(results, stamp)
    print(report.table(results))
    print(f"\nJSON:  {report.relative(paths['json'])} (and bench-{stamp}.json)")
    print(f"Chart: {report.relative(paths['chart'])}")
    print(
        f"Took {results['duration_s'] / 60:.1f} min; load average at start/end "
        f"{results['machine']['loadavg_start'][0]:.1f}/{results['machine']['loadavg_end'][0]:.1f} "
        f"on {results['machine']['cpus']} CPUs (other work on the machine adds noise)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
