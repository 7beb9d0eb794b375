"""Held-out NLU accuracy of one model per language, as staff/heldout.py
measures it; run as a subprocess so each model loads in a fresh process.

    python -m bench.accuracy MODEL   -> {"nl": {"accuracy": .., "n": ..}, "en": ...}
"""

from __future__ import annotations

import json
import sys

from rasa.core.agent import Agent

import rasa_ext
from staff.heldout import evaluate, quiet_logs

if __name__ == "__main__":
    quiet_logs()
    rasa_ext.install()  # as the Rasa server runs
    report = evaluate(Agent.load(sys.argv[1]))
    print(json.dumps({lang: {"accuracy": r["accuracy"], "n": r["n"]} for lang, r in report.items()}))
