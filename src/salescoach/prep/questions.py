"""Socratic question sets (diagnostic, forcing-function, accountability) aimed at what is still unknown.

Rule: the gaps are the weakest belief, then the other beliefs below Proven in stack order, then the
discovery / MEDDPICC elements with no buyer-side evidence in frameworks/prep.json `questions.element_order`.
For each set, the gaps are walked in that order and each contributes the first of its templates (in that
set) whose slots are known for this account — its stated pain, its tools, the buyers we spoke to, the CRM
close date — until `per_set` questions. Each question names the gap it closes. No gap -> status
"complete".
"""
from __future__ import annotations

from salescoach.frameworks import load
from salescoach.prep.facts import Facts
from salescoach.prep.text import fill

SETS = ("diagnostic", "forcing_function", "accountability")


def question_sets(f: Facts, stack: dict, slots: dict) -> dict:
    cfg = load("prep")["questions"]
    below = [b for b in stack["beliefs"] if b["rating"] != "Proven"]
    weakest = stack["weakest_link"]["id"]
    gaps = [b["id"] for b in below if b["id"] == weakest] + [b["id"] for b in below if b["id"] != weakest]
    gaps += [k for k in cfg["element_order"] if not f.elements.get(k)]
    if not gaps:
        return {"status": "complete", "gaps": [], **{s: [] for s in SETS},
                "note": "every belief is Proven and every element has buyer evidence"}
    out = {"status": "open", "gaps": gaps}
    for st in SETS:
        qs, seen = [], set()
        for g in gaps:
            line = fill(cfg[st].get(g, []), slots)
            if line and line not in seen:
                seen.add(line)
                qs.append({"gap": g, "question": line})
            if len(qs) >= cfg["per_set"]:
                break
        out[st] = qs
    return out
