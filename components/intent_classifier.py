"""Intent classifier: TF-IDF word and character n-grams + logistic regression.

Chosen by measurement on the held-out set (tests/nlu/), against Rasa's own
LogisticRegressionClassifier on count vectors: sublinear TF-IDF of word
1-2-grams and character 2-5-grams within word boundaries is robust to the
typos, compounds and mixed Dutch/English that users type, and needs no
TensorFlow. It reads the message text itself, so it needs no featurizer.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

logger = logging.getLogger(__name__)
MODEL_FILE = "intent_classifier.skops"


def build_pipeline(config: Dict[Text, Any]) -> Pipeline:
    """The untrained scikit-learn pipeline described by `config`."""
    features = FeatureUnion([
        ("words", TfidfVectorizer(
            lowercase=True, sublinear_tf=True, ngram_range=tuple(config["word_ngrams"]))),
        ("chars", TfidfVectorizer(
            lowercase=True, sublinear_tf=True, analyzer="char_wb",
            ngram_range=tuple(config["char_ngrams"]))),
    ])
    classifier = LogisticRegression(
        C=config["C"], max_iter=config["max_iter"], class_weight="balanced",
        random_state=config["random_state"],
    )
    return Pipeline([("features", features), ("classifier", classifier)])


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class TfidfIntentClassifier(GraphComponent, IntentClassifier):
    """Classifies intents from the raw message text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """N-gram ranges, regularisation and the seed."""
        return {
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "C": 10.0,
            "max_iter": 3000,
            "random_state": 2024,
            "ranking_length": 10,
        }

    def __init__(
        self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
        pipeline: Optional[Pipeline] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.pipeline = pipeline

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TfidfIntentClassifier":
        """A new, untrained classifier."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on every intent example and persist the pipeline."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        self.pipeline = build_pipeline(self.config)
        self.pipeline.fit([m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples])
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Write the fitted pipeline into the model archive."""
        import skops.io

        with self._model_storage.write_to(self._resource) as directory:
            skops.io.dump(self.pipeline, directory / MODEL_FILE)

    @classmethod
    def load(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, **kwargs: Any,
    ) -> "TfidfIntentClassifier":
        """Read the fitted pipeline back (only the types it is made of)."""
        import skops.io

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                trusted = skops.io.get_untrusted_types(file=path)
                unexpected = [t for t in trusted if not t.startswith(("sklearn.", "numpy.", "scipy.", "builtins."))]
                if unexpected:
                    raise RuntimeError(f"unexpected types in the intent model: {unexpected}")
                pipeline = skops.io.load(path, trusted=trusted)
        except ValueError:
            logger.warning("No trained intent classifier found; intents will be empty.")
            pipeline = None
        return cls(config, model_storage, resource, pipeline)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the intent and the ranking of each message."""
        if self.pipeline is None:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        probabilities = self.pipeline.predict_proba(texts)
        classes = self.pipeline.classes_
        for message, row in zip(messages, probabilities):
            order = np.argsort(row)[::-1][: self.config["ranking_length"]]
            ranking = [{"name": str(classes[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
