"""Intent classifier: TF-IDF word and character n-grams + logistic regression.

Chosen by measurement on the held-out set (eval/nlu/), against Rasa's own
LogisticRegressionClassifier on count vectors: sublinear TF-IDF of word
1-2-grams and character 2-5-grams within word boundaries is robust to the
typos, compounds and mixed Dutch/English that users type, and needs no
TensorFlow. It reads the message text itself, so it needs no featurizer.

The fitted model is stored as plain data (vocabularies and class names as
JSON, weights as a NumPy archive read without pickle), so loading it runs no
code from the model file and is fast: the earlier skops format spent most of
`rasa run`'s start-up importing skops, which imports every scikit-learn
estimator (docs/performance.md).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
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
VOCABULARY_FILE = "intent_classifier.json"
WEIGHTS_FILE = "intent_classifier.npz"


def build_pipeline(config: Dict[Text, Any]) -> Pipeline:
    """The untrained scikit-learn pipeline described by `config`."""
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(lowercase=True, sublinear_tf=True, ngram_range=tuple(config["word_ngrams"]))),
            (
                "chars",
                TfidfVectorizer(
                    lowercase=True, sublinear_tf=True, analyzer="char_wb", ngram_range=tuple(config["char_ngrams"])
                ),
            ),
        ]
    )
    classifier = LogisticRegression(
        C=config["C"],
        max_iter=config["max_iter"],
        class_weight="balanced",
        random_state=config["random_state"],
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def save_pipeline(pipeline: Pipeline, directory: Path) -> None:
    """Write the fitted vocabularies, idf weights and classifier as plain data."""
    union, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
    vocabularies = {
        name: {term: int(index) for term, index in vectorizer.vocabulary_.items()}
        for name, vectorizer in union.transformer_list
    }
    (directory / VOCABULARY_FILE).write_text(
        json.dumps({"classes": [str(c) for c in classifier.classes_], "vocabularies": vocabularies})
    )
    np.savez(
        directory / WEIGHTS_FILE,
        coef=classifier.coef_,
        intercept=classifier.intercept_,
        **{f"idf_{name}": vectorizer.idf_ for name, vectorizer in union.transformer_list},
    )


class FittedIntentModel:
    """The fitted pipeline's arithmetic for scoring messages one at a time:
    the same n-grams (scikit-learn's own analyzers), sublinear TF-IDF with L2
    norm per feature group, then the multinomial logistic regression. Gives
    the pipeline's probabilities without its per-call validation overhead,
    which dominated the classifier's time per message."""

    def __init__(self, pipeline: Pipeline) -> None:
        union, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
        self.classes = [str(c) for c in classifier.classes_]
        self.groups = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            self.groups.append(
                (vectorizer.build_analyzer(), vectorizer.vocabulary_, np.asarray(vectorizer.idf_), offset)
            )
            offset += len(vectorizer.vocabulary_)
        self.weights = np.ascontiguousarray(classifier.coef_.T)
        self.intercept = classifier.intercept_

    def _features(self, text: Text):
        """(feature indices, TF-IDF values) of one text."""
        indices, values = [], []
        for analyze, vocabulary, idf, offset in self.groups:
            counts: Dict[int, int] = {}
            for gram in analyze(text):
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            local = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tfidf = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[local]
            indices.append(local + offset)
            values.append(tfidf / np.sqrt(np.dot(tfidf, tfidf)))
        if not indices:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(indices), np.concatenate(values)

    def predict_proba(self, texts: List[Text]) -> np.ndarray:
        """Class probabilities, one row per text (as the pipeline's)."""
        rows = []
        for text in texts:
            indices, values = self._features(text)
            # Element-wise, not a BLAS product: for one short text BLAS gains
            # nothing, and OpenBLAS's worker thread then spins on the other core.
            scores = (self.weights[indices] * values[:, None]).sum(axis=0) + self.intercept
            exp = np.exp(scores - scores.max())
            rows.append(exp / exp.sum())
        return np.array(rows)


def load_pipeline(config: Dict[Text, Any], directory: Path) -> Pipeline:
    """The pipeline of `config` with the fitted state read from `directory`."""
    stored = json.loads((directory / VOCABULARY_FILE).read_text())
    with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as weights:
        pipeline = build_pipeline(config)
        for name, vectorizer in pipeline.named_steps["features"].transformer_list:
            vectorizer.vocabulary_ = stored["vocabularies"][name]
            vectorizer.idf_ = weights[f"idf_{name}"]
        classifier = pipeline.named_steps["classifier"]
        classifier.classes_ = np.array(stored["classes"])
        classifier.coef_ = weights["coef"]
        classifier.intercept_ = weights["intercept"]
        classifier.n_features_in_ = classifier.coef_.shape[1]
    return pipeline


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
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
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Optional[Pipeline] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.pipeline = pipeline
        self.model = FittedIntentModel(pipeline) if pipeline is not None else None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TfidfIntentClassifier":
        """A new, untrained classifier."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on every intent example and persist the pipeline."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        self.pipeline = build_pipeline(self.config)
        self.pipeline.fit([m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples])
        self.model = FittedIntentModel(self.pipeline)
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Write the fitted pipeline into the model archive."""
        with self._model_storage.write_to(self._resource) as directory:
            save_pipeline(self.pipeline, directory)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "TfidfIntentClassifier":
        """Read the fitted pipeline back (plain data only, no pickle)."""
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as directory:
                pipeline = load_pipeline(config, directory)
        except (ValueError, FileNotFoundError, KeyError):
            logger.warning("No trained intent classifier found; intents will be empty.")
            pipeline = None
        return cls(config, model_storage, resource, pipeline)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the intent and the ranking of each message."""
        if self.model is None:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        probabilities = self.model.predict_proba(texts)
        classes = self.model.classes
        for message, row in zip(messages, probabilities):
            order = np.argsort(row)[::-1][: self.config["ranking_length"]]
            ranking = [{"name": str(classes[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
