"""The three most likely objections for the meeting, each with an AECR plan.

Rule (numbers in frameworks/prep.json `objections`):
- Candidates: every objection category raised by this account's buyers, and every category in the floor's
  history (all stored buyer objections, `findings` kind discovery / type objection).
- Floor share of a category: its weighted count / the weighted total, where an objection counts
  `same_type_weight` when its call has the meeting's call type (`meeting_call_type`: an executive meeting
  compares with negotiation calls) and 1 otherwise. With no stored objection at all, the share is the
  seed distribution `seed_prior` (budget 48%, timing 32%, competition 20%) and is labelled as such.
- Score = account_weight x (times this account's buyers raised it) + floor share; so a category this
  account raised always ranks above one it never raised. An objection the analyzer raised on its sentence
  model alone (`detected_by` "model": no cue fired, the less certain kind) counts `model_only_weight` times.
  Ties: higher floor share, then category name.
  'other' is never chosen from floor history alone. The top `top` categories are kept.
- AECR plan: acknowledge / empathize / clarify / reframe lines from `aecr` (prep.json) for the category,
  filled with this account's specifics (its latest objection of the category, cut to its last sentence;
  its stated pain, impact, deadline).
- Best real handling: among stored objections of that category whose response hit all four AECR steps,
  the one on a call of the meeting's call type if any, then the most recent; quoted with call and time.
  None stored -> status "unknown".
"""
from __future__ import annotations

from salescoach.frameworks import load
from salescoach.prep.facts import Facts, floor_objections, handling_evidence
from salescoach.prep.text import fill, last_sentence, short


def likely_objections(repo, f: Facts, meeting: str, slots: dict, floor: dict | None = None) -> dict:
    cfg = load("prep")["objections"]
    want_type = cfg["meeting_call_type"].get(meeting, meeting)
    floor = floor or floor_objections(repo)
    weights: dict[str, float] = {}
    raw: dict[str, int] = {}
    same: dict[str, int] = {}
    for cat, typ in floor["items"]:
        w = cfg["same_type_weight"] if typ == want_type else 1.0
        weights[cat] = weights.get(cat, 0.0) + w
        raw[cat] = raw.get(cat, 0) + 1
        if typ == want_type:
            same[cat] = same.get(cat, 0) + 1
    total = sum(weights.values())
    prior = not total
    share = {c: w / total for c, w in weights.items()} if total else dict(cfg["seed_prior"])
    acc: dict[str, list] = {}
    for o in f.objections:
        acc.setdefault(o["category"], []).append(o)
    cands = set(acc) | {c for c in share if c != "other"}
    model_w = cfg.get("model_only_weight", 1.0)
    raised = {c: sum(model_w if o.get("detected_by") == "model" else 1.0 for o in os) for c, os in acc.items()}
    score = {c: cfg["account_weight"] * raised.get(c, 0.0) + share.get(c, 0.0) for c in cands}
    scored = sorted(cands, key=lambda c: (-score[c], -share.get(c, 0.0), c))
    out = []
    for cat in scored[:cfg["top"]]:
        mine = acc.get(cat, [])
        why = []
        if mine:
            unsure = sum(o.get("detected_by") == "model" for o in mine)
            why.append(f"this account's buyers raised it {len(mine)} time(s)"
                       + (f" ({unsure} found by the sentence model alone, counted x{model_w:g})" if unsure else ""))
        if prior:
            why.append(f"no stored objections yet: the seed distribution puts it at {share.get(cat, 0):.0%}")
        elif raw.get(cat):
            why.append(f"{raw[cat]} on the floor's calls ({same.get(cat, 0)} on {want_type} calls), "
                       f"weighted share {share[cat]:.0%}")
        local = dict(slots)
        if mine:
            local["quote"] = short(last_sentence(mine[-1]["quote"]))
        plan = {step: fill(load("prep")["aecr"].get(cat, load("prep")["aecr"]["other"])[step], local)
                for step in ("acknowledge", "empathize", "clarify", "reframe")}
        out.append({"category": cat, "label": cfg["labels"].get(cat, cat),
                    "score": round(score[cat], 3), "why": why,
                    "account_evidence": [{k: o[k] for k in ("call", "key", "date", "start", "quote", "speaker")}
                                         for o in mine],
                    "floor": {"count": raw.get(cat, 0), "same_type": same.get(cat, 0),
                              "share": round(share.get(cat, 0.0), 3), "source": "seed_prior" if prior else "store"},
                    "aecr": plan, "best_handling": _best(repo, floor["handled"].get(cat, []), want_type)})
    return {"status": "rated", "meeting_call_type": want_type, "objections": out,
            "floor_total": len(floor["items"])}


def _best(repo, cands: list[dict], want_type: str) -> dict:
    if not cands:
        return {"status": "unknown", "settle": "no stored call has a response to this objection that hit all four "
                "AECR steps yet; one recorded good handling would supply the example"}
    best = max(cands, key=lambda c: (c["call_type"] == want_type, c["date"] or "", c["call"]))
    ev = handling_evidence(repo, best["call"], best["objection_start"])
    return {"status": "found", "call": best["call"], "key": best["key"], "date": best["date"], "rep": best["rep"],
            "objection": {"start": best["objection_start"], "quote": best["objection"]},
            "start": ev["response_start"], "quote": short(best["response"], 400),
            "steps": {k: {"start": v.get("start"), "quote": v.get("quote")} for k, v in ev["steps"].items()}}
