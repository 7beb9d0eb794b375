"""The safety layer of the NLU pipeline: red flags and crisis always win.

Runs after the intent classifier, the fallback and the language detector.
For every message it applies the reviewable patterns of `data/safety/`
(both languages, see components/safety_rules.py for the policy) and:

- when a crisis or red-flag sign counts, sets the intent to `crisis` or
  `red_flag` with confidence 1.0 and records the matched words as
  `safety_sign` entities and in the message's `safety` field, so staff can
  see why;
- when the classifier guessed `red_flag`/`crisis` but every sign the
  patterns found is negated, in the past or a general question, the
  patterns can tell: the message gets the best other intent of the ranking
  (an information topic) instead;
- when the classifier guessed `red_flag`/`crisis` and the patterns found
  nothing at all, the classifier's guess stands: when unsure, escalate.

The patterns are read when the model is trained and stored inside it, so a
model always answers with the patterns it was trained with.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.paths import project_path
from components.safety_rules import KINDS, SafetyRules, Verdict, merge_contexts, read_spec

SPECS_FILE = "safety_patterns.json"
SAFETY_FIELD = "safety"
SIGN_ENTITY = "safety_sign"
NOT_A_TOPIC = {"nlu_fallback", *KINDS}


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class SafetyDetector(GraphComponent):
    """Deterministic red-flag and crisis recognition that overrides the classifier."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Where the pattern files are (relative to the project root)."""
        return {"patterns_dir": "data/safety", "languages": ["nl", "en"]}

    def __init__(
        self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
        specs: Optional[Dict[Text, Dict]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.rules: Dict[Text, SafetyRules] = {}
        if specs:
            self.rules = {lang: SafetyRules(spec) for lang, spec in merge_contexts(specs).items()}

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyDetector":
        """A detector with the pattern files as they are on disk now."""
        return cls(config, model_storage, resource, cls._read_files(config))

    @classmethod
    def _read_files(cls, config: Dict[Text, Any]) -> Dict[Text, Dict]:
        config = {**cls.get_default_config(), **config}
        directory = project_path(config["patterns_dir"])
        return {lang: read_spec(directory / f"{lang}.yml") for lang in config["languages"]}

    def train(self, training_data: TrainingData) -> Resource:
        """Store the pattern files in the model."""
        specs = self._read_files(self.config)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / SPECS_FILE).write_text(json.dumps(specs, ensure_ascii=False), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, **kwargs: Any,
    ) -> "SafetyDetector":
        """The detector with the patterns stored in the model."""
        with model_storage.read_from(resource) as directory:
            specs = json.loads((directory / SPECS_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, specs)

    # ------------------------------------------------------------------
    def verdict(self, text: Text) -> Verdict:
        """The combined verdict of every language's patterns."""
        return Verdict.of([m for rules in self.rules.values() for m in rules.analyse(text).matches])

    def process(self, messages: List[Message]) -> List[Message]:
        """Apply the safety layer to each message in place."""
        for message in messages:
            self._process_message(message)
        return messages

    def _process_message(self, message: Message) -> None:
        verdict = self.verdict(message.get(TEXT) or "")
        intent = message.get(INTENT) or {}
        ranking = message.get(INTENT_RANKING_KEY) or []
        record: Dict[Text, Any] = {
            "fired": verdict.kind,
            "matched": [m.as_dict() for m in verdict.counting],
            "ignored": [m.as_dict() for m in verdict.ignored],
            "classifier_intent": intent.get("name"),
        }
        if verdict.kind:
            others = [r for r in ranking if r.get("name") != verdict.kind]
            message.set(INTENT, {"name": verdict.kind, "confidence": 1.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": verdict.kind, "confidence": 1.0}] + others,
                        add_to_output=True)
            message.set(ENTITIES, message.get(ENTITIES, []) + [
                {"entity": SIGN_ENTITY, "value": m.sign, "start": m.start, "end": m.end,
                 "text": m.text, "confidence": 1.0, "extractor": type(self).__name__}
                for m in verdict.counting
            ], add_to_output=True)
        elif intent.get("name") in KINDS and verdict.ignored:
            replacement = next((r for r in ranking if r.get("name") not in NOT_A_TOPIC), None)
            if replacement:
                record["overruled"] = intent.get("name")
                message.set(INTENT, replacement, add_to_output=True)
        message.set(SAFETY_FIELD, record, add_to_output=True)
