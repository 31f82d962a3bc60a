"""Sentence embeddings for paraphrase grouping and semantic recall, offline, numpy only.

Interface (stable): `embed(texts) -> numpy.ndarray` of shape (len(texts), dim), float32, rows
L2-normalised (cosine similarity = dot product; an empty or all-unknown text gives a zero row);
`dim()` gives the width; `model_id()` names the table in use (stored with vectors, so a changed
model is noticed and stored vectors are recomputed).

How a text is embedded (static embeddings, "model2vec" style): the text is lower-cased and cut
into words (`[a-z0-9]+` with an optional `'s`/`'t`-style tail); each known word has one vector; the
text's vector is the sum of its words' vectors, L2-normalised. The word vectors were distilled
once, offline, from the sentence model all-MiniLM-L6-v2 by `tools/distill_embeddings.py`: every
vocabulary word (about 30k English words) was run through the model on its own, the outputs were
reduced with PCA and multiplied by a frequency weight (SIF: a / (a + p(word)), so very common
words count little), then quantised to int8 with one float16 scale per word. The table ships in
this folder (`static.npz`, `static.json` with its provenance and measured agreement).

An unknown word is looked up again without a common suffix ("renewals" -> "renewal",
"reconciling" -> "reconcile"), else as two known words ("upselling" -> "up" + "selling"), else ignored.

Fallback: when `static.npz` is absent (e.g. a stripped install), a hashed bag of words and word
bigrams (512 signed buckets) is used; it only matches shared wording. `model_id()` says which.
"""
from __future__ import annotations

import json
import re
import zlib
from importlib import resources

import numpy as np

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SUFFIXES = ("'s", "'ll", "'re", "'ve", "'d", "s", "es", "ed", "d", "ing", "ly", "er", "ers")

_table: dict | None = None


def _load() -> dict:
    global _table
    if _table is None:
        here = resources.files(__package__)
        _table = _read(here.joinpath("static.npz"), here.joinpath("static.json"))
    return _table


def use_table(npz_path, json_path=None) -> None:
    """Switch to another word-vector table (tools and tests); `None` restores the packaged one."""
    global _table
    from pathlib import Path
    _table = None if npz_path is None else _read(Path(npz_path), Path(json_path) if json_path else None)


def _read(npz, meta_path) -> dict:
    t: dict = {"kind": "hashed", "dim": 512, "id": "hashed-bow-512"}
    try:
        with npz.open("rb") as f:
            z = np.load(f, allow_pickle=False)
            vec = z["vectors"].astype(np.float32) * z["scales"].astype(np.float32)[:, None]
            words = bytes(z["vocab"]).decode("utf-8").split("\n")
        meta = {}
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path is not None else {}
        except (OSError, ValueError):
            pass
        t = {"kind": "static", "dim": int(vec.shape[1]), "vec": vec,
             "index": {w: i for i, w in enumerate(words)}, "oov": {},
             "id": meta.get("id") or f"static-{vec.shape[1]}-{len(words)}"}
    except (OSError, KeyError, ValueError):
        pass
    return t


def dim() -> int:
    return _load()["dim"]


def model_id() -> str:
    return _load()["id"]


def _stem(index: dict, w: str) -> int:
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            stem = w[: -len(suf)]
            i = index.get(stem, index.get(stem + "e", -1))
            if i >= 0:
                return i
    return -1


def _lookup(t: dict, w: str) -> tuple[int, ...]:
    """Word ids for a word not in the table: its stem, else two known parts ("upsell" -> up + sell)."""
    oov = t["oov"]
    if w in oov:
        return oov[w]
    index = t["index"]
    i = _stem(index, w)
    ids: tuple[int, ...] = (i,) if i >= 0 else ()
    if not ids and len(w) >= 5 and w.isalpha():
        for k in range(len(w) - 3, 1, -1):  # longest known first part
            a = index.get(w[:k])
            if a is not None:
                b = index.get(w[k:], _stem(index, w[k:]))
                if b is not None and b >= 0:
                    ids = (a, b)
                    break
    if len(oov) < 200_000:
        oov[w] = ids
    return ids


def embed(texts: list[str], batch: int = 2048) -> np.ndarray:
    t = _load()
    if t["kind"] != "static":
        return _hashed(texts)
    out = np.zeros((len(texts), t["dim"]), dtype=np.float32)
    for b in range(0, len(texts), batch):  # batches keep the gathered word vectors small
        out[b:b + batch] = _embed_batch(t, texts[b:b + batch])
    n = np.linalg.norm(out, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return out / n


def _embed_batch(t: dict, texts: list[str]) -> np.ndarray:
    get, vec = t["index"].get, t["vec"]
    flat: list[int] = []
    starts: list[int] = []  # where each text's word ids begin in `flat`
    for text in texts:
        starts.append(len(flat))
        words = _WORD.findall(text.lower())
        ids = [get(w, -2) for w in words]
        if -2 in ids:
            ids = [j for i, w in zip(ids, words) for j in ((i,) if i != -2 else _lookup(t, w))]
        flat.extend(ids)
    out = np.zeros((len(texts), t["dim"]), dtype=np.float32)
    if flat:
        gathered = vec[np.asarray(flat, dtype=np.int64)]
        # one sum per text (np.add.reduceat over the rows is several times slower)
        for r, (a, b) in enumerate(zip(starts, starts[1:] + [len(flat)])):
            if b > a:
                out[r] = gathered[a:b].sum(axis=0)
    return out


def _hashed(texts: list[str]) -> np.ndarray:
    """The fallback: hashed bag of words and bigrams (signed buckets), L2-normalised."""
    d = 512
    out = np.zeros((len(texts), d), dtype=np.float32)
    for i, t in enumerate(texts):
        toks = re.findall(r"[a-z0-9']+", t.lower())
        for f in toks + [a + " " + b for a, b in zip(toks, toks[1:])]:
            h = zlib.crc32(f.encode())
            out[i, h % d] += 1.0 if (h >> 16) & 1 else -1.0
    n = np.linalg.norm(out, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return out / n
