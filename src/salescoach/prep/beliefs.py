"""Belief stack: the 5-6 sequential beliefs the buyer must hold (frameworks/prep.json `beliefs`), each
rated from the evidence.

Counting rule (per belief): a source is *covered* when it has at least one piece of evidence —
- a discovery / MEDDPICC element: a buyer-side quote in any of the target's calls (facts.py);
- confirmed_summary, budget_talk: buyer-side quotes (facts.py); demo_held: a demo call with the buyer speaking;
- timeline: the deal's CRM close date, else a committed next step with a date on the latest call;
- crm_amount: the deal's CRM amount; crm_stage: the CRM stage is at or past `min_stage` (crm.json stage order).
Rating: **Proven** when covered sources >= the belief's `proven_min` and at least one covered source is a
buyer quote (CRM fields alone never prove what the buyer believes); **Mostly Proven** when at least one
source is covered; **Needs Proof** otherwise. Status "unknown" (with what would settle it) when nothing
is covered and there is no call to look in; with calls, an uncovered belief is rated Needs Proof.

Weakest link: the earliest belief with the lowest rating (Needs Proof < Mostly Proven < Proven) — the
meeting priority. Each belief below Proven lists its missing sources and the proof to bring (prep.json).
"""
from __future__ import annotations

from salescoach.crm.parse import stage_orders
from salescoach.frameworks import load
from salescoach.prep.facts import ELEMENTS, Facts

RATINGS = ("Needs Proof", "Mostly Proven", "Proven")
_ELEMENT_LABELS = {"problem": "the problem", "root_cause": "its root cause", "impact": "its impact",
                   "stakeholders": "who else is affected", "why_now": "why now", "cost_of_inaction":
                   "the cost of doing nothing", "metrics": "the buyer's metrics",
                   "economic_buyer": "the economic buyer",
                   "decision_criteria": "decision criteria", "decision_process": "the decision process",
                   "paper_process": "the paper process", "pain": "the pain", "champion": "a champion",
                   "competition": "the alternatives considered"}


def source_label(src: str) -> str:
    if src in _ELEMENT_LABELS:
        return _ELEMENT_LABELS[src]
    return load("prep")["belief_sources"].get(src, {}).get("label", src)


def source_evidence(f: Facts, src: str) -> tuple[str, list[dict]]:
    """(kind, evidence list) for one belief source."""
    if src in ELEMENTS:
        return "quote", f.elements.get(src, [])
    spec = load("prep")["belief_sources"].get(src)
    if spec is None:
        raise ValueError(f"frameworks/prep.json: belief source {src!r} is not defined in belief_sources")
    kind = spec["kind"]
    if src in f.derived:
        return kind, f.derived[src]
    d = f.deal
    if src == "timeline":
        if d and d.get("close_date"):
            return kind, [{"crm": "crm_deals.close_date", "value": d["close_date"]}]
        for c in reversed(f.calls):
            ns = c.report.get("next_step") or {}
            if ns.get("committed") and ns.get("has_date"):
                return kind, [c.ref(ns.get("start"), ns.get("text"))]
        return kind, []
    if src == "crm_amount":
        return kind, [{"crm": "deals.amount", "value": d["amount"]}] if d and d.get("amount") else []
    if src == "crm_stage":
        orders = stage_orders()
        if d and d.get("stage") and d["stage"] not in ("won", "lost", "open") and \
                orders.get(d["stage"], 0) >= orders.get(spec.get("min_stage", "proposal"), 99):
            return kind, [{"crm": "crm_deals.stage", "value": d["stage"]}]
        return kind, []
    return kind, []


def belief_stack(f: Facts) -> dict:
    fw = load("prep")
    out = []
    for i, b in enumerate(fw["beliefs"], 1):
        covered, missing, evidence, quoted = [], [], [], False
        for src in b["sources"]:
            kind, ev = source_evidence(f, src)
            if ev:
                covered.append(src)
                quoted = quoted or kind == "quote"
                evidence += [{"source": src, **e} for e in ev[:2]]
            else:
                missing.append(src)
        if len(covered) >= b.get("proven_min", len(b["sources"])) and quoted:
            rating = "Proven"
        elif covered:
            rating = "Mostly Proven"
        else:
            rating = "Needs Proof"
        item = {"n": i, "id": b["id"], "statement": b["statement"], "rating": rating, "status": "rated",
                "covered": covered, "missing": missing, "evidence": evidence,
                "rule": f"{len(covered)} of {len(b['sources'])} sources covered (Proven needs "
                        f"{b.get('proven_min', len(b['sources']))} incl. a buyer quote)"}
        if not covered and not f.calls:
            item["status"] = "unknown"
            item["settle"] = ("no recorded call to look in; a call where the buyer talks about "
                              + ", ".join(source_label(s) for s in missing) + " would settle it")
        if rating != "Proven":
            item["proof_to_bring"] = list(b.get("proof", []))
            item["still_needed"] = [source_label(s) for s in missing]
        out.append(item)
    low = min(RATINGS.index(b["rating"]) for b in out)
    weakest = next(b for b in out if RATINGS.index(b["rating"]) == low)
    return {"status": "rated" if f.calls or any(b["covered"] for b in out) else "unknown",
            "beliefs": out, "weakest_link": {"n": weakest["n"], "id": weakest["id"], "statement": weakest["statement"],
                                             "rating": weakest["rating"]},
            "priorities": [b["id"] for b in out if b["rating"] == "Needs Proof"]}
