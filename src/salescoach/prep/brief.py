"""Assemble the prep brief (see the package docstring for the sections and their rules).

Meeting type (when --meeting is not given): the deal's canonical CRM stage through prep.json
`stage_meeting` (an account uses its most advanced open deal); a stage with no entry (unknown, won,
lost) or no deal -> prep.json `next_meeting` after the latest call's type; no call -> discovery.

Objective: prep.json `objectives[meeting]`, naming the weakest belief. What the buyer needs to hear:
the weakest belief, then the other beliefs below Proven in stack order (at most three), each as a line
from `belief_messages` filled with the buyer's own words, next to the buyer's stated pain (quoted).
Our ask: `asks[meeting][stage]`, else `asks[meeting].default`.
"""
from __future__ import annotations

from salescoach.crm.parse import stage_orders
from salescoach.errors import SalescoachError
from salescoach.frameworks import load
from salescoach.prep.beliefs import belief_stack
from salescoach.prep.ecosystem import ecosystem, find_tools, language_check
from salescoach.prep.facts import Facts, load_facts
from salescoach.prep.icp import load_profile, score_icp
from salescoach.prep.objections import likely_objections
from salescoach.prep.questions import SETS, question_sets
from salescoach.prep.text import fill, key_sentence, short


def _join(names: list[str]) -> str | None:
    names = [n for n in names if n]
    if not names:
        return None
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _stage(f: Facts) -> str | None:
    if f.deal:
        return f.deal.get("stage")
    orders = stage_orders()
    open_ = [d for d in f.deals if d.get("stage") and d["stage"] not in ("won", "lost")]
    return max(open_, key=lambda d: orders.get(d["stage"], 0))["stage"] if open_ else None


def meeting_type(f: Facts, meeting: str | None) -> tuple[str, str]:
    fw = load("prep")
    if meeting:
        if meeting not in fw["meeting_types"]:
            raise SalescoachError(f"unknown meeting type {meeting!r}; use one of {', '.join(fw['meeting_types'])}")
        return meeting, "given (--meeting)"
    st = _stage(f)
    if st and st in fw["stage_meeting"] and not st.startswith("_"):
        return fw["stage_meeting"][st], f"CRM stage {st}"
    if f.calls:
        last = f.calls[-1].call_type or "other"
        return fw["next_meeting"].get(last, "discovery"), f"follows the latest call ({last}, {f.calls[-1].date})"
    return "discovery", "no CRM stage and no call: first meeting"


def _slots(f: Facts, tools: list[dict]) -> dict:
    def first(k):
        it = f.slot_item(k)
        return short(key_sentence(it["quote"])) if it else None
    pain = f.pain_item
    confirmed, cats = [], set()
    for t in tools:  # one tool per category, confirmed by the buyer, in order of first mention
        if t["status"] == "confirmed" and t["category"] not in cats:
            cats.add(t["category"])
            confirmed.append(t["tool"])
    buyers = sorted(f.buyers, key=lambda n: -f.buyers[n])
    stakeholder = buyers[0] if buyers else (f.contacts[0]["name"] if f.contacts else None)
    close = f.deal.get("close_date") if f.deal else None
    return {"account": f.account, "pain": short(key_sentence(pain["quote"])) if pain else None,
            "impact": first("impact"),
            "metric": first("metrics"), "why_now": first("why_now"), "competitor_quote": first("competition"),
            "tool": confirmed[0] if confirmed else None, "tools_clause": _join(confirmed[:3]),
            "buyers": _join(buyers[:3]), "stakeholder": stakeholder, "close_date": close}


def build_prep(repo, deal: str | None = None, account: str | None = None, meeting: str | None = None,
               icp: str | None = None, *, floor: dict | None = None) -> dict:
    """The prep brief for a deal (CRM id) or an account, as a JSON-able dict. `floor`: the floor's objection
    history (facts.floor_objections(repo)) when the caller builds many briefs over the same store."""
    profile = load_profile(icp)  # validate the profile before any work
    f = load_facts(repo, deal=deal, account=account)
    mtype, msource = meeting_type(f, meeting)
    fw = load("prep")
    tools = find_tools(f)
    slots = _slots(f, tools)
    stack = belief_stack(f)
    weakest = stack["weakest_link"]
    pain = f.pain_item
    buyer_pain = ({"status": "found", **pain} if pain else
                  {"status": "unknown", "settle": "the buyer has not described a problem on a recorded call yet; "
                   "a discovery call that gets the pain in their words would settle it"})
    order = [b for b in stack["beliefs"] if b["id"] == weakest["id"]] + \
        [b for b in stack["beliefs"] if b["rating"] != "Proven" and b["id"] != weakest["id"]]
    need = []
    for b in order[:3]:
        line = fill(fw["belief_messages"].get(b["id"], []), slots)
        need.append({"belief": b["id"], "rating": b["rating"], "line": line,
                     "evidence": b["evidence"][:1] or None})
    stage = _stage(f)
    asks = fw["asks"][mtype]
    ask_line = fill(asks.get(stage or "", []), slots) if stage in asks else None
    ask_line = ask_line or fill(asks["default"], slots)
    objections = likely_objections(repo, f, mtype, slots, floor)
    eco = ecosystem(f, slots, tools)
    fit = score_icp(f, profile, tools)
    questions = question_sets(f, stack, slots)
    objective = fill(fw["objectives"][mtype], {"weakest": weakest["statement"]})

    lines = [objective, ask_line] + [n["line"] for n in need]
    lines += [v for o in objections["objections"] for v in o["aecr"].values()]
    lines += [x["line"] for x in eco["framing"]] + [eco["guardrail"].get("reframe")]
    lines += [q["question"] for s in SETS for q in questions.get(s, [])]
    eco["language_check"] = language_check(lines)

    d = f.deal
    return {
        "target": {"kind": f.kind, "account": f.account,
                   "deal": ({k: d[k] for k in ("external_id", "name", "stage", "stage_raw", "amount", "close_date",
                                               "owner", "next_step", "next_step_date", "in_crm")} if d else None),
                   "deals": [{k: x[k] for k in ("external_id", "name", "stage", "amount", "close_date")}
                             for x in f.deals] if f.kind == "account" else None,
                   "crm_account": f.crm_account},
        "meeting": {"type": mtype, "source": msource},
        "calls": [{"id": c.id, "key": c.key, "date": c.date.isoformat(), "type": c.call_type} for c in f.calls],
        "buyers": [{"name": n, "calls": k} for n, k in sorted(f.buyers.items(), key=lambda kv: -kv[1])],
        "objective": {"text": objective, "priority": weakest},
        "buyer_pain": buyer_pain,
        "need_to_hear": need,
        "ask": {"text": ask_line, "basis": f"{mtype} meeting, stage {stage or 'unknown'}"},
        "objections": objections,
        "belief_stack": stack,
        "ecosystem": eco,
        "icp": fit,
        "questions": questions,
        "evidence_base": {"calls": len(f.calls), "crm_deal": bool(d and d.get("in_crm")),
                          "crm_account": f.crm_account is not None,
                          "note": None if f.calls else "no recorded call: this brief rests on CRM data and the "
                                                       "floor's history only"},
    }
