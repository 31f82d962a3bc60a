"""Markdown renderers: the rep's debrief and the call scorecard.

Both are written from the call report alone (the same dict `salescoach analyze` prints), so a
stored report can be re-rendered without the transcript. Missing evidence is shown as
"unknown", never guessed.
"""
from __future__ import annotations

from salescoach.analysis.moments import DISCOVERY_LABELS, clock
from salescoach.frameworks import load

MEDDPICC_LABELS = {"metrics": "Metrics", "economic_buyer": "Economic buyer", "decision_criteria": "Decision criteria",
                   "decision_process": "Decision process", "paper_process": "Paper process", "pain": "Pain",
                   "champion": "Champion", "competition": "Competition"}
SPIN_ORDER = ["situation", "problem", "implication", "need_payoff", "other"]


def _pct(x) -> str:
    return "unknown" if x is None else f"{round(100 * x)}%"


def _num(x, unit: str = "", nd: int = 0) -> str:
    return "unknown" if x is None else f"{x:.{nd}f}{unit}"


def _q(text: str | None) -> str:
    return (text or "").replace("\n", " ").replace("|", "\\|").strip()


def _when(t) -> str:
    return f"[{clock(t)}]" if t is not None else "[untimed]"


def _times(ts: list) -> str:
    return ", ".join(clock(t) for t in ts[:4]) + (" …" if len(ts) > 4 else "") if ts else "—"


def render_scorecard(report: dict, heading: bool = True) -> str:
    th = load("coaching")["thresholds"]
    c, m = report["call"], report["metrics"]
    qs = [q for q in report.get("questions", []) if q.get("role") == "rep"]
    lines: list[str] = []
    if heading:
        lines += [f"# Scorecard: {c['id']}", "",
                  f"{(c.get('type') or 'unknown').capitalize()} call · {_num((c.get('duration_s') or 0) / 60 if c.get('duration_s') else None, ' min')}"
                  f" · rep{'s' if len(c['reps']) != 1 else ''}: {', '.join(c['reps']) or 'unknown (pass --rep NAME)'}"
                  f" · source: `{c['source']}`", ""]
    share = m.get("rep_talk_share")
    mono = m.get("longest_rep_monologue_s")
    imp = sum(q.get("spin") == "implication" for q in qs)
    lines += ["## Conversation", "", "| Measure | This call | Benchmark |", "|---|---|---|",
              f"| Rep talk share | {_pct(share)} | ≤ {_pct(th['talk_share_strength'])} (gap above {_pct(th['talk_share_gap'])}) |",
              f"| Longest rep monologue | {_num(mono, ' s')} | ≤ {th['monologue_strength_s']} s (gap above {th['monologue_gap_s']} s) |",
              f"| Longest buyer story | {_num(m.get('longest_buyer_story_s'), ' s')} | longer is better |",
              f"| Interactivity | {_num(m.get('interactivity'), ' switches/min', 1)} | — |",
              f"| Patience | {_num(m.get('patience_s'), ' s', 1)} | pause before replying |",
              f"| Rep questions | {m.get('rep_questions') if m.get('rep_questions') is not None else 'unknown'}"
              f" ({_num(m.get('questions_per_hour'), '/hour')}) | — |",
              f"| Implication questions | {imp} | ≥ {th['implication_strength']} |", ""]
    if report.get("speakers"):
        lines += ["| Speaker | Role | Talk time | Words | Share |", "|---|---|---|---|---|"]
        for s in report["speakers"]:
            lines.append(f"| {s['name']} | {s['role']} | {_num(s.get('talk_s'), ' s')} | {s['words']} | {_pct(s.get('talk_share'))} |")
        lines.append("")
    counts = {k: sum(q.get("spin") == k for q in qs) for k in SPIN_ORDER}
    lines += ["## Questions (rep)", "", "| Situation | Problem | Implication | Need-payoff | Other |",
              "|---|---|---|---|---|", "| " + " | ".join(str(counts[k]) for k in SPIN_ORDER) + " |", ""]
    deep = [q for q in qs if q.get("spin") in ("implication", "need_payoff")][:5]
    for q in deep:
        lines.append(f"- {_when(q.get('start'))} *{q.get('spin')}*: “{_q(q.get('text'))}”")
    if deep:
        lines.append("")
    objs = report.get("objections", [])
    lines += ["## Objections", ""]
    if objs:
        lines += ["| When | Category | Buyer said | A | E | C | R |", "|---|---|---|---|---|---|---|"]
        for o in objs:
            h = o.get("handling") or {}
            mark = lambda k: "✓" if h.get(k) else "✗"
            lines.append(f"| {clock(o.get('start'))} | {o.get('category')} | “{_q(o.get('text'))}” | "
                         f"{mark('acknowledge')} | {mark('empathize')} | {mark('clarify')} | {mark('reframe')} |")
        lines += ["", "A = acknowledge, E = empathize, C = clarify, R = reframe.", ""]
    else:
        lines += ["No buyer objections found.", ""]
    uc, ns = report.get("upfront_contract") or {}, report.get("next_step") or {}
    pbd = report.get("pitch_before_discovery") or {}
    lines += ["## Structure", "", "| Element | Found | When |", "|---|---|---|",
              f"| Upfront contract | {'yes' if uc.get('present') else 'no'} | {clock(uc.get('start')) if uc.get('present') else '—'} |",
              f"| First pitch | {'yes' if report.get('first_pitch_s') is not None else 'no'} | {clock(report.get('first_pitch_s')) if report.get('first_pitch_s') is not None else '—'} |",
              f"| Pitched before discovery was done | {'yes' if pbd.get('flag') else ('no' if pbd else 'unknown')} | — |",
              f"| Next step committed | {'yes' if ns.get('committed') else 'no'}"
              f"{' (dated)' if ns.get('has_date') else ''}{' (owner named)' if ns.get('has_owner') else ''} | "
              f"{clock(ns.get('start')) if ns.get('start') is not None else '—'} |", ""]
    if ns.get("text"):
        lines += [f"Next step: “{_q(ns['text'])}”", ""]
    cov, med = report.get("discovery_coverage") or {}, report.get("meddpicc") or {}
    lines += ["## Coverage", "", "| Discovery must-know | Evidence at |", "|---|---|"]
    lines += [f"| {lab.capitalize()} | {_times(cov.get(k, []))} |" for k, lab in DISCOVERY_LABELS.items()]
    lines += ["", "| MEDDPICC | Evidence at |", "|---|---|"]
    lines += [f"| {lab} | {_times(med.get(k, []))} |" for k, lab in MEDDPICC_LABELS.items()]
    lines.append("")
    return "\n".join(lines)


def _rep_name(report: dict, rep: str | None) -> str:
    if rep:
        return rep
    reps = report["call"].get("reps") or []
    return " & ".join(reps) if reps else "the rep"


def render_debrief(report: dict, rep: str | None = None) -> str:
    """The rep's coaching debrief for one call (Markdown)."""
    c = report["call"]
    name = _rep_name(report, rep)
    moments = report.get("moments") or []
    strengths = sorted((x for x in moments if x["kind"] == "strength"), key=lambda x: (x.get("leverage", 99), x["start"] or 0))
    opps = sorted((x for x in moments if x["kind"] == "opportunity"), key=lambda x: (x.get("leverage", 99), x["start"] or 0))
    buyers = [s["name"] for s in report.get("speakers", []) if s["role"] == "buyer"]
    dur = c.get("duration_s")
    out = [f"# Call debrief: {name} · {c['id']}", "",
           f"- **Call type**: {(c.get('type') or 'unknown').capitalize()}",
           f"- **Buyer side**: {', '.join(buyers) if buyers else 'unknown'}",
           f"- **Duration**: {f'{dur / 60:.0f} min' if dur else 'unknown (no timestamps)'}",
           f"- **Source**: `{c['source']}`", "", "## What went well", ""]
    if strengths:
        for s in strengths[:3]:
            out.append(f"- **{_when(s['start'])} {s.get('label', s['skill'])}.** {s['text']}")
            if s["evidence"] and s["evidence"] not in s["text"]:
                out.append(f"  > “{_q(s['evidence'])}”")
    else:
        out.append("- Nothing stood out as a clear strength in this call's evidence.")
    out += ["", "## The one thing to work on", ""]
    if opps:
        o = opps[0]
        who = f"{o['speaker']}: " if o.get("speaker") else ""
        out += [f"**{o.get('label', o['skill'])}**", "",
                f"- **Moment**: {_when(o['start'])} {who}“{_q(o['evidence'])}”",
                f"- **What happened**: {o['text']}",
                f"- **What to try instead**: {o.get('try_instead', '')}",
                f"- **Why it matters**: {o.get('why', '')}"]
        if len(opps) > 1:
            others = ", ".join(f"{x.get('label', x['skill']).lower()} ({clock(x['start'])})" for x in opps[1:4])
            out += ["", f"Also seen, for later: {others}. One change at a time."]
        out += ["", "## Practice assignment for your next call", "", o.get("practice", "")]
    else:
        out += ["No clear gap in this call's evidence. Keep the same structure, and pick one strength above to repeat deliberately.",
                "", "## Practice assignment for your next call", "",
                "Repeat what worked: before the call, write down the one moment above you want to recreate, and check afterwards whether you did."]
    out += ["", "---", "", render_scorecard(report, heading=False).replace("## ", "### ")]
    return "\n".join(out).rstrip() + "\n"
