"""Readers for the project's data files, shared by the tests."""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def read_yaml(path: Path) -> Dict:
    """A YAML file as plain data."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def plain(example: str) -> str:
    """An example without entity annotations, lower-cased and trimmed."""
    return ANNOTATION.sub(r"\1", example).strip().lower()


def examples_in(files: List[Path]) -> Dict[str, Dict[str, List[str]]]:
    """{intent: {language: [examples]}} from NLU files with language metadata."""
    found: Dict[str, Dict[str, List[str]]] = defaultdict(lambda: defaultdict(list))
    for path in files:
        for block in read_yaml(path).get("nlu", []):
            if "intent" not in block:
                continue
            language = (block.get("metadata") or {}).get("language", "?")
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    found[block["intent"]][language].append(line.strip()[2:])
    return found


@lru_cache(maxsize=None)
def training_examples() -> Dict[str, Dict[str, List[str]]]:
    """Training examples of data/nlu by intent and language."""
    return examples_in(sorted((ROOT / "data" / "nlu").rglob("*.yml")))


@lru_cache(maxsize=None)
def heldout_examples() -> Dict[str, Dict[str, List[str]]]:
    """Held-out examples of tests/nlu by intent and language."""
    return examples_in(sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml")))


def steps_of(folder: Path, key: str) -> List[Dict]:
    """All rules or stories (by `key`) of the YAML files under a folder."""
    items = []
    for path in sorted(folder.rglob("*.yml")):
        items += read_yaml(path).get(key, []) or []
    return items


@lru_cache(maxsize=None)
def domain():
    """The merged domain of domain/."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain"))


def response_text(name: str, language: str, country: str) -> str:
    """The text Rasa chooses for a response in a language and country."""
    for variant in domain().responses[name]:
        slots = {c["name"]: c["value"] for c in variant.get("condition") or []}
        if slots and slots.get("language") == language and slots.get("country", country) == country:
            return variant["text"]
    raise AssertionError(f"{name} has no variant for {language}/{country}")
