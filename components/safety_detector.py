"""The safety layer of the NLU pipeline: red flags and crisis always win.

Runs after the intent classifier, the fallback and the language detector.
For every message it applies the reviewable patterns of `data/safety/`
(both languages, see components/safety_policy.py for the policy) and the
semantic net under them (components/safety_semantic.py: every sentence
against the reviewed descriptions of `data/safety/descriptions.yml`), then
decides one of three outcomes (components/safety_outcome.py):

- `crisis` or `red_flag` (certain): the intent is set with confidence 1.0,
  the signs are `safety_sign` entities, a crisis carries `crisis_about`
  (self or relative, for the answer written for relatives);
- `red_flag_check` (unsure: a weaker match, or only the classifier
  guessing): the urgent check, with the best information topic as the
  `pending_topic` entity, answered if it is not happening now;
- when every sign found is set aside (negated, past, lasting, general), the
  classifier's escalation gives way to the best information topic.

The message's `safety` field records what matched, what was set aside and
why, so staff can see it. The patterns, the descriptions' vectors and the
thresholds are stored in the model when it is trained, so a model always
answers with what it was trained with.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Text, Union

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from base.paths import project_path
from components.safety_outcome import CHECK, Outcome, decide
from components.safety_patterns import SafetyRules
from components.safety_policy import KINDS, About, Reason, Verdict
from components.safety_semantic import OTHER, Head, SemanticMatch, SemanticNet, Thresholds, descriptions_of, sentences
from components.safety_spec import PatternSpec, merge_contexts, read_descriptions, read_spec, spec_of
from components.sentence_encoder import load_encoder

SPECS_FILE = "safety_patterns.json"
NET_FILE = "safety_net.json"
VECTORS_FILE = "safety_net.npy"
HEAD_FILE = "safety_head.npz"
SAFETY_FIELD = "safety"
SIGN_ENTITY = "safety_sign"
ABOUT_ENTITY = "crisis_about"
TOPIC_ENTITY = "pending_topic"
NOT_A_TOPIC = {"nlu_fallback", CHECK, *KINDS}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SafetyDetector(GraphComponent):
    """Deterministic red-flag and crisis recognition that overrides the classifier."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Where the pattern files and descriptions are (relative to the
        project root), the sentence encoder (None: patterns only) and the
        similarity thresholds of the semantic net."""
        return {
            "patterns_dir": "data/safety",
            "languages": ["nl", "en"],
            "descriptions": "data/safety/descriptions.yml",
            "encoder": None,
            "thresholds": {},
            "skip_semantic_when": {"topic_confidence": 0.5, "escalation_confidence": 0.05},
            "maybe_gives_way_at": 0.8,
            "head_gives_way_at": 0.5,
            "likely_gives_way_at": 0.75,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        specs: Optional[Mapping[Text, Union[PatternSpec, Dict]]] = None,
        net: Optional[SemanticNet] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.rules: Dict[Text, SafetyRules] = {}
        if specs:
            checked = {lang: spec_of(spec, SPECS_FILE) for lang, spec in specs.items()}
            self.rules = {lang: SafetyRules(spec) for lang, spec in merge_contexts(checked).items()}
        self.net = net

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyDetector":
        """A detector with the pattern files as they are on disk now."""
        return cls(config, model_storage, resource, cls._read_files(config))

    @classmethod
    def _read_files(cls, config: Dict[Text, Any]) -> Dict[Text, PatternSpec]:
        config = {**cls.get_default_config(), **config}
        directory = project_path(config["patterns_dir"])
        return {lang: read_spec(directory / f"{lang}.yml") for lang in config["languages"]}

    def train(self, training_data: TrainingData) -> Resource:
        """Store the pattern files and, with an encoder, the embedded
        descriptions and training examples (the semantic net) and the head
        trained on them in the model."""
        specs = self._read_files(self.config)
        with self._model_storage.write_to(self._resource) as directory:
            stored = {lang: spec.dict(exclude_unset=True) for lang, spec in specs.items()}
            (directory / SPECS_FILE).write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
            if self.config["encoder"]:
                red_flags = {sign for spec in specs.values() for sign in spec.red_flag}
                descriptions = read_descriptions(project_path(self.config["descriptions"]), red_flags)
                rows = descriptions_of(descriptions.dict())
                rows += [
                    (example.get(INTENT) if example.get(INTENT) in KINDS else OTHER, "", example.get(TEXT))
                    for example in training_data.intent_examples
                    if example.get(TEXT)
                ]
                kinds, signs, texts = (list(column) for column in zip(*rows))
                vectors = load_encoder(self.config["encoder"]).embed(texts)
                np.save(directory / VECTORS_FILE, vectors.astype(np.float16), allow_pickle=False)
                head = Head.train(vectors, kinds)
                np.savez(directory / HEAD_FILE, weights=head.weights, bias=head.bias)
                (directory / NET_FILE).write_text(
                    json.dumps({"kinds": kinds, "signs": signs, "texts": texts}, ensure_ascii=False), encoding="utf-8"
                )
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SafetyDetector":
        """The detector with the patterns stored in the model."""
        config = {**cls.get_default_config(), **config}
        net = None
        with model_storage.read_from(resource) as directory:
            specs = json.loads((directory / SPECS_FILE).read_text(encoding="utf-8"))
            if config["encoder"] and (directory / NET_FILE).exists():
                stored = json.loads((directory / NET_FILE).read_text(encoding="utf-8"))
                vectors = np.load(directory / VECTORS_FILE, allow_pickle=False)
                head = None
                if (directory / HEAD_FILE).exists():
                    with np.load(directory / HEAD_FILE, allow_pickle=False) as stored_head:
                        head = Head(stored_head["weights"], stored_head["bias"])
                net = SemanticNet(
                    load_encoder(config["encoder"]),
                    vectors,
                    stored["kinds"],
                    stored["signs"],
                    stored["texts"],
                    Thresholds(**config["thresholds"]),
                    head,
                )
        return cls(config, model_storage, resource, specs, net)

    # ------------------------------------------------------------------
    def verdict(self, text: Text) -> Verdict:
        """The combined verdict of every language's patterns."""
        return Verdict.of([m for rules in self.rules.values() for m in rules.analyse(text).matches])

    def process(self, messages: List[Message]) -> List[Message]:
        """Apply the safety layer to each message in place."""
        for message in messages:
            self._process_message(message)
        return messages

    def semantic(self, text: Text, verdict: Optional[Verdict] = None) -> List[SemanticMatch]:
        """The semantic net's closest descriptions per sentence (with or
        without a level), each judged by the patterns' context words: a red
        flag set aside when past, lasting, general, hypothetical or
        reassuring, only "maybe" when negated or there for years; a crisis set aside where the
        patterns saw it negated or as an idiom in the sentence."""
        if self.net is None or not text.strip() or text.lstrip().startswith("/"):
            return []
        rules = next(iter(self.rules.values()))  # context words are merged across languages
        verdict = verdict or self.verdict(text)
        negated = [m for m in verdict.ignored if m.kind == "crisis" and m.reason in (Reason.NEGATED, Reason.NOT_A_SIGN)]
        found = []
        for match in self.net.scan(text):
            if match.kind == "crisis":
                if any(match.start <= m.start < match.end for m in negated):
                    match.reason = Reason.NEGATED.value
            else:
                match.reason = rules.context_reason(match.sentence, match.kind, match.sign)
                # "she won't drink anything", "blotchy for years": ask
                if match.reason in (Reason.NEGATED, Reason.LIFELONG) and match.level:
                    match.reason, match.level = None, "maybe"
            found.append(match)
        return found

    def topic_is_clear(self, intent: Dict, ranking: List[Dict], confidence: float) -> bool:
        """The classifier gives the message to a topic with at least
        `confidence`, and next to nothing to red_flag and crisis."""
        gate = self.config["skip_semantic_when"]
        if not gate or intent.get("name") in NOT_A_TOPIC:
            return False
        escalation = sum(r.get("confidence") or 0 for r in ranking if r.get("name") in KINDS)
        return (intent.get("confidence") or 0) >= confidence and escalation <= gate["escalation_confidence"]

    def classifier_is_sure(self, text: Text, intent: Dict, ranking: List[Dict]) -> bool:
        """A one-sentence message with a clear topic: the semantic net is not
        asked (it would change nothing measured, docs/safety-net.md, and
        costs most of a message's time)."""
        gate = self.config["skip_semantic_when"]
        return (
            bool(gate) and len(sentences(text)) <= 1 and self.topic_is_clear(intent, ranking, gate["topic_confidence"])
        )

    def _process_message(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        intent = message.get(INTENT) or {}
        ranking = message.get(INTENT_RANKING_KEY) or []
        verdict = self.verdict(text)
        skipped = self.classifier_is_sure(text, intent, ranking)
        semantic = [] if skipped else self.semantic(text, verdict)
        clear = self.topic_is_clear(intent, ranking, self.config["maybe_gives_way_at"])
        topic_first = intent.get("name") not in NOT_A_TOPIC
        topic_confidence = (intent.get("confidence") or 0) if topic_first else 0.0
        outcome = decide(
            verdict,
            semantic,
            intent.get("name"),
            clear,
            head_gives_way=topic_confidence >= self.config["head_gives_way_at"],
            likely_gives_way=topic_confidence >= self.config["likely_gives_way_at"],
        )
        record: Dict[Text, Any] = {
            "fired": outcome.intent,
            "source": outcome.source,
            "matched": [m.as_dict() for m in verdict.counting],
            "ignored": [m.as_dict() for m in verdict.ignored],
            "semantic": [m.as_dict() for m in semantic if m.level],
            "semantic_skipped": skipped,
            "classifier_intent": intent.get("name"),
        }
        topic = next((r for r in ranking if r.get("name") not in NOT_A_TOPIC), None)
        if outcome.intent:
            self._escalate(message, outcome, verdict, semantic, ranking, topic)
        elif outcome.overrule and topic:
            record["overruled"] = intent.get("name")
            message.set(INTENT, topic, add_to_output=True)
        message.set(SAFETY_FIELD, record, add_to_output=True)

    def _escalate(
        self,
        message: Message,
        outcome: Outcome,
        verdict: Verdict,
        semantic: List[SemanticMatch],
        ranking: List[Dict],
        topic: Optional[Dict],
    ) -> None:
        """Set the outcome's intent first in the ranking, with its entities."""
        name = outcome.intent
        confidence = 1.0 if name in KINDS else round(outcome.similarity or 1.0, 3)
        others = [r for r in ranking if r.get("name") != name]
        message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": confidence}] + others, add_to_output=True)
        extractor = type(self).__name__
        kind = "red_flag" if name == CHECK else name
        entities = [
            {
                "entity": SIGN_ENTITY,
                "value": m.sign,
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "confidence": 1.0,
                "extractor": extractor,
            }
            for m in verdict.counting
            if m.kind == kind
        ]
        if outcome.source == "semantic":
            entities += [
                {
                    "entity": SIGN_ENTITY,
                    "value": m.sign,
                    "start": m.start,
                    "end": m.end,
                    "text": m.sentence,
                    "confidence": round(m.similarity, 3),
                    "extractor": extractor,
                }
                for m in semantic
                if m.kind == kind and m.level and m.reason is None
            ]
        if name == "crisis":
            entities.append(
                {
                    "entity": ABOUT_ENTITY,
                    "value": outcome.about or About.SELF.value,
                    "confidence": 1.0,
                    "extractor": extractor,
                }
            )
        if name == CHECK and topic:
            entities.append({"entity": TOPIC_ENTITY, "value": topic["name"], "confidence": 1.0, "extractor": extractor})
        message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
