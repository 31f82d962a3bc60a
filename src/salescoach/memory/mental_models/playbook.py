"""Discovery Playbook: which discovery questions, and which frameworks, surface real pain, impact and budget.

Built from every stored call report (settings: `frameworks/mental_models.json` "playbook"):

1. **Questions.** Every rep question (role "rep") that the question analyzer typed as a business
   question (SPIN situation / problem / implication / need-payoff) or placed on the Sandler pain
   funnel. Small talk and logistics questions are left out.

2. **Patterns (paraphrases together).** Distinct wordings (lower-cased, spacing and end
   punctuation normalised) are embedded with `salescoach.embed` (unit vectors: cosine = dot
   product) and grouped greedily: wordings are taken most frequent first (ties: alphabetical);
   each joins the existing pattern whose centroid (mean of its members' vectors, re-normalised) is
   most similar, when that cosine is at least `cluster_threshold` (0.75), else it starts a new
   pattern. Deterministic for a given store. A pattern asked only once (`min_pattern_count`) is a
   one-off and is not listed (it still counts in the framework summary and the baseline).

3. **What "reveals" means.** A question's *answer* is the buyer's speech that follows it: the
   buyer segments after the question's start, up to (not including) the rep's next question, at
   most `answer_max_turns` (2) buyer turns (a turn = consecutive buyer segments; any other speaker
   ends it) and only segments starting within `answer_max_s` (180 s) of the question. When the rep
   asks again before the buyer speaks, the answer belongs to the later question. The question
   *reveals*:
   - **pain** when an answer segment is one the call report marks as the problem or its root cause
     (discovery must-knows) or as MEDDPICC pain;
   - **impact** when an answer segment is marked as impact or cost of inaction;
   - **budget** when an answer segment is marked as MEDDPICC economic buyer, is a budget
     objection, is listed in the report's budget times, or names money (the `budget_words` /
     `budget_patterns` lexicon: budget, ad spend, pricing, funding, "per month", "$40k",
     "three-fifty K", million, ...; plain "spend" is left out: buyers spend time too).
   "Marked" means the report's evidence time equals the segment's start (to the millisecond).
   Questions without a time (untimed transcripts) cannot be rated and are counted apart.

4. **Rates.** For each pattern: n = rated questions, k = those revealing pain, impact or budget
   (any of the three); rate k/n with its 95% Wilson interval, and the same per category. With
   n < `thin_n` (5) the rate is reported but marked too thin to judge. Patterns are ranked by the
   Wilson lower bound (a high rate on few questions ranks below a slightly lower rate on many);
   thin patterns come last, by how often they were asked.

5. **Progression.** The calls a pattern was asked in, joined to their deals (`calls.deal_id`):
   the deal stages seen and, for closed deals (`deals.won` known), the win rate with its Wilson
   interval. When no call of the pattern is linked to a deal with a known outcome the progression
   is "unknown" (never guessed).

6. **Framework of a pattern.** The majority SPIN type of its questions; the Gap Selling side
   (root cause: the `gap_root_cause` cue words; future state: need-payoff questions or the
   `gap_future_state` cue words; else current state); the most common Sandler level. The share of
   the questions behind each label is shown, and the same reveal rates are given per framework
   label across all questions.

Steps 1 and 3 depend only on one call (its report, segments and the settings that pick and rate
questions), so they run once, when the call is stored, and their result is kept with the call
(`call_reports.playbook_questions`, see "per-call digests" below); a refresh groups and counts.
"""
from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select, update

from salescoach.analysis.doc import clip
from salescoach.frameworks import load
from salescoach.memory.mental_models.stats import wilson
from salescoach.store import models as m

MODEL_ID = "discovery-playbook"
MODEL_NAME = "Discovery Playbook"
QUERY = "Which discovery questions and frameworks consistently surface real pain and budget?"
CATEGORIES = ("pain", "impact", "budget")
CHUNK = 400  # calls loaded at a time
ALGORITHM = "playbook-v1"


def settings() -> dict:
    return load("mental_models")["playbook"]


_VOCATIVE = re.compile(r"^(?:(?i:and|so|okay|ok|right),?\s+)?[A-Z][a-z]+,\s+(?=\w)")


def norm_text(t: str) -> str:
    """The wording's key: a leading form of address ("Priya, what's ...") dropped, lower-cased, spacing
    and end punctuation normalised."""
    t = _VOCATIVE.sub("", " ".join((t or "").split()))
    return t.lower().rstrip(" ?.!,;:")


@dataclass
class Instance:
    call: int
    rep: int | None
    text: str
    start: float | None
    spin: str | None
    level: int | None
    gap: str
    rated: bool = False
    reveals: dict = field(default_factory=dict)  # category -> True
    evidence: dict | None = None  # first revealing answer: {call, start, quote, categories}


def _cue_matcher(words: list[str]) -> re.Pattern:
    return re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(w.lower()) for w in words) + r")(?![\w'])")


class _Lex:
    def __init__(self, cfg: dict):
        self.root = _cue_matcher(cfg["gap_root_cause"])
        self.future = _cue_matcher(cfg["gap_future_state"])
        self.money = re.compile("|".join([_cue_matcher(cfg["budget_words"]).pattern] + list(cfg["budget_patterns"])),
                                re.I)
        # A cheap gate in front of `money` (most answers name no money): the full pattern is only tried when
        # the text has a digit, a currency sign, one of the budget words, "grand", "illion" or a lone "k".
        # The gate may let through text that does not match; it never stops text that would.
        self._money_words = tuple(sorted({w.lower() for w in cfg["budget_words"]} | {"grand", "illion"}))
        self._money_gate = re.compile(r"[\d$€£]|\s[kK]\b")
        self._gap: dict[tuple[str, str | None], str] = {}

    def has_money(self, text: str) -> bool:
        if not text:
            return False
        if not self._money_gate.search(text):
            low = text.lower()
            if not any(w in low for w in self._money_words):
                return False
        return self.money.search(text) is not None

    def gap(self, text: str, spin: str | None) -> str:
        key = (text, spin)
        got = self._gap.get(key)
        if got is None:
            low = text.lower()
            if self.root.search(low):
                got = "root_cause"
            elif spin == "need_payoff" or self.future.search(low):
                got = "future_state"
            else:
                got = "current_state"
            if len(self._gap) < 200_000:
                self._gap[key] = got
        return got


def _times(report: dict, spec: dict) -> set[float]:
    out: set[float] = set()
    for section in ("discovery_coverage", "meddpicc"):
        d = report.get(section) or {}
        for k in spec.get(section) or []:
            out.update(round(float(t), 3) for t in d.get(k) or [] if t is not None)
    cats = set(spec.get("objection_categories") or [])
    for o in report.get("objections") or []:
        if o.get("category") in cats and o.get("start") is not None:
            out.add(round(float(o["start"]), 3))
    for k in spec.get("report_times") or []:
        v = report.get(k)
        if isinstance(v, dict):
            out.update(round(float(t), 3) for t in v.get("times") or [] if t is not None)
    return out


def call_instances(call_id: int, rep_id: int | None, report: dict, segments: list[tuple], cfg: dict,
                   lex: _Lex) -> list[Instance]:
    """The rated business questions of one call. segments: (start, role, text) in call order."""
    spins = set(cfg["question_spin"])
    qs = [q for q in report.get("questions") or [] if q.get("role") == "rep"]
    rep_q_starts = sorted({float(q["start"]) for q in qs if q.get("start") is not None})
    cat_times = {c: _times(report, cfg["reveals"][c]) for c in CATEGORIES}
    max_turns, max_s = int(cfg["answer_max_turns"]), float(cfg["answer_max_s"])
    starts = [-1.0 if g[0] is None else float(g[0]) for g in segments]
    ordered = all(a <= b for a, b in zip(starts, starts[1:]))
    money: dict[int, bool] = {}
    out: list[Instance] = []
    for q in qs:
        spin = q.get("spin")
        level = q.get("sandler_level")
        if spin not in spins and not level:
            continue
        text = q.get("text") or ""
        inst = Instance(call_id, rep_id, text, q.get("start"), spin if spin in spins else None, level or None,
                        lex.gap(text, spin))
        out.append(inst)
        t = q.get("start")
        if t is None or not segments:
            continue
        t = float(t)
        inst.rated = True
        j = bisect_right(rep_q_starts, t)
        nxt = rep_q_starts[j] if j < len(rep_q_starts) else None
        turns, prev_buyer = 0, False
        for i in range(bisect_right(starts, t) if ordered else 0, len(segments)):
            start, role, seg_text = segments[i]
            if start is None or start <= t:
                continue
            if start > t + max_s or (nxt is not None and start >= nxt):
                break
            if role != "buyer":
                prev_buyer = False
                continue
            if not prev_buyer:
                turns += 1
                if turns > max_turns:
                    break
            prev_buyer = True
            st = round(float(start), 3)
            hit = [c for c in CATEGORIES if st in cat_times[c]]
            if "budget" not in hit:
                if i not in money:
                    money[i] = lex.has_money(seg_text or "")
                if money[i]:
                    hit.append("budget")
            for c in hit:
                inst.reveals[c] = True
            if hit and inst.evidence is None:
                inst.evidence = {"call": call_id, "start": start, "quote": clip(" ".join((seg_text or "").split()), 240), "categories": hit}
    return out


# -- inputs ---------------------------------------------------------------------------------------

def input_signature(s) -> tuple[str, dict]:
    """(hash, summary) of what the playbook depends on: the stored calls (each call's report and
    transcript never change once stored, so its id stands for its questions), their deals' stage
    and outcome, the settings and the embedding model."""
    calls = s.execute(select(m.Call.id, m.Call.deal_id).join(m.CallReport, m.CallReport.call_id == m.Call.id)
                      .order_by(m.Call.id)).all()
    deal_ids = sorted({d for _, d in calls if d is not None})
    deals = []
    for i in range(0, len(deal_ids), 500):
        deals += s.execute(select(m.Deal.id, m.Deal.stage, m.Deal.won)
                           .where(m.Deal.id.in_(deal_ids[i:i + 500]))).all()
    h = hashlib.sha256()
    h.update(ALGORITHM.encode())
    h.update(json.dumps(settings(), sort_keys=True).encode())
    h.update(_embedding_id().encode())
    h.update(json.dumps([list(c) for c in calls]).encode())
    h.update(json.dumps(sorted([d[0], d[1], d[2]] for d in deals)).encode())
    return h.hexdigest(), {"call_ids": [c for c, _ in calls], "deal_ids": deal_ids}


_EMBED_ID: str | None = None


def _embedding_id() -> str:
    """Names the embedding in use (its model_id when it has one, plus a probe vector's hash), once per process."""
    global _EMBED_ID
    if _EMBED_ID is None:
        from salescoach import embed
        mid = getattr(embed, "model_id", None)
        probe = np.asarray(embed.embed(["what does that cost you each month"]), dtype=np.float32).round(4)
        _EMBED_ID = f"{mid() if callable(mid) else ''}:{hashlib.sha256(probe.tobytes()).hexdigest()[:16]}"
    return _EMBED_ID


REPORT_KEYS = ("questions", "discovery_coverage", "meddpicc", "objections", "budget")

# -- per-call digests ---------------------------------------------------------------------------------
#
# A call's instances depend only on its report, its segments (both fixed once stored) and the settings
# that pick and rate questions. They are worked out once, when the call is stored (`digest`, called by
# `store.repo.encode_call` in the analysis workers), and kept in `call_reports.playbook_questions`
# with a key naming those settings. A refresh reads the digests; a call without one, or whose key
# differs (the settings changed, or the call was stored before digests existed), is worked out from
# its report and segments as before and its digest is written back. Either way the instances are the
# same: `digest` runs the very `call_instances` the slow path runs.

DIGEST_VERSION = 1
_DIGEST_SETTINGS = ("question_spin", "reveals", "answer_max_turns", "answer_max_s", "budget_words",
                    "budget_patterns", "gap_root_cause", "gap_future_state")
_LEX: dict[str, _Lex] = {}


def digest_key(cfg: dict) -> str:
    """Names the settings a digest was made with (only those that pick and rate questions)."""
    body = json.dumps([DIGEST_VERSION, {k: cfg.get(k) for k in _DIGEST_SETTINGS}], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def _lex_for(cfg: dict, key: str) -> _Lex:
    lex = _LEX.get(key)
    if lex is None:
        _LEX.clear()
        lex = _LEX[key] = _Lex(cfg)
    return lex


def digest(report: dict, segments: list[tuple], cfg: dict | None = None) -> dict:
    """A call's playbook instances as stored JSON: {"key": digest_key, "q": [[text, start, spin, level, gap,
    rated, [categories revealed], evidence or null], ...]}, evidence = [start, quote, [categories]].
    segments: (start, role, text) in call order."""
    cfg = settings() if cfg is None else cfg
    key = digest_key(cfg)
    return _encode(key, call_instances(0, None, report, segments, cfg, _lex_for(cfg, key)))


def _encode(key: str, insts: list[Instance]) -> dict:
    return {"key": key, "q": [
        [x.text, x.start, x.spin, x.level, x.gap, x.rated, list(x.reveals),
         None if x.evidence is None else [x.evidence["start"], x.evidence["quote"], x.evidence["categories"]]]
        for x in insts]}


def _from_digest(call_id: int, rep_id: int | None, d: dict) -> list[Instance]:
    out = []
    for text, start, spin, level, gap, rated, reveals, ev in d["q"]:
        out.append(Instance(call_id, rep_id, text, start, spin, level, gap, rated, dict.fromkeys(reveals, True),
                            None if ev is None else {"call": call_id, "start": ev[0], "quote": ev[1],
                                                     "categories": ev[2]}))
    return out


def _slow_instances(s, chunk: list[int], cfg: dict, lex: _Lex) -> dict[int, list[Instance]]:
    """Instances of the calls in `chunk` worked out from their reports and segments (call id -> list)."""
    R = m.CallReport
    # only the parts of each report the playbook reads (decoding whole reports dominated the refresh)
    keys = REPORT_KEYS + tuple(sorted({k for spec in cfg["reveals"].values() for k in spec.get("report_times") or []}
                                      - set(REPORT_KEYS)))
    reports = {cid: dict(zip(keys, parts)) for cid, *parts in s.execute(
        select(R.call_id, *[R.report[k] for k in keys]).where(R.call_id.in_(chunk)))}
    segs: dict[int, list] = defaultdict(list)
    for cid, start, role, text in s.execute(select(m.Segment.call_id, m.Segment.start, m.Segment.role,
                                                   m.Segment.text).where(m.Segment.call_id.in_(chunk))
                                            .order_by(m.Segment.call_id, m.Segment.idx)):
        segs[cid].append((start, role, text))
    return {cid: call_instances(cid, None, rep, segs.get(cid, []), cfg, lex)
            for cid in chunk if (rep := reports.get(cid))}


def load_instances(s, call_ids: list[int], cfg: dict) -> list[Instance]:
    """Every call's instances, in call-id order: from the stored digests, or worked out (and the digest
    written back) for calls that have none under the current settings."""
    key = digest_key(cfg)
    lex = _lex_for(cfg, key)
    R = m.CallReport
    out: list[Instance] = []
    for i in range(0, len(call_ids), CHUNK):
        chunk = call_ids[i:i + CHUNK]
        rows = {cid: (rep, d) for cid, rep, d in s.execute(
            select(R.call_id, m.Call.rep_id, R.playbook_questions).join(m.Call, m.Call.id == R.call_id)
            .where(R.call_id.in_(chunk)))}
        stale = [cid for cid in chunk if cid in rows and (rows[cid][1] is None or rows[cid][1].get("key") != key)]
        if stale:
            slow = _slow_instances(s, stale, cfg, lex)
            redone = [{"call_id": cid, "playbook_questions": _encode(key, slow.get(cid, []))} for cid in stale]
            s.execute(update(R), redone)  # bulk UPDATE by primary key
            for r in redone:
                rows[r["call_id"]] = (rows[r["call_id"]][0], r["playbook_questions"])
        for cid in chunk:
            if cid in rows:
                rep, d = rows[cid]
                out += _from_digest(cid, rep, d)
    return out


# -- grouping -------------------------------------------------------------------------------------

def cluster(texts: list[str], weights: list[int], threshold: float) -> list[int]:
    """Greedy centroid clustering of `texts` (see the module docstring). Returns a cluster id per text."""
    from salescoach.embed import embed
    if not texts:
        return []
    order = sorted(range(len(texts)), key=lambda i: (-weights[i], texts[i]))
    vecs = np.asarray(embed([texts[i] for i in order]), dtype=np.float32)
    cap = min(len(texts), 256)  # grown as clusters appear (one row per text would not fit at scale)
    sums = np.zeros((cap, vecs.shape[1]), dtype=np.float32)
    cents = np.zeros_like(sums)
    k = 0
    labels = [0] * len(texts)
    for j, i in enumerate(order):
        v = vecs[j]
        best = -1
        if k and np.any(v):
            sims = cents[:k] @ v
            b = int(np.argmax(sims))
            if sims[b] >= threshold:
                best = b
        if best < 0:
            best = k
            k += 1
            if k > cap:
                cap *= 2
                sums = np.concatenate([sums, np.zeros_like(sums)])
                cents = np.concatenate([cents, np.zeros_like(cents)])
        sums[best] += v * weights[i]
        nrm = float(np.linalg.norm(sums[best]))
        cents[best] = sums[best] / nrm if nrm else 0.0
        labels[i] = best
    return labels


def _rate(k: int, n: int, thin: int) -> dict:
    ci = wilson(k, n)
    return {"k": k, "n": n, "rate": round(k / n, 4) if n else None,
            "ci95": [round(ci[0], 4), round(ci[1], 4)] if ci else None, "thin": n < thin}


def _rates(items: list[Instance], thin: int) -> dict:
    n = k = 0
    per = dict.fromkeys(CATEGORIES, 0)
    for x in items:
        if x.rated:
            n += 1
            if x.reveals:
                k += 1
                for c in x.reveals:
                    per[c] += 1
    out = {"any": _rate(k, n, thin)}
    for c in CATEGORIES:
        out[c] = _rate(per[c], n, thin)
    return out


def _label(values: list, none: str = "none") -> dict:
    c = Counter(v if v is not None else none for v in values)
    top, n = sorted(c.items(), key=lambda kv: (-kv[1], str(kv[0])))[0]
    return {"label": top, "share": round(n / len(values), 3)}


def _progression(call_ids: set[int], deal_of: dict[int, int | None], deals: dict[int, tuple], thin: int) -> dict:
    linked = {c: deal_of[c] for c in call_ids if deal_of.get(c) is not None}
    ds = {d for d in linked.values()}
    stages = Counter(deals[d][0] or "unknown" for d in ds if d in deals)
    closed = [d for d in ds if d in deals and deals[d][1] is not None]
    won = sum(1 for d in closed if deals[d][1])
    out = {"calls": len(call_ids), "calls_with_deal": len(linked), "deals": len(ds),
           "stages": dict(sorted(stages.items())), "closed_deals": len(closed)}
    if closed:
        out["win"] = _rate(won, len(closed), thin)
        out["status"] = "known"
    else:
        out["win"] = None
        out["status"] = "unknown"
    return out


def compute(s, sig: dict, cfg: dict) -> tuple[dict, dict]:
    thin = int(cfg["thin_n"])
    insts = load_instances(s, sig["call_ids"], cfg)
    deal_of = dict(s.execute(select(m.Call.id, m.Call.deal_id).where(m.Call.deal_id.is_not(None))).all())
    deals = {d: (st, w) for d, st, w in s.execute(select(m.Deal.id, m.Deal.stage, m.Deal.won))}
    # group wordings
    keys = [norm_text(x.text) for x in insts]
    freq = Counter(keys)
    texts = sorted(freq)
    labels = cluster(texts, [freq[t] for t in texts],
                     float(cfg["cluster_threshold"]))
    group_of = {t: g for t, g in zip(texts, labels)}
    groups: dict[int, list[Instance]] = defaultdict(list)
    for x, key in zip(insts, keys):
        groups[group_of[key]].append(x)
    patterns = []
    one_offs = 0
    for g, items in groups.items():
        if len(items) < int(cfg["min_pattern_count"]):
            one_offs += 1
            continue
        words = Counter(x.text.strip() for x in items)
        lead = sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        calls = {x.call for x in items}
        ev = [x.evidence for x in items if x.evidence][:2]
        patterns.append({
            "id": "P" + hashlib.sha1(norm_text(lead).encode()).hexdigest()[:8],
            "wording": lead,
            "examples": [w for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[: int(cfg["examples"])]],
            "wordings": len(words), "count": len(items), "calls": len(calls),
            "reps": len({x.rep for x in items if x.rep is not None}),
            "framework": {"spin": _label([x.spin for x in items]), "gap": _label([x.gap for x in items]),
                          "sandler": _label([x.level for x in items])},
            "reveals": _rates(items, thin), "progression": _progression(calls, deal_of, deals, thin),
            "evidence": ev, "call_ids": sorted(calls)[:50]})

    def rank_key(p):
        r = p["reveals"]["any"]
        if r["n"] >= thin:
            return (0, -r["ci95"][0], -(r["rate"] or 0), -p["count"], p["wording"])
        return (1, 0.0, 0.0, -p["count"], p["wording"])

    patterns.sort(key=rank_key)
    patterns = patterns[: int(cfg["max_patterns"])]
    for i, p in enumerate(patterns, 1):
        p["rank"] = i
    progress = [p["id"] for p in sorted((p for p in patterns if p["progression"]["status"] == "known"
                                         and not p["progression"]["win"]["thin"]),
                                        key=lambda p: (-p["progression"]["win"]["ci95"][0], p["wording"]))]
    frameworks = {}
    for key, attr, values in (("spin", "spin", ("situation", "problem", "implication", "need_payoff")),
                              ("gap", "gap", ("current_state", "future_state", "root_cause")),
                              ("sandler", "level", (1, 2, 3))):
        by_value: dict = defaultdict(list)
        for x in insts:
            by_value[getattr(x, attr)].append(x)
        frameworks[key] = {str(v): _rates(by_value.get(v, []), thin) for v in values}
    all_calls = set(sig["call_ids"])
    content = {
        "model": MODEL_ID, "question": QUERY,
        "definitions": {
            "question": "a rep question typed as a SPIN business question or placed on the Sandler pain funnel",
            "answer": f"buyer segments after the question, before the rep's next question, at most "
                      f"{cfg['answer_max_turns']} buyer turns and {cfg['answer_max_s']} s",
            "reveals": "an answer segment the call report marks as pain (problem, root cause, MEDDPICC pain), impact "
                       "(impact, cost of inaction) or budget (economic buyer, budget objection or money words)",
            "grouping": f"greedy centroid clustering of sentence embeddings, cosine >= {cfg['cluster_threshold']}",
            "interval": "95% Wilson score interval", "thin_n": thin,
            "answer_max_turns": cfg["answer_max_turns"], "answer_max_s": cfg["answer_max_s"]},
        "totals": {"calls": len(all_calls), "questions": len(insts), "rated": sum(1 for x in insts if x.rated),
                   "untimed": sum(1 for x in insts if not x.rated), "wordings": len(texts),
                   "groups": len(groups), "one_off_groups": one_offs, "patterns_listed": len(patterns)},
        "baseline": {"reveals": _rates(insts, thin), "progression": _progression(all_calls, deal_of, deals, thin)},
        "frameworks": frameworks, "patterns": patterns, "progression_ranking": progress}
    based_on = {"call_ids": sorted(all_calls), "deal_ids": sig["deal_ids"], "questions": len(insts),
                "rated_questions": content["totals"]["rated"], "patterns": len(patterns)}
    return content, based_on


# -- Markdown -------------------------------------------------------------------------------------

SPIN_NAMES = {"situation": "situation", "problem": "problem", "implication": "implication",
              "need_payoff": "need-payoff", "none": "not typed"}
GAP_NAMES = {"current_state": "current state", "future_state": "future state", "root_cause": "root cause"}


def _pct(x) -> str:
    return "n/a" if x is None else f"{round(100 * x)}%"


def rate_text(r: dict) -> str:
    if not r["n"]:
        return "not rated (no timed answers)"
    s = f"{r['k']}/{r['n']} = {_pct(r['rate'])} (95% CI {_pct(r['ci95'][0])}–{_pct(r['ci95'][1])})"
    return s + ", too few to judge" if r["thin"] else s


def _progress_text(p: dict) -> str:
    if p["status"] == "unknown":
        if p["calls_with_deal"]:
            st = ", ".join(f"{k} {v}" for k, v in p["stages"].items())
            return f"unknown (deals linked: {p['deals']}, none closed; stages: {st})"
        return "unknown (no call linked to a deal)"
    w = p["win"]
    s = f"won {w['k']} of {w['n']} closed deals ({_pct(w['rate'])}, CI {_pct(w['ci95'][0])}–{_pct(w['ci95'][1])})"
    return s + ", too few to judge" if w["thin"] else s


def render(content: dict, version: int, generated_at: str) -> str:
    t = content["totals"]
    b = content["baseline"]
    thin = content["definitions"]["thin_n"]
    out = [f"# Discovery Playbook (version {version})", "",
           f"_Generated {generated_at} from {t['calls']} stored call(s): {t['questions']} business questions "
           f"({t['rated']} with a timed answer), {t['wordings']} distinct wordings in {t['groups']} group(s); "
           f"{t['one_off_groups']} group(s) asked only once are left out._", "",
           "**The question it answers:** which discovery questions and frameworks keep getting buyers to say "
           "what hurts, what it costs them and what money is involved?", "",
           "**How to read it.** A question *reveals* something when the buyer's reply (their next "
           f"{content['definitions']['answer_max_turns']} turn(s) within {content['definitions']['answer_max_s']} s, "
           "stopping at the rep's next question) holds pain, impact or budget as the call report found them. The rate is revealing replies / rated replies, with a 95% Wilson "
           f"interval. Below {thin} rated replies a rate is shown but is too few to judge.", ""]
    if not t["questions"]:
        out += ["No business questions stored yet: ingest calls with `salescoach ingest --rep NAME` first.", ""]
        return "\n".join(out)
    out += [f"**Baseline** over all rated questions: {rate_text(b['reveals']['any'])}; "
            f"deal progression: {_progress_text(b['progression'])}.", ""]
    out += ["## Frameworks", "", "| framework | type | reveals anything | pain | impact | budget |",
            "| --- | --- | --- | --- | --- | --- |"]
    names = {"spin": ("SPIN", SPIN_NAMES), "gap": ("Gap Selling", GAP_NAMES),
             "sandler": ("Sandler pain funnel", {"1": "level 1", "2": "level 2", "3": "level 3"})}
    for key, (fw, labels) in names.items():
        for v, r in content["frameworks"][key].items():
            if r["any"]["n"] or any(r[c]["n"] for c in CATEGORIES):
                out.append(f"| {fw} | {labels.get(v, v)} | {rate_text(r['any'])} | {_pct(r['pain']['rate'])} | "
                           f"{_pct(r['impact']['rate'])} | {_pct(r['budget']['rate'])} |")
    out.append("")
    pats = content["patterns"]
    out += ["## Question patterns, best first", ""]
    if not pats:
        out += ["No question has been asked twice yet: the data is too thin for patterns.", ""]
    for p in pats:
        fw = p["framework"]
        r = p["reveals"]
        spin = SPIN_NAMES.get(fw["spin"]["label"], fw["spin"]["label"])
        sandler = fw["sandler"]["label"]
        out += [f"### {p['rank']}. \"{p['wording']}\"", "",
                f"- Framework: SPIN {spin} ({_pct(fw['spin']['share'])} of its questions); Gap Selling "
                f"{GAP_NAMES.get(fw['gap']['label'], fw['gap']['label'])}; Sandler "
                + ("not on the pain funnel" if sandler == "none" else f"level {sandler}") + ".",
                f"- Asked {p['count']} time(s) in {p['calls']} call(s) by {p['reps']} rep(s); "
                f"{p['wordings']} wording(s)" + (": " + "; ".join(f"\"{w}\"" for w in p["examples"][1:])
                                                  if len(p["examples"]) > 1 else "") + ".",
                f"- Reveals pain, impact or budget: {rate_text(r['any'])}. Pain {_pct(r['pain']['rate'])}, "
                f"impact {_pct(r['impact']['rate'])}, budget {_pct(r['budget']['rate'])}.",
                f"- Deals: {_progress_text(p['progression'])}."]
        for e in p["evidence"][:1]:
            out.append(f"- For example, call {e['call']} at {_clock(e['start'])} the buyer said: \"{e['quote']}\" "
                       f"({', '.join(e['categories'])}).")
        out.append("")
    by_id = {p["id"]: p for p in pats}
    if content["progression_ranking"]:
        out += ["## By deal outcome", "", "Patterns with at least "
                f"{thin} closed deals, by the lower end of their win-rate interval: "
                + "; ".join(f"\"{by_id[i]['wording']}\" ({_pct(by_id[i]['progression']['win']['rate'])})"
                            for i in content["progression_ranking"]) + ".", ""]
    else:
        out += ["## By deal outcome", "", "Unknown: no pattern yet has "
                f"{thin} or more closed deals linked to its calls (link calls with `ingest --deal ID`).", ""]
    return "\n".join(out)


def _clock(t) -> str:
    if t is None:
        return "--:--"
    t = int(round(t))
    return f"{t // 3600}:{t % 3600 // 60:02d}:{t % 60:02d}" if t >= 3600 else f"{t // 60:02d}:{t % 60:02d}"
