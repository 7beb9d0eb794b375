"""Figures from raw load runs, the JSON and PNG outputs, and the summary table."""

from __future__ import annotations

import json
import math
import shutil
import statistics
from pathlib import Path
from typing import Dict, List, Optional

from bench import production
from bench.paths import RESULTS, ROOT

PERCENTILES = (50, 95, 99)


def percentile(values: List[float], p: float) -> Optional[float]:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def summarise_level(runs: List[Dict]) -> Dict:
    """Median over repeated runs of each run's p50/p95/p99 (ms) and throughput."""
    per_run = [
        {f"p{p}": (percentile(r["latencies"], p) or 0) * 1000 for p in PERCENTILES}
        | {
            "throughput": r["throughput"],
            "n": len(r["latencies"]),
            "errors": r["errors"],
            "cpu_ms_per_message": r.get("cpu_ms_per_message", {}),
        }
        for r in runs
    ]
    summary = {
        key: round(statistics.median(run[key] for run in per_run), 1)
        for key in [f"p{p}" for p in PERCENTILES] + ["throughput"]
    }
    summary["cpu_ms_per_message"] = {
        who: round(statistics.median(r["cpu_ms_per_message"][who] for r in runs), 1)
        for who in runs[0].get("cpu_ms_per_message", {})
    }
    summary["runs"] = [{k: (round(v, 1) if isinstance(v, float) else v) for k, v in run.items()} for run in per_run]
    return summary


def ratio(project: Optional[float], baseline: Optional[float]) -> Optional[float]:
    return round(project / baseline, 3) if project is not None and baseline else None


def ratios(project: Dict, baseline: Dict) -> Dict:
    """project / baseline for every headline figure (lower is better except
    throughput and accuracy)."""
    result = {
        "train_s": ratio(project["train_s"], baseline["train_s"]),
        "cold_start_s": ratio(project["cold_start_s"], baseline["cold_start_s"]),
        "throughput": ratio(project["throughput_saturation"], baseline["throughput_saturation"]),
        "rss_rasa_mb": ratio(project["rss_mb"]["rasa"], baseline["rss_mb"]["rasa"]),
    }
    for level in project["latency_ms"]:
        for p in PERCENTILES:
            result[f"p{p}_at_{level}"] = ratio(
                project["latency_ms"][level][f"p{p}"], baseline["latency_ms"][level][f"p{p}"]
            )
    return result


def targets(project: Dict, baseline: Dict) -> Dict[str, bool]:
    """The performance targets of issue 7, checked."""
    p95, base_p95 = project["latency_ms"]["10"]["p95"], baseline["latency_ms"]["10"]["p95"]
    return {
        "p95_at_10 <= half of baseline and < 150 ms": p95 <= base_p95 / 2 and p95 < 150,
        "cold start <= half of baseline": project["cold_start_s"] <= baseline["cold_start_s"] / 2,
        "throughput >= 2x baseline": project["throughput_saturation"] >= 2 * baseline["throughput_saturation"],
        "training < 3 min": project["train_s"] < 180,
        "held-out accuracy >= baseline (nl, en)": all(
            project["accuracy"][lang]["accuracy"] >= baseline["accuracy"][lang]["accuracy"] for lang in ("nl", "en")
        ),
    }


def write(results: Dict, stamp: str) -> Dict[str, Path]:
    """latest.json + a timestamped copy, the tables as Markdown, and the latency chart."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.json"
    latest.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    shutil.copy(latest, RESULTS / f"bench-{stamp}.json")
    (RESULTS / "latest.md").write_text(markdown(results))
    chart = RESULTS / "latency.png"
    plot(results, chart)
    shutil.copy(chart, RESULTS / f"latency-{stamp}.png")
    return {"json": latest, "chart": chart}


def plot(results: Dict, path: Path) -> None:
    """p50/p95/p99 latency against concurrency for each model (log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    styles = {50: "-", 95: "--", 99: ":"}
    for name, colour in (("project", "tab:blue"), ("baseline", "tab:orange")):
        model = results["models"].get(name)
        if not model:
            continue
        levels = sorted(model["latency_ms"], key=int)
        for p, style in styles.items():
            axes.plot(
                [int(c) for c in levels],
                [model["latency_ms"][c][f"p{p}"] for c in levels],
                style,
                marker="o",
                color=colour,
                label=f"{name} p{p}",
            )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks([int(c) for c in results["levels"]])
    axes.set_xticklabels([str(c) for c in results["levels"]])
    axes.set_xlabel("concurrent conversations")
    axes.set_ylabel("latency per message (ms)")
    axes.set_title("REST webhook latency (median of repeated runs)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def rows(results: Dict) -> List[tuple]:
    """(figure, project, baseline, ratio) for every headline figure."""
    project, baseline = results["models"]["project"], results["models"].get("baseline") or {}
    found = []

    def add(label: str, a, b) -> None:
        r = ratio(a, b) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else None
        found.append((label, a, b, r))

    for label, key in (
        ("training (s)", "train_s"),
        ("model size (MB)", "model_mb"),
        ("cold start (s)", "cold_start_s"),
        ("throughput at saturation (msg/s)", "throughput_saturation"),
    ):
        add(label, project[key], baseline.get(key))
    for level in sorted(project["latency_ms"], key=int):
        for p in PERCENTILES:
            add(
                f"p{p} at {level} concurrent (ms)",
                project["latency_ms"][level][f"p{p}"],
                (baseline.get("latency_ms") or {}).get(level, {}).get(f"p{p}"),
            )
        add(
            f"Rasa CPU per message at {level} (ms)",
            project["latency_ms"][level].get("cpu_ms_per_message", {}).get("rasa"),
            (baseline.get("latency_ms") or {}).get(level, {}).get("cpu_ms_per_message", {}).get("rasa"),
        )
    for who in ("rasa", "actions"):
        add(f"peak RSS {who} server (MB)", project["rss_mb"].get(who), (baseline.get("rss_mb") or {}).get(who))
    for lang in ("nl", "en"):
        add(
            f"held-out accuracy {lang}",
            project["accuracy"][lang]["accuracy"],
            (baseline.get("accuracy") or {}).get(lang, {}).get("accuracy"),
        )
    return found


SCALING_COLUMNS = (
    ("NLU data", "fraction"),
    ("examples", "examples"),
    ("train s", "train_s"),
    ("model MB", "model_mb"),
    ("cold start s", "cold_start_s"),
    ("p50 at 10 ms", "p50_at_10_ms"),
    ("p95 at 10 ms", "p95_at_10_ms"),
    ("Rasa RSS MB", "rss_rasa_mb"),
)


def table(results: Dict) -> str:
    """A plain-text summary: project, baseline and ratio per figure."""
    lines = [f"{'figure':<36}{'project':>10}{'baseline':>10}{'ratio':>8}"]
    lines += [f"{label:<36}{_fmt(a):>10}{_fmt(b):>10}{_fmt(r):>8}" for label, a, b, r in rows(results)]
    if results.get("scaling"):
        lines += ["", "".join(f"{name:>13}" for name, _ in SCALING_COLUMNS)]
        lines += ["".join(f"{_fmt(row[key]):>13}" for _, key in SCALING_COLUMNS) for row in results["scaling"]]
    if results.get("targets"):
        lines += [""] + [f"[{'x' if ok else ' '}] {name}" for name, ok in results["targets"].items()]
    lines += production.lines(results, markdown=False)
    return "\n".join(lines)


def markdown(results: Dict) -> str:
    """The same figures as Markdown tables (for docs/performance.md)."""
    lines = ["| figure | project | baseline | project/baseline |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {label} | {_fmt(a)} | {_fmt(b)} | {_fmt(r)} |" for label, a, b, r in rows(results)]
    if results.get("scaling"):
        lines += [
            "",
            "| " + " | ".join(name for name, _ in SCALING_COLUMNS) + " |",
            "|" + " ---: |" * len(SCALING_COLUMNS),
        ]
        lines += ["| " + " | ".join(_fmt(row[key]) for _, key in SCALING_COLUMNS) + " |" for row in results["scaling"]]
    lines += production.lines(results, markdown=True)
    return "\n".join(lines) + "\n"


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 1.5 else f"{value:.1f}"
    return str(value)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))
