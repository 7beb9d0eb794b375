"""Checks of the benchmark's parts and of the speed changes it led to
(part of `make test`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from bench import conversations, loadgen, report, training
from bench.paths import PROJECT_CONFIG


def test_conversations_are_seeded_and_mixed() -> None:
    first, second = conversations.build(200, 4), conversations.build(200, 4)
    assert first == second
    mix = conversations.mix(first)
    assert {"nl", "en", "topic", "red_flag", "crisis", "negative"} <= set(mix)
    assert all(len(c["turns"]) == 4 for c in first)


def test_percentile_and_summary() -> None:
    assert report.percentile([], 95) is None
    assert report.percentile([3, 1, 2], 50) == 2
    assert report.percentile(list(range(1, 101)), 95) == 95
    runs = [{"latencies": [0.01, 0.02, 0.03], "throughput": t, "errors": {}} for t in (9, 10, 11)]
    summary = report.summarise_level(runs)
    assert summary["p50"] == 20.0 and summary["throughput"] == 10


def test_loadgen_rejects_bad_arguments() -> None:
    with pytest.raises(SystemExit):
        loadgen.parse_args(["--url", "http://x", "--scripts", "s.json", "--concurrency", "0"])


def test_subsample_keeps_every_intent() -> None:
    half = training.subsample_data(0.25)
    try:
        assert 0 < training.count_examples(half) < training.count_examples(training.DATA)
        from rasa.shared.nlu.training_data.loading import load_data

        assert load_data(str(half / "nlu")).intents == load_data(str(training.DATA / "nlu")).intents
    finally:
        import shutil

        shutil.rmtree(half)


def _tiny_pipeline():
    from components.intent_classifier import TfidfIntentClassifier, build_pipeline

    texts = [
        "i am so tired",
        "ik ben zo moe",
        "my hair falls out",
        "mijn haar valt uit",
        "hello",
        "hallo",
        "tired all the time",
        "haaruitval na sepsis",
    ]
    labels = ["fatigue", "fatigue", "hair_loss", "hair_loss", "greet", "greet", "fatigue", "hair_loss"]
    config = TfidfIntentClassifier.get_default_config()
    return config, build_pipeline(config).fit(texts, labels)


def test_intent_model_matches_scikit_learn_after_a_round_trip() -> None:
    from components.intent_classifier import FittedIntentModel, load_pipeline, save_pipeline

    config, pipeline = _tiny_pipeline()
    with tempfile.TemporaryDirectory() as directory:
        save_pipeline(pipeline, Path(directory))
        loaded = load_pipeline(config, Path(directory))
    texts = ["so tired", "haar", "", "xyz qqq", "hallo daar, ik ben moe"]
    expected = pipeline.predict_proba(texts)
    assert np.allclose(loaded.predict_proba(texts), expected, atol=1e-12)
    assert np.allclose(FittedIntentModel(loaded).predict_proba(texts), expected, atol=1e-12)


def test_training_reuses_only_what_it_is_asked_to(tmp_path, monkeypatch) -> None:
    """ "same": the model of exactly these files; "newest": the newest of the
    name; "no", or no such model: a fresh training."""
    import json
    import os

    monkeypatch.setattr(training, "MODELS", tmp_path)
    stem = f"project-{training.fingerprint(PROJECT_CONFIG, training.DATA)}"
    for number, model_stem in enumerate(["project-old", stem, "project-newer"]):
        (tmp_path / f"{model_stem}.tar.gz").write_bytes(b"model")
        (tmp_path / f"{model_stem}.json").write_text(json.dumps({"model": model_stem}))
        os.utime(tmp_path / f"{model_stem}.tar.gz", (1000 + number, 1000 + number))

    class Trained(Exception):
        pass

    def would_train(*args, **kwargs):
        raise Trained

    monkeypatch.setattr(training.subprocess, "run", would_train)
    assert training.train("project", PROJECT_CONFIG, reuse="same") == {"model": stem, "reused": True}
    assert training.train("project", PROJECT_CONFIG, reuse="newest")["model"] == "project-newer"
    with pytest.raises(Trained):
        training.train("project", PROJECT_CONFIG, reuse="no")
    (tmp_path / f"{stem}.tar.gz").unlink()
    with pytest.raises(Trained):
        training.train("project", PROJECT_CONFIG, reuse="same")


def production_results(cpus: int, prod_throughput: float) -> dict:
    """Benchmark results with the embedded default and the production profile."""

    def latency(p50: float, p95: float, throughput: float) -> dict:
        return {"1": {"p50": p50}, "10": {"p95": p95, "throughput": throughput, "cpu_ms_per_message": {"rasa1": 9.0}}}

    return {
        "machine": {"cpus": cpus},
        "models": {"project": {"latency_ms": latency(10.0, 100.0, 100.0)}},
        "production": {
            "one server": {"latency_ms": latency(12.0, 140.0, prod_throughput)},
            "nginx": {"latency_ms": latency(13.0, 120.0, 2 * prod_throughput)},
        },
    }


def test_the_production_profile_is_reported_beside_the_embedded_default_with_ratios() -> None:
    from bench import production

    results = production_results(cpus=2, prod_throughput=85.0)
    rows = production.side_by_side(results)
    assert [label for label, _, _ in rows] == [
        production.SETUPS[0][0],
        production.SETUPS[2][0],
        production.SETUPS[3][0],
    ]
    assert rows[1][1] == (12.0, 140.0, 85.0) and rows[1][2] == (1.2, 1.4, 0.85)
    met = production.targets(results)
    assert list(met.values()) == [True, True, None]  # 2 cores: the 2-server target is only reported
    text = "\n".join(production.lines(results, markdown=True))
    assert "| production, 2 Rasa servers through nginx | 13 | 120 | 170 | 1.3 / 1.2 / 1.7 |" in text
    assert "rasa1 9.0" in text
    slow = production.targets(production_results(cpus=8, prod_throughput=70.0))
    assert list(slow.values()) == [False, True, False]
    assert "not run" in production.lines({"models": {}}, markdown=False)[1]
