"""A trained model carries what its components read: loading it reads no
project file (the language cue words and the safety patterns and
descriptions are stored in it when it is trained)."""

from __future__ import annotations

import builtins
import io
import tempfile
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage

from base.paths import PROJECT_ROOT
from components.language_detector import LanguageDetector
from components.safety_detector import SafetyDetector


def test_components_load_without_reading_project_files(model_path, monkeypatch) -> None:
    storage, meta = LocalModelStorage.from_model_archive(Path(tempfile.mkdtemp()), Path(model_path))
    context = ExecutionContext(meta.predict_schema, meta.model_id)
    real_open = builtins.open
    read = []

    def watched_open(file, *args, **kwargs):
        path = Path(str(file)).resolve() if isinstance(file, (str, Path)) else None
        if path and PROJECT_ROOT in path.parents and ".venv" not in path.parts:
            read.append(path)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watched_open)
    monkeypatch.setattr(io, "open", watched_open)  # pathlib's read_text
    loaded = {}
    for node in meta.predict_schema.nodes.values():
        if node.uses in (LanguageDetector, SafetyDetector):
            loaded[node.uses] = node.uses.load(node.config, storage, node.resource, context)
    monkeypatch.setattr(builtins, "open", real_open)
    monkeypatch.setattr(io, "open", real_open)
    assert set(loaded) == {LanguageDetector, SafetyDetector}
    assert read == [], read
    detector = loaded[LanguageDetector]
    assert detector.detect("ik ben heel erg moe sinds ik thuis ben")[0] == "nl"
    assert detector.detect("I have been so tired since I came home")[0] == "en"


def test_the_cue_words_come_from_the_model_not_the_file(model_path, tmp_path) -> None:
    storage, meta = LocalModelStorage.from_model_archive(Path(tempfile.mkdtemp()), Path(model_path))
    node = next(n for n in meta.predict_schema.nodes.values() if n.uses is LanguageDetector)
    elsewhere = {**node.config, "cues_file": str(tmp_path / "missing.yml")}
    with pytest.raises(FileNotFoundError):
        LanguageDetector(elsewhere)
    loaded = LanguageDetector.load(
        elsewhere, storage, node.resource, ExecutionContext(meta.predict_schema, meta.model_id)
    )
    assert loaded.cues == LanguageDetector({}).cues
