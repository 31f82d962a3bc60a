#!/usr/bin/env python3
"""Train the objection sentence model (logistic regression) and export it to src/salescoach/models/objections.json.

What it learns: is this buyer sentence push-back (resistance)? Features come from the analyzer itself
(salescoach.analysis.objections.text_features + the turn context features), recorded through its TRACE
hook while the pipeline runs, so training and run time see exactly the same features.

Training data (labels; see tools/eval_objections.py for the sets):
  p4g       PersuasionForGood persuadee sentences: disagree-donation, disagree-donation-more,
            negative-reaction-to-donation = push-back; neutral-reaction-to-donation left out (mixed);
            everything else (inquiries, answers, agreement, chat) = not.
  calls     buyer sentences of the dev calls: the sentences of a gold objection's cue = push-back; buyer
            sentences in the four turns after a gold objection are left out (follow-ups of the same
            episode: push-back in content, but not a new objection); the rest = not.
  written   the same with the labelled calls written for this project (bench/labelled_calls, all sets but
            the never-tuned ones, eval_objections.HELD_OUT; in the sixth session set8 was held out). Measured with tools/eval_objections.py --model heldout (one fold
            per set): written F1 0.800 -> 0.826, set8 0.638 -> 0.682 (category 0.733 -> 0.867); the dev calls'
            leave-one-out went from 3 to 4 false alarms, fresh / fresh2 lost one each. OBJ_WRITTEN=0 leaves
            them out; OBJ_WRITTEN_WEIGHT sets their weight (3.0 like the dev calls until the ninth session; 1.0 was
            worse on set8). With 31 sets to learn from (ninth session) 1.5: one fold per set written F1 0.835 -> 0.836,
            dev calls leave-one-call-out 2 -> 1 false alarms (1.0: 0.827; C 0.05: 0.834).
  examples  the same with examples/roster.json quotes.
  bargain   tools/objection_bargains.txt ('+' lines = push-back).
  sentences tools/objection_train_sentences.txt: hand-written buyer sentences (push-back of every category
            and shape, and buyer talk that is not push-back), text features only (no turn context).
  sales     tools/objection_sales_corpus.txt: hand-written B2B sales-call buyer sentences (objections by
            category; pain, situation answers, stated budgets and timelines, agreement, product questions,
            small talk, backchannels, logistics as negatives), text features only; units = 4 folds by line.
            tools/objection_sales_heldout.txt (25% of the same writing) is never read here.
At run time the analyzer uses the model only where its rules did not fire (rules OR model).
The threshold and C were chosen with the held-out folds of tools/eval_objections.py (threshold 0.55 and
answering_threshold 0.97 on the 'sales' folds and leave-one-call-out 'calls'; never on 'sales_heldout' or fresh).
OBJ_SALES_CTX=1 traces the sales sentences after a rep line to learn context features too: tried, +0.04 F1 on
the sales folds but 5 instead of 3 false alarms on the calls folds, so off by default.

Sentence embeddings (salescoach.embed, 256-d static MiniLM) are dense features of the CATEGORY model
(scaled by OBJ_EMB_SCALE=3 against the shared L2 penalty; OBJ_EMB_SCALE=0 turns them off): category accuracy
on the 'sales' folds 0.739 -> 0.776 with the run-time category_blend, sales_heldout 0.731 -> 0.75.
Tried and left off by default (measured with tools/eval_objections.py --model heldout):
  OBJ_EMB_DETECT=1   embeddings in the push-back model too: sales folds F1 0.714 -> 0.723, sales_heldout
                     0.693 -> 0.671, calls leave-one-out 3 -> 4 false alarms.
  OBJ_SALES_MORE=1   also train on tools/objection_sales_more.txt (more varied wording): sales folds F1
                     0.714 -> 0.745, sales_heldout 0.693 -> 0.706, but calls leave-one-out 3 -> 5 false alarms.

  OBJ_VETO_BELOW=0.35 the model overrules more rule hits: held out (sixth session) written calls 0.826 -> 0.811,
                     set9 0.621 -> 0.655, dev calls 4 -> 3 false alarms, sales_heldout 0.689 -> 0.657,
                     fresh 0.718 -> 0.649 (0.2: written 0.814, the rest unchanged); 0.1 stays.

  .venv/bin/python tools/train_objections.py            # train on everything, write the shipped model
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import eval_objections as E  # noqa: E402
from score import norm, sim  # noqa: E402  (eval_objections put the shared scorer on the path)

WRITTEN = os.environ.get("OBJ_WRITTEN", "1") == "1"  # train on bench/labelled_calls (all sets but E.HELD_OUT)
SOURCE_WEIGHT = {"p4g": 0.3, "calls": 3.0, "written": float(os.environ.get("OBJ_WRITTEN_WEIGHT", "1.5")), "examples": 3.0, "bargain": 3.0, "sentences": 3.0, "sales": 5.0,
                 "sales_more": 5.0}
DEFAULT_C = 0.1
THRESHOLD = 0.55
VETO_BELOW = float(os.environ.get("OBJ_VETO_BELOW", "0.1"))  # the model overrules a rule hit below this probability
NEW_ABOVE = 0.82
PREFACED = 0.3
ANSWERING = 0.97
CAT_C = 1.0
SALES_MORE = __import__("os").environ.get("OBJ_SALES_MORE", "0") == "1"  # tools/objection_sales_more.txt
SALES_IN_CONTEXT = __import__("os").environ.get("OBJ_SALES_CTX") == "1"
SALES_REP_LINES = ("Okay, so that's the overview of how it would work for your team.",
                   "So the way most teams start is with the core module, we get your data connected in the first "
                   "two weeks, train the managers, and then roll it out to everyone else over about a month.",
                   "How does that sound so far?",
                   "How does your team handle that part today?")
MIN_COUNT = 2
EMB_SCALE = float(__import__("os").environ.get("OBJ_EMB_SCALE", "3.0"))  # 0: no embedding features
EMB_MARGIN = 0.5
EMB_DETECT = __import__("os").environ.get("OBJ_EMB_DETECT", "0") == "1"  # embedding in the push-back model too
_EMB_CACHE: dict = {}


def _emb_id() -> str:
    from salescoach.embed import model_id
    return model_id()


def _embeddings(texts: list[str]):
    """Sentence embeddings (salescoach.embed, as at run time), cached across folds."""
    import numpy as np
    from salescoach.embed import embed, dim
    todo = [t for t in dict.fromkeys(texts) if t not in _EMB_CACHE]
    if todo:
        for t, v in zip(todo, embed(todo)):
            _EMB_CACHE[t] = v
    return np.stack([_EMB_CACHE[t] for t in texts]) if texts else np.zeros((0, dim()), dtype=np.float32)
OUT = ROOT / "src" / "salescoach" / "models" / "objections.json"


def _trace(path: str, text: str, reps: list[str]) -> list:
    from salescoach.analysis import objections as O
    O.TRACE = []
    try:
        E.analyze(path, text, reps)
        return O.TRACE
    finally:
        O.TRACE = None


def _gold_hit(sent_text: str, gold_texts: list[str]) -> bool:
    return _gold_index(sent_text, gold_texts) is not None


def _gold_index(sent_text: str, gold_texts: list[str]) -> int | None:
    a = norm(sent_text)
    if not a:
        return None
    for n, g in enumerate(gold_texts):
        b = norm(g)
        if (len(a.split()) >= 3 and a in b) or sim(a, b) >= 0.5:
            return n
    return None


def build_corpus() -> list[dict]:
    """Labelled sentence examples: {set, unit, feats, label}."""
    import os
    from salescoach.analysis import objection_check as K
    from salescoach.analysis import objections as O
    # the rules alone decide which sentences are traced: with the shipped model or the objection check in the
    # loop, each retraining would change the next one's training set (the check is trained on this model's output)
    os.environ[O.MODEL_PATH_ENV] = "none"
    os.environ[K.MODEL_ENV] = "none"
    O._clear_model()
    K.model.cache_clear()
    out = []
    for item in E.load_calls() + (E.load_written() if WRITTEN else []) + E.load_examples():
        tr = _trace(item["path"], item["text"], item["reps"])
        golds = [g["text"] for g in item["gold"]]
        gold_turns = set()
        for doc, i, feats, ctx, _ in tr:
            if _gold_hit(doc.sentences[i].text, golds):
                gold_turns.add(doc.sentences[i].turn)
        for doc, i, feats, ctx, _ in tr:
            s = doc.sentences[i]
            gi = _gold_index(s.text, golds)
            if gi is not None:
                label = True
                cat = item["gold"][gi]["category"]
            elif any(0 < s.turn - t <= 8 for t in gold_turns) or s.turn in gold_turns:
                continue  # follow-up of the episode (turn index counts both sides: ~4 buyer turns)
            else:
                label, cat = False, None
            out.append({"set": item["set"], "unit": item["name"], "feats": list(feats) + list(ctx), "label": label,
                        "category": cat, "text": s.text})
    for item in E.load_p4g(unit_lines=True) + E.load_bargains():
        lines = item["lines"]
        tr = _trace(item["name"] + ".txt", E.chat_text(item), ["Seller"])
        for doc, i, feats, ctx, _ in tr:
            lab = lines[doc.sentences[i].seg][2]
            if lab is None:
                continue
            out.append({"set": item["set"], "unit": item["name"], "feats": list(feats) + list(ctx), "label": bool(lab),
                        "text": doc.sentences[i].text})
    for n, ln in enumerate((ROOT / "tools" / "objection_train_sentences.txt").read_text().splitlines()):
        if not ln.strip() or ln.startswith("#"):
            continue
        tag, _, text = ln.partition(":")
        out.append({"set": "sentences", "unit": f"s{n // 10}", "feats": list(O.text_features(text.strip())),
                    "label": tag.startswith("+"), "category": tag[1:] if tag.startswith("+") else None,
                    "text": text.strip()})
    n = 0
    for ln in (ROOT / "tools" / "objection_sales_corpus.txt").read_text().splitlines():
        if not ln.strip() or ln.startswith("#"):
            continue
        lab, cat, text = ln.split("\t", 2)
        feats = list(O.text_features(text.strip()))
        if SALES_IN_CONTEXT:  # the buyer line after a rep line (statement, long statement, question), as at run time
            rep = SALES_REP_LINES[n % len(SALES_REP_LINES)]
            tr = _trace(f"s{n}.txt", f"Seller: {rep}\nBuyer: {text.strip()}\n", ["Seller"])
            feats = feats + [x for x in (tr[-1][3] if tr else ()) if x.startswith("ctx:")]
        out.append({"set": "sales", "unit": f"sales{n % 4}", "feats": feats,
                    "label": lab == "1", "category": cat if lab == "1" else None, "text": text.strip()})
        n += 1
    if SALES_MORE:
        for n, ln in enumerate((ROOT / "tools" / "objection_sales_more.txt").read_text().splitlines()):
            if not ln.strip() or ln.startswith("#"):
                continue
            lab, cat, text = ln.split("\t", 2)
            out.append({"set": "sales_more", "unit": "more", "feats": list(O.text_features(text.strip())),
                        "label": lab == "1", "category": cat if lab == "1" else None, "text": text.strip()})
    os.environ.pop(O.MODEL_PATH_ENV, None)
    os.environ.pop(K.MODEL_ENV, None)
    O._clear_model()
    K.model.cache_clear()
    return out


def fit(examples: list[dict], C: float | None = None, threshold: float | None = None,
        answering: float | None = None) -> dict:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from scipy.sparse import csr_matrix
    C = DEFAULT_C if C is None else C
    threshold = THRESHOLD if threshold is None else threshold
    answering = ANSWERING if answering is None else answering
    counts: dict[str, int] = {}
    for e in examples:
        for f in e["feats"]:
            counts[f] = counts.get(f, 0) + 1
    vocab = {f: n for n, f in enumerate(sorted(f for f, k in counts.items() if k >= MIN_COUNT))}
    rows, cols = [], []
    for r, e in enumerate(examples):
        for f in e["feats"]:
            j = vocab.get(f)
            if j is not None:
                rows.append(r)
                cols.append(j)
    X = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(examples), len(vocab)))
    E = None
    Xe = X
    if EMB_SCALE > 0:  # the sentence embedding as dense features, scaled against the shared L2 penalty
        from scipy.sparse import hstack
        E = _embeddings([e["text"] for e in examples])
        Xe = hstack([X, csr_matrix(E * EMB_SCALE)]).tocsr()
    Xd = Xe if E is not None and EMB_DETECT else X
    y = np.array([e["label"] for e in examples], dtype=int)
    w = np.array([SOURCE_WEIGHT[e["set"]] for e in examples])
    pos = (y * w).sum()
    w = np.where(y == 1, w * ((w.sum() - pos) / max(pos, 1e-9)) ** 0.5, w)  # partial class balancing
    clf = LogisticRegression(C=C, max_iter=2000, solver="liblinear")
    clf.fit(Xd, y, sample_weight=w)
    inv = {j: f for f, j in vocab.items()}
    nv = len(vocab)
    categories = _fit_categories(examples, vocab, Xe)
    weights = {inv[j]: round(float(v), 4) for j, v in enumerate(clf.coef_[0][:nv]) if abs(v) >= 1e-3}
    embedding = None
    if E is not None:
        cw = categories.pop("emb", None)
        embedding = {"weights": None, "category_weights": cw, "scale": EMB_SCALE, "model": _emb_id()}
        if EMB_DETECT:
            ew = clf.coef_[0][nv:] * EMB_SCALE
            # the largest embedding score any training sentence got, plus a margin: the run-time gate's bound
            embedding.update(weights=[round(float(v), 5) for v in ew],
                             max_score=round(float((E @ ew).max()) + EMB_MARGIN, 4))
    return {"kind": "objection sentence logistic regression (tools/train_objections.py)", "C": C,
            "threshold": threshold, "veto_below": VETO_BELOW, "new_objection_above": NEW_ABOVE, "prefaced_threshold": PREFACED,
            "answering_threshold": answering, "bias": round(float(clf.intercept_[0]), 4), "examples": len(examples),
            "positives": int(y.sum()), "weights": dict(sorted(weights.items())), "categories": categories,
            **({"embedding": embedding} if embedding else {})}


CATS = ("budget", "timing", "competition", "authority", "need", "trust", "other")


def _fit_categories(examples: list[dict], vocab: dict, X) -> dict:
    """Category of a push-back sentence among the six and "other" (multinomial logistic regression on the
    positive sentences that carry a category: calls, examples, hand-written sentences, the sales corpus).
    Used at run time for objections found by the model alone."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    rows = [r for r, e in enumerate(examples) if e.get("category") in CATS]
    y = [examples[r]["category"] for r in rows]
    if len(set(y)) < 2:
        return {}
    clf = LogisticRegression(C=CAT_C, max_iter=3000)
    clf.fit(X[rows], y)
    classes = list(clf.classes_)
    inv = {j: f for f, j in vocab.items()}
    weights = {}
    nv = len(vocab)
    for j in range(nv):
        col = clf.coef_[:, j]
        if np.abs(col).max() >= 1e-3:
            weights[inv[j]] = [round(float(v), 3) for v in col]
    out = {"classes": classes, "bias": [round(float(v), 3) for v in clf.intercept_], "weights": weights}
    if X.shape[1] > nv:  # embedding columns: per class, a dense row over the embedding (unscaled)
        out["emb"] = [[round(float(v), 4) for v in row] for row in clf.coef_[:, nv:] * EMB_SCALE]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--C", type=float, default=None)
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--answering", type=float, default=None)
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    corpus = build_corpus()
    m = fit(corpus, a.C, a.threshold, a.answering)
    Path(a.out).write_text(json.dumps(m, indent=0, sort_keys=False) + "\n")
    print(f"{len(corpus)} examples, {m['positives']} positive, {len(m['weights'])} weights -> {a.out}")


if __name__ == "__main__":
    main()
