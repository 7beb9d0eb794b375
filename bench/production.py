"""The production profile under the benchmark's load: PostgreSQL, Redis,
the action server, two Rasa servers and nginx (ops/profile.py, the same code
as `make prod`), on free loopback ports with nginx's rate limit raised for
the load run. Measured through nginx (both servers) and on one Rasa server
addressed directly, with each service's CPU per message."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from bench.processes import tree_cpu_s
from ops import procfile
from ops.profile import PROCFILE, Profile

RAISED_RATE = 100_000  # requests a second per address: the load comes from one address


def start(model: Path) -> Profile:
    """The whole profile running, in a fresh state directory."""
    profile = Profile.on_free_ports(
        str(model), prefix="sepsis-bench-prod-", rate_per_second=RAISED_RATE, burst=RAISED_RATE
    )
    try:
        profile.start()
    except Exception:
        profile.remove()
        raise
    return profile


def cpu_by_service(profile: Profile) -> Dict[str, float]:
    """CPU seconds used so far by each service (its process tree)."""
    found = {}
    for name in procfile.names(PROCFILE):
        process = procfile.service(profile.env_file, name)
        if process is not None:
            found[name] = tree_cpu_s(process.pid)
    return found


def measure(
    profile: Profile, levels: Iterable[int], repeats: int, load: Callable[[str, int], Dict]
) -> Dict[str, Dict[str, List[Dict]]]:
    """For "nginx" (both servers) and "one server": per level, the load runs,
    each with every service's CPU ms per answered message."""
    results: Dict[str, Dict[str, List[Dict]]] = {}
    for label, url in (("nginx", profile.url), ("one server", profile.rasa_url(0))):
        results[label] = {}
        for level in levels:
            runs = []
            for _ in range(repeats):
                before = cpu_by_service(profile)
                run = load(url, level)
                after = cpu_by_service(profile)
                answered = max(run["answered"], 1)
                run["cpu_ms_per_message"] = {
                    name: round(1000 * (after[name] - before.get(name, 0.0)) / answered, 1) for name in after
                }
                runs.append(run)
            results[label][str(level)] = runs
    return results


# ----------------------------------------------------------------- report
SETUPS = (
    ("embedded default (make run, in-memory store)", ("models", "project")),
    ("Rasa's default configuration (baseline)", ("models", "baseline")),
    ("production, one Rasa server (PostgreSQL + Redis)", ("production", "one server")),
    ("production, 2 Rasa servers through nginx", ("production", "nginx")),
)


def figures(latency: Dict) -> Tuple[Optional[float], Optional[float], Optional[float]]:
    """(p50 at 1, p95 at 10, throughput at 10) of a `latency_ms` table."""
    one, ten = latency.get("1") or {}, latency.get("10") or {}
    return one.get("p50"), ten.get("p95"), ten.get("throughput")


def side_by_side(results: Dict) -> List[Tuple[str, Tuple, Tuple]]:
    """(setup, its figures, its ratios to the embedded default) per setup measured."""
    base = figures(results["models"]["project"]["latency_ms"])
    found = []
    for label, (group, key) in SETUPS:
        setup = (results.get(group) or {}).get(key)
        if not setup or "latency_ms" not in setup:
            continue
        own = figures(setup["latency_ms"])
        found.append((label, own, tuple(round(a / b, 2) if a and b else None for a, b in zip(own, base))))
    return found


def targets(results: Dict) -> Dict[str, Optional[bool]]:
    """Issue 17's targets, from the ratios (None: not measurable here)."""
    ratios = {label: r for label, _, r in side_by_side(results)}
    one, both = ratios.get(SETUPS[2][0]), ratios.get(SETUPS[3][0])
    cores = results["machine"]["cpus"] or 1
    return {
        "one production server: throughput at 10 >= 0.8x the embedded default": bool(one and one[2] and one[2] >= 0.8),
        "one production server: p95 at 10 <= 1.5x the embedded default": bool(one and one[1] and one[1] <= 1.5),
        f"2 servers: throughput at 10 >= 1.5x one embedded server (needs >= 4 cores; here {cores})": (
            bool(both and both[2] and both[2] >= 1.5) if cores >= 4 else None
        ),
    }


def lines(results: Dict, markdown: bool) -> List[str]:
    """The side-by-side table, the CPU split through nginx at 10, and the targets."""
    if not results.get("production") or "error" in results["production"]:
        reason = (results.get("production") or {}).get("error", "not run (--no-production)")
        return ["", f"production profile: {reason}"]
    head = ("setup", "p50 at 1 (ms)", "p95 at 10 (ms)", "throughput at 10 (msg/s)", "ratios to embedded")
    rows = [
        (label, *(_num(v) for v in own), " / ".join(_num(r) for r in ratio))
        for label, own, ratio in side_by_side(results)
    ]
    if markdown:
        out = ["", "| " + " | ".join(head) + " |", "| --- |" + " ---: |" * 4]
        out += ["| " + " | ".join(row) + " |" for row in rows]
    else:
        out = ["", f"{head[0]:<52}{head[1]:>14}{head[2]:>15}{head[3]:>26}  {head[4]}"]
        out += [f"{r[0]:<52}{r[1]:>14}{r[2]:>15}{r[3]:>26}  {r[4]}" for r in rows]
    split = results["production"]["nginx"]["latency_ms"].get("10", {}).get("cpu_ms_per_message", {})
    out += ["", "CPU ms per message through nginx at 10: " + ", ".join(f"{k} {v}" for k, v in sorted(split.items()))]
    out += [""] + [f"[{'x' if ok else ('-' if ok is None else ' ')}] {name}" for name, ok in targets(results).items()]
    return out


def _num(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:g}"
