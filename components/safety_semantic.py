"""The semantic net under the safety patterns: each sentence of a message
is compared, with a pretrained multilingual sentence encoder, to the
reviewed descriptions of every red-flag sign and crisis form
(`data/safety/descriptions.yml`) and to the assistant's own training
examples, which show what ordinary questions look like.

Per sentence and kind (red_flag, crisis) it finds the closest description
and the share of the sentence's nearest neighbours (descriptions and
training examples, weighted by similarity) that are of that kind. A very
close description counts as the sign ("certain"); a closeish description
that most neighbours agree with is a red flag "maybe" (the urgent check)
or a crisis "likely". A small logistic head, trained on the same vectors
(crisis / red_flag / other), reads a sentence as a whole rather than by
its nearest few: a high crisis probability alone is a crisis "head" match
(passive wishes worded far from any single description), which gives way
to a topic the classifier is clear about (components/safety_outcome.py).
The encoder hardly sees negation ("she is eating again" sits next to "she
is not eating"), so neighbours alone never send anyone to 999. The pattern
files' context words still set a red-flag match aside when its sentence is
about the past, a lasting after-effect, a general question or a
hypothetical.

Everything but the message is embedded when the model is trained and
stored in it; only the message's sentences are embedded per message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from components.sentence_encoder import warm_loaded

SENTENCE_END = re.compile(r"(?<=[.!?;\n])\s+|\n+")
MAX_SENTENCES = 40  # a 5,000-character message has about this many
MIN_WORDS = 2
KINDS = ("crisis", "red_flag")
OTHER = "other"


@dataclass(frozen=True)
class Thresholds:
    """When a sentence counts. Red flag: certain only when very close to a
    description, maybe when close enough and most neighbours agree. Crisis:
    certain when close to a description and the head does not all but rule
    it out, likely when most neighbours agree."""

    neighbours: int = 7
    crisis_close: float = 0.75
    crisis_share: float = 0.5
    red_flag_close: float = 0.8
    check_close: float = 0.55
    check_share: float = 0.7
    crisis_head: float = 1.01  # the head's crisis probability for a "head" match (above 1: off)
    crisis_certain_head: float = 0.0  # below this crisis probability a close description is only "likely"
    short_words: int = 0  # a sentence of at most this many words is "short"
    short_certain_head: float = 0.0  # crisis_certain_head for a short sentence


HEAD_CLASSES = (*KINDS, OTHER)


@dataclass(frozen=True)
class Head:
    """A linear softmax over the sentence vector: crisis / red_flag / other."""

    weights: np.ndarray  # (classes, dimensions)
    bias: np.ndarray  # (classes,)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """One row per vector, columns in HEAD_CLASSES order."""
        logits = vectors @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    @classmethod
    def train(cls, vectors: np.ndarray, kinds: Sequence[str], strength: float = 3.0) -> "Head":
        """Multinomial logistic regression, classes balanced (there are far
        more ordinary examples than crisis ones); deterministic."""
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=strength, max_iter=3000, class_weight="balanced")
        model.fit(np.asarray(vectors, dtype=np.float32), np.asarray(kinds))
        order = [list(model.classes_).index(kind) for kind in HEAD_CLASSES]
        return cls(model.coef_[order].astype(np.float32), model.intercept_[order].astype(np.float32))


@dataclass
class SemanticMatch:
    """One sentence's showing for one kind: its closest description and the
    share of its neighbours of that kind; `level` certain or maybe."""

    kind: str
    sign: str
    similarity: float
    share: float
    level: Optional[str]
    sentence: str
    start: int
    end: int
    description: str
    reason: Optional[str] = None  # why it does not count (past, lasting, negated, ...)
    probability: float = 0.0  # the head's probability of this kind

    def as_dict(self) -> Dict[str, Any]:
        return {
            "kind": self.kind,
            "sign": self.sign,
            "level": self.level,
            "similarity": round(self.similarity, 3),
            "share": round(self.share, 3),
            "text": self.sentence,
            "start": self.start,
            "end": self.end,
            "probability": round(self.probability, 3),
            "closest": self.description,
            "ignored_because": self.reason,
        }


def sentences(text: str) -> List[Tuple[int, int]]:
    """Character spans of the sentences of a message (at most MAX_SENTENCES)."""
    spans, start = [], 0
    for boundary in SENTENCE_END.finditer(text):
        spans.append((start, boundary.start()))
        start = boundary.end()
    spans.append((start, len(text)))
    kept = [(s, e) for s, e in spans if len(text[s:e].split()) >= MIN_WORDS]
    return kept[:MAX_SENTENCES]


def warm(messages: Sequence[str]) -> None:
    """Embed the sentences of many messages ahead, in batches, so that
    parsing them one by one afterwards finds their vectors (for
    evaluations; a server parses one message at a time)."""
    warm_loaded([message[s:e] for message in messages for s, e in sentences(message)])


def descriptions_of(spec: Dict[str, Any]) -> List[Tuple[str, str, str]]:
    """(kind, sign, text) of every description of descriptions.yml, both
    languages. The `ordinary` contrasts (grief, low mood, questions about
    the signs, ...) join the pool as neighbours of kind OTHER without a
    sign, like the training examples: they pull ordinary sentences that
    share the crisis or sign vocabulary away from those kinds."""
    found = []
    for kind in (*KINDS, "ordinary"):
        for sign, entry in (spec.get(kind) or {}).items():
            for language in ("en", "nl"):
                texts = [str(text) for text in entry.get(language) or []]
                found += [(kind, sign, text) if kind in KINDS else (OTHER, "", text) for text in texts]
    return found


class SemanticNet:
    """Descriptions and training examples as unit vectors, and the encoder."""

    def __init__(
        self,
        encoder: Any,
        vectors: np.ndarray,
        kinds: Sequence[str],
        signs: Sequence[str],
        texts: Sequence[str],
        thresholds: Thresholds,
        head: Optional[Head] = None,
    ) -> None:
        self.encoder = encoder
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.kinds = np.asarray(kinds)
        self.signs = list(signs)
        self.texts = list(texts)
        self.thresholds = thresholds
        self.head = head
        self.described = {kind: np.flatnonzero((self.kinds == kind) & (np.asarray(self.signs) != "")) for kind in KINDS}

    def scan(self, text: str) -> List[SemanticMatch]:
        """Per sentence and kind, its closest description, neighbours' share and level."""
        spans = sentences(text)
        if not spans:
            return []
        embedded = self.encoder.embed([text[s:e] for s, e in spans])
        similarity = embedded @ self.vectors.T
        probabilities = self.head.probabilities(embedded) if self.head else np.zeros((len(spans), len(HEAD_CLASSES)))
        k = min(self.thresholds.neighbours, similarity.shape[1])
        found = []
        for row, (start, end) in enumerate(spans):
            near = np.argpartition(-similarity[row], k - 1)[:k]
            weights = np.maximum(similarity[row, near], 0.0)
            total = float(weights.sum()) or 1.0
            for kind, rows in self.described.items():
                if not len(rows):
                    continue
                best = int(rows[np.argmax(similarity[row, rows])])
                share = float(weights[self.kinds[near] == kind].sum()) / total
                close = float(similarity[row, best])
                probability = float(probabilities[row, HEAD_CLASSES.index(kind)])
                found.append(
                    SemanticMatch(
                        kind,
                        self.signs[best],
                        close,
                        share,
                        self.level(kind, close, share, probability, len(text[start:end].split())),
                        text[start:end],
                        start,
                        end,
                        self.texts[best],
                        probability=probability,
                    )
                )
        return found

    def level(self, kind: str, close: float, share: float, probability: float = 0.0, words: int = 0) -> Optional[str]:
        """certain, likely or head (crisis), certain or maybe (red flag), or None.
        A short sentence sits close to many descriptions ("ik ben alleen
        thuis" to "ik sta iedereen thuis alleen maar in de weg"), so for a
        close crisis description it needs a surer head."""
        t = self.thresholds
        if kind == "crisis":
            gate = t.short_certain_head if 0 < words <= t.short_words else t.crisis_certain_head
            if close >= t.crisis_close and (self.head is None or probability >= gate):
                return "certain"
            if share >= t.crisis_share:
                return "likely"
            return "head" if probability >= t.crisis_head else None
        if close >= t.red_flag_close:
            return "certain"
        return "maybe" if close >= t.check_close and share >= t.check_share else None
