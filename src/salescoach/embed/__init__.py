"""Sentence embeddings for paraphrase grouping and semantic recall, offline.

Interface (stable): `embed(texts) -> numpy.ndarray` of shape (len(texts), dim), float32, rows
L2-normalised (cosine similarity = dot product); `dim()` gives the width.

This first version is a hashed bag of words and word bigrams (no model): it groups texts with
shared wording only. It is being replaced by static embeddings distilled from a sentence model.
"""
from __future__ import annotations

import re
import zlib

import numpy as np

_DIM = 512
_WORD = re.compile(r"[a-z0-9']+")


def dim() -> int:
    return _DIM


def embed(texts: list[str]) -> np.ndarray:
    out = np.zeros((len(texts), _DIM), dtype=np.float32)
    for i, t in enumerate(texts):
        toks = _WORD.findall(t.lower())
        for f in toks + [a + " " + b for a, b in zip(toks, toks[1:])]:
            h = zlib.crc32(f.encode())
            out[i, h % _DIM] += 1.0 if (h >> 16) & 1 else -1.0
    n = np.linalg.norm(out, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return out / n
