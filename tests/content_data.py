"""Readers for the project's data files, shared by the tests. Topics,
examples, rules and stories are read by authoring/project.py (the content
check); this keeps what the end-to-end tests need: the answer texts."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

from authoring.yaml_lines import SAFE_LOADER
from base.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT


def read_yaml(path: Path) -> Dict:
    """A YAML file as plain data (safe loading)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # libyaml: ten times faster


@lru_cache(maxsize=None)
def domain():
    """The merged domain of domain/."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain"))


def response_variant(name: str, language: str, country: str) -> Dict:
    """The variant Rasa chooses for a response in a language and country."""
    for variant in domain().responses[name]:
        slots = {c["name"]: c["value"] for c in variant.get("condition") or []}
        if slots and slots.get("language") == language and slots.get("country", country) == country:
            return variant
    raise AssertionError(f"{name} has no variant for {language}/{country}")


def response_text(name: str, language: str, country: str) -> str:
    """The text Rasa chooses for a response in a language and country."""
    return response_variant(name, language, country)["text"]


def response_summary(name: str, language: str, country: str) -> str:
    """The two-sentence summary a topic answer starts with, for a language and country."""
    return response_variant(name, language, country)["metadata"]["summary"]
