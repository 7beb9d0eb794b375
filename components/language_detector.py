"""Which language is the user writing in, and do they ask to switch?

Adds a `language` entity (nl/en) and a `country` entity (UK/NL) to a message
when it is clear, so that the `language` and `country` slots follow the user:

1. An explicit switch ("English please", "in het Nederlands") wins: a
   language name in a short message, or in a message the classifier labelled
   `switch_language` (with two names, the last). A short one is relabelled
   `switch_language`.
2. Otherwise the message must *clearly* be in one language: words from that
   language only, or at least `min_words` cue words of which at least
   `min_share` belong to it. Dutch with a few English words stays Dutch.
3. Otherwise nothing is added and the slots keep their value (a session
   starts with the metadata's language and country as slots:
   rasa_ext/session.py).

Cue words are spaCy's stop-word lists of both languages (no model needed)
plus `content/language_cues.yml`; words in both count for neither. They are
read when the model is trained and stored in it, so a model detects with
the cue words it was trained with and reads no file when it is loaded.
The country is the message metadata's `country` when given, else the one
that goes with the detected language (nl -> NL, en -> UK).
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text, Tuple

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from base.locale import COUNTRY_FOR_LANGUAGE, normalise_country
from base.paths import project_path

SWITCH_INTENT = "switch_language"
LANGUAGE_NAMES = {
    "en": re.compile(r"\b(english|engels|engelse|engelstalig)\b", re.IGNORECASE),
    "nl": re.compile(
        r"\b(dutch|nederlands|nederlandse|nederlandstalig|hollands|vlaams)\b",
        re.IGNORECASE,
    ),
}
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
CUES_FILE = "language_cues.json"


def load_cue_words(cues_file: Text) -> Dict[Text, frozenset]:
    """Stop words of both languages plus the project's cue words, overlap removed."""
    from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
    from spacy.lang.nl.stop_words import STOP_WORDS as NL_STOP

    with open(project_path(cues_file), encoding="utf-8") as handle:
        extra = yaml.safe_load(handle)
    nl = {w.lower() for w in NL_STOP} | {str(w).lower() for w in extra["nl"]}
    en = {w.lower() for w in EN_STOP} | {str(w).lower() for w in extra["en"]}
    shared = nl & en
    return {"nl": frozenset(nl - shared), "en": frozenset(en - shared)}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Adds `language`/`country` entities for clear or explicitly chosen language."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Thresholds and the cue-word file (relative to the project root)."""
        return {
            "cues_file": "content/language_cues.yml",
            "min_words": 3,
            "min_share": 0.75,
            "max_switch_tokens": 5,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        cues: Optional[Dict[Text, frozenset]] = None,
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.cues = cues if cues is not None else load_cue_words(self.config["cues_file"])
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        """The detector with the cue words as they are on disk now (training)."""
        return cls(config, None, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Store the cue words in the model."""
        if self._model_storage is None or self._resource is None:
            raise RuntimeError("the language detector was created without a model storage")
        with self._model_storage.write_to(self._resource) as directory:
            cues = {language: sorted(words) for language, words in self.cues.items()}
            (directory / CUES_FILE).write_text(json.dumps(cues, ensure_ascii=False), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LanguageDetector":
        """The detector with the cue words stored in the model."""
        with model_storage.read_from(resource) as directory:
            stored = json.loads((directory / CUES_FILE).read_text(encoding="utf-8"))
        return cls(config, {language: frozenset(words) for language, words in stored.items()}, model_storage, resource)

    def process(self, messages: List[Message]) -> List[Message]:
        """Annotate each message in place."""
        for message in messages:
            self._process_message(message)
        return messages

    # ------------------------------------------------------------------
    def detect(self, text: Text, intent_name: Optional[Text] = None) -> Tuple[Optional[Text], bool]:
        """Return (language or None, whether it was an explicit switch)."""
        words = [w.lower() for w in WORD.findall(text or "")]
        requested = self._requested_language(text or "", intent_name == SWITCH_INTENT)
        if requested and (intent_name == SWITCH_INTENT or len(words) <= self.config["max_switch_tokens"]):
            return requested, True
        counts = {lang: sum(w in cues for w in words) for lang, cues in self.cues.items()}
        best = max(counts, key=lambda language: counts[language])
        other = "en" if best == "nl" else "nl"
        total = counts[best] + counts[other]
        if counts[best] == 0 or counts[best] == counts[other]:
            return None, False
        if counts[other] == 0:
            return best, False
        if total >= self.config["min_words"] and counts[best] / total >= self.config["min_share"]:
            return best, False
        return None, False

    @staticmethod
    def _requested_language(text: Text, is_switch_request: bool) -> Optional[Text]:
        """The language named in the text; with two named, the last one if
        the message asks to switch ("my English is poor, Dutch please")."""
        named = sorted(
            (match.start(), lang) for lang, pattern in LANGUAGE_NAMES.items() for match in pattern.finditer(text)
        )
        languages = {lang for _, lang in named}
        if len(languages) == 1 or (languages and is_switch_request):
            return named[-1][1]
        return None

    def _process_message(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        intent = message.get(INTENT) or {}
        language, explicit = self.detect(text, intent.get("name"))
        metadata = message.get("metadata")
        country = normalise_country(metadata.get("country")) if isinstance(metadata, dict) else None
        entities = []
        if language:
            entities.append(self._entity("language", language, text))
        country = country or (COUNTRY_FOR_LANGUAGE[language] if language else None)
        if country:
            entities.append(self._entity("country", country, text))
        if explicit and intent.get("name") != SWITCH_INTENT:
            message.set(INTENT, {"name": SWITCH_INTENT, "confidence": 1.0}, add_to_output=True)
        if entities:
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)

    @staticmethod
    def _entity(name: Text, value: Text, text: Text) -> Dict[Text, Any]:
        return {
            "entity": name,
            "value": value,
            "start": 0,
            "end": len(text),
            "confidence": 1.0,
            "extractor": "LanguageDetector",
        }
