"""Train models for the benchmark into bench/work/models (never models/),
and make stratified subsamples of the NLU data for the scaling figures."""

from __future__ import annotations

import hashlib
import json
import math
import random
import shutil
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from base.paths import rasa_env
from bench.paths import RASA, ROOT, WORK

MODELS = WORK / "models"
DATA = ROOT / "data"


def fingerprint(config: Path, data: Path) -> str:
    """Hash of what a model is trained from: config, domain, data, and the
    project's components when the config uses them."""
    digest = hashlib.sha256(config.read_bytes())
    uses_components = "components." in config.read_text(encoding="utf-8")
    for folder in (ROOT / "domain", data) + ((ROOT / "components",) if uses_components else ()):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".yml", ".yaml", ".py"):
                digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def train(name: str, config: Path, data: Path = DATA, reuse: str = "no") -> Dict:
    """Train, or reuse an earlier model: `reuse="same"` one trained from
    exactly these files, `"newest"` the newest of `name` whatever it was
    trained from. The model path, training seconds and size."""
    MODELS.mkdir(parents=True, exist_ok=True)
    stem = f"{name}-{fingerprint(config, data)}"
    if reuse == "newest":
        earlier = _newest(name)
    elif reuse == "same":
        earlier = MODELS / f"{stem}.tar.gz"
    else:
        earlier = None
    recorded = earlier.with_suffix("").with_suffix(".json") if earlier and earlier.exists() else None
    if recorded and recorded.exists():
        return {**json.loads(recorded.read_text()), "reused": True}
    log = WORK / "logs" / f"train-{stem}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log, "wb") as out:
        result = subprocess.run(
            [
                str(RASA),
                "train",
                "--force",
                "--domain",
                "domain",
                "--config",
                str(config),
                "--data",
                str(data),
                "--fixed-model-name",
                stem,
                "--out",
                str(MODELS),
            ],
            cwd=ROOT,
            env=rasa_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"training {name} failed; see {log}")
    model = MODELS / f"{stem}.tar.gz"
    info = {
        "model": str(model.relative_to(ROOT)),
        "train_s": round(seconds, 1),
        "model_mb": round(model.stat().st_size / 2**20, 2),
        "reused": False,
    }
    (MODELS / f"{stem}.json").write_text(json.dumps(info))
    return info


def _newest(name: str) -> Optional[Path]:
    found = [p for p in MODELS.glob(f"{name}-*.tar.gz") if p.with_suffix("").with_suffix(".json").exists()]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def subsample_data(fraction: float, seed: int = 2024) -> Path:
    """A copy of data/ with `fraction` of each intent's NLU examples (per
    language file, at least one), rules, regexes and safety patterns intact."""
    target = WORK / f"data-{round(fraction * 100)}"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(DATA, target)
    rng = random.Random(seed)
    for path in sorted((target / "nlu").rglob("*.yml")):
        document = yaml.safe_load(path.read_text())
        changed = False
        for block in document.get("nlu") or []:
            if "intent" not in block or not isinstance(block.get("examples"), str):
                continue
            lines = [line for line in block["examples"].splitlines() if line.strip().startswith("- ")]
            keep = max(1, math.ceil(len(lines) * fraction))
            block["examples"] = "\n".join(sorted(rng.sample(lines, keep), key=lines.index)) + "\n"
            changed = True
        if changed:
            path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    return target


def count_examples(data: Path) -> int:
    """Intent examples in a data folder's NLU files."""
    total = 0
    for path in (data / "nlu").rglob("*.yml"):
        for block in yaml.safe_load(path.read_text()).get("nlu") or []:
            if "intent" in block and isinstance(block.get("examples"), str):
                total += sum(1 for line in block["examples"].splitlines() if line.strip().startswith("- "))
    return total


def model_names() -> List[str]:
    return sorted(p.name for p in MODELS.glob("*.tar.gz"))
