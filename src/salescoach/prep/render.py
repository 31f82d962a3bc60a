"""Markdown for a prep brief (rendered from the dict build_prep returns; nothing is recomputed here)."""
from __future__ import annotations

from salescoach.prep.text import fmt_time


def _ev(e: dict | None) -> str:
    if not e:
        return ""
    if "crm" in e:
        return f"CRM `{e['crm']}` = {e['value']}"
    who = f"{e['speaker']}, " if e.get("speaker") else ""
    q = f"“{e['quote']}” " if e.get("quote") else ""
    return f"{q}({who}{e.get('key') or e.get('call')} {e.get('date') or ''} at {fmt_time(e.get('start'))})"


def render_prep(b: dict) -> str:
    t = b["target"]
    L: list[str] = []
    title = f"deal {t['deal']['external_id']}" + (f" ({t['deal']['name']})" if t["deal"].get("name") else "") \
        if t["deal"] else f"account {t['account']}"
    L.append(f"# Meeting prep: {title}")
    L.append("")
    d = t["deal"]
    facts = [f"Account: {t['account'] or 'unknown'}"]
    if d:
        amount = f"{d['amount']:,.0f}" if d["amount"] is not None else "unknown"
        facts += [f"stage: {d['stage'] or 'unknown'}", f"amount: {amount}",
                  f"close date: {d['close_date'] or 'unknown'}"]
    L.append(" · ".join(facts))
    L.append(f"Meeting: **{b['meeting']['type']}** ({b['meeting']['source']}) · calls on record: {len(b['calls'])}")
    if b["evidence_base"]["note"]:
        L.append(f"> Note: {b['evidence_base']['note']}.")
    L.append("")
    L.append("## Objective")
    L.append(b["objective"]["text"])
    L.append("")
    L.append("## What the buyer needs to hear")
    bp = b["buyer_pain"]
    L.append(f"Their pain, in their words: {_ev(bp)}" if bp["status"] == "found" else
             f"Their pain in their words: unknown — {bp['settle']}.")
    for n in b["need_to_hear"]:
        L.append(f"- ({n['belief']}, {n['rating']}) {n['line']}")
    L.append("")
    L.append("## Our ask")
    L.append(f"{b['ask']['text']} _({b['ask']['basis']})_")
    L.append("")
    L.append("## Three most likely objections")
    for i, o in enumerate(b["objections"]["objections"], 1):
        L.append(f"### {i}. {o['label']}")
        L.append("Why: " + "; ".join(o["why"]) + ".")
        for e in o["account_evidence"]:
            L.append(f"- Heard: {_ev(e)}")
        for step in ("acknowledge", "empathize", "clarify", "reframe"):
            L.append(f"- **{step.capitalize()}**: {o['aecr'][step]}")
        bh = o["best_handling"]
        if bh["status"] == "found":
            steps = "; ".join(f"{k}: “{v['quote']}” ({fmt_time(v['start'])})" for k, v in bh["steps"].items()
                              if v.get("quote"))
            L.append(f"- Best handling on the floor: {bh['rep'] or 'a rep'} on {bh['key']} ({bh['date']}) at "
                     f"{fmt_time(bh['start'])}: " + (steps or f"“{bh['quote']}”"))
        else:
            L.append(f"- Best handling on the floor: unknown — {bh['settle']}.")
    L.append("")
    st = b["belief_stack"]
    L.append("## Belief stack")
    L.append(f"Weakest link (meeting priority): **{st['weakest_link']['n']}. {st['weakest_link']['statement']}** "
             f"— {st['weakest_link']['rating']}")
    L.append("")
    L.append("| # | Belief | Rating | Evidence |")
    L.append("|---|---|---|---|")
    for x in st["beliefs"]:
        ev = "<br>".join(f"{e['source']}: {_ev(e)}" for e in x["evidence"]) or \
            (f"unknown — {x['settle']}" if x["status"] == "unknown" else "none found in the calls")
        L.append(f"| {x['n']} | {x['statement']} | {x['rating']} | {ev.replace('|', '/')} |")
    for x in st["beliefs"]:
        if x["rating"] != "Proven":
            L.append(f"- Proof to bring for {x['n']} ({x['id']}): " + "; ".join(x["proof_to_bring"]) +
                     (f". Still needed from the buyer: {', '.join(x['still_needed'])}." if x["still_needed"] else "."))
    L.append("")
    e = b["ecosystem"]
    L.append("## Ecosystem map")
    if e["status"] == "unknown":
        L.append(f"Tool stack: unknown — {e['settle']}.")
    for tl in e["tools"]:
        L.append(f"- {tl['tool']} ({tl['category']}, {tl['status']}, {tl['mentions']} mention(s)): "
                 f"{_ev(tl['buyer_quote'] or tl['first'])}")
    for fr in e["framing"]:
        also = f" (also {', '.join(fr['also'])})" if fr["also"] else ""
        L.append(f"- Framing for {fr['tool']}{also}: {fr['line']}")
    g = e["guardrail"]
    if g["status"] == "found":
        L.append(f"- Guardrail reframe (buyer: {_ev(g['used'])}): {g['reframe']}")
    else:
        L.append(f"- Guardrail reframe: not raised — {g['settle']}.")
    lc = e["language_check"]
    L.append(f"- Language check: {'no rip-and-replace wording in ' + str(lc['checked']) + ' lines' if lc['ok'] else ''}"
             + "".join(f"\n  - rip-and-replace wording {h['words']} in: {h['line']}" for h in lc["hits"]))
    L.append("")
    fit = b["icp"]
    L.append("## Ideal-customer fit")
    L.append(f"Profile {fit['profile']}: score {fit['score']:.0%}, {fit['band'].replace('_', ' ')}"
             + (f" — unknown: {fit['settle']}." if fit["status"] == "unknown" else "."))
    for ax in fit["axes"]:
        ev = "; ".join(list(dict.fromkeys(_ev(x) for x in ax["evidence"]))[:2])  # same quote once
        L.append(f"- {ax['label']}: **{ax['score']}**" + (f" — {ev}" if ev else "") +
                 (f" (to validate: {ax['settle']})" if ax.get("settle") else ""))
    L.append(f"Strong: {', '.join(fit['strong']) or 'none'}. Unvalidated: {', '.join(fit['unvalidated']) or 'none'}.")
    L.append("")
    q = b["questions"]
    L.append("## Questions to ask")
    if q["status"] == "complete":
        L.append(q["note"] + ".")
    for sname, label in (("diagnostic", "Diagnostic"), ("forcing_function", "Forcing-function"),
                         ("accountability", "Accountability")):
        if q.get(sname):
            L.append(f"**{label}**")
            for x in q[sname]:
                L.append(f"- {x['question']} _(closes: {x['gap']})_")
    return "\n".join(L) + "\n"
