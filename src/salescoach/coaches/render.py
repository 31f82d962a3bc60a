"""Markdown for a coach network (rendered from the dict `coaches.network` returns)."""
from __future__ import annotations

from salescoach.analysis.moments import clock

_STATUS = {"met": "met", "not_shown": "not shown", "unknown": "unknown"}
_CRIT = {"wants": "Wants our solution", "credible": "Credible with the buying influences",
         "guide": "Willing to guide"}
_UNKNOWN_HOW = {"wants": "hearing them on a call (do they push for it, ask for next steps?)",
                "credible": "hearing who they can reach, or a title in the CRM",
                "guide": "hearing them explain how the decision gets made or point you to people"}


def _cite(e: dict | None) -> str:
    if not e:
        return ""
    if "quote" in e:
        who = f"{e['speaker']}, " if e.get("by") else ""
        return f"“{e['quote']}” ({who}{e['call']} {clock(e['start'])}, {e['date']})"
    if "field" in e:
        return f"CRM {e['field']} = “{e.get('value')}”"
    return ", ".join(f"{k} {v}" for k, v in e.items() if v is not None)


def _role(p: dict) -> str:
    if not p["role"]:
        return "unknown"
    return f"{p['role_label']} ({p['role_basis']})"


def render_md(net: dict) -> str:
    a = net["account"]
    out = [f"# Coach network: {a['name']}", "",
           f"As of {net['as_of']}; {len(net['calls'])} call(s) heard"
           + (f" ({', '.join(c['key'] for c in net['calls'][:8])}{' ...' if len(net['calls']) > 8 else ''})"
              if net["calls"] else "") + ".", ""]
    coaches = net["true_coaches"]
    out.append("**True coaches:** " + (", ".join(coaches) if coaches else "none yet") + ".")
    out.append("")
    out += ["## People", "", "| Person | Title | Role (basis) | Calls | Status | Coach |", "|---|---|---|---:|---|---|"]
    for p in net["people"]:
        coach = "true coach" if p["true_coach"] else ("candidate" if p["candidate"] else "")
        out.append(f"| {p['name']} | {p['title'] or '—'} | {_role(p)} | {p['calls']} | {p['status']} | {coach} |")
    out.append("")
    out += ["## Coach candidates", ""]
    cands = [p for p in net["people"] if p["candidate"]]
    if not cands:
        out += ["Nobody is a candidate yet: no CRM coach or champion, and nobody's own words on the calls match a "
                "coach criterion." if net["heard"] else
                "Nobody is a candidate yet, and no buyer has been heard on this account's calls: import contact "
                "roles or ingest the account's calls to find one.", ""]
    for p in cands:
        verdict = "meets all three criteria" if p["true_coach"] else "not a true coach yet"
        out += [f"### {p['name']} — {verdict}", "", f"Why a candidate: {'; '.join(p['candidate_reason'])}.", ""]
        for c, label in _CRIT.items():
            cr = p["criteria"][c]
            line = f"- **{label}:** {_STATUS[cr['status']]}"
            if cr["status"] == "unknown":
                line += (f" — {p['name']} has never been heard on this account's calls; "
                         f"{_UNKNOWN_HOW[c]} would settle it.")
            elif cr["status"] == "not_shown":
                line += f" — nothing in their {p['segments']} segment(s) shows it."
            out.append(line)
            if cr["status"] != "unknown" or c == "credible":
                for e in cr["evidence"]:
                    out.append(f"  - {_cite(e)}")
            if cr["count"] > len(cr["evidence"]):
                out.append(f"  - … and {cr['count'] - len(cr['evidence'])} more")
        out.append("")
    out += ["## Coverage by buying influence", ""]
    for r, cov in net["coverage"].items():
        people = ", ".join(f"{c['name']} ({c['basis']})" for c in cov["contacts"]) or "nobody identified"
        out.append(f"- **{cov['label']}** — {cov['status']}. People: {people}.")
        if cov["status"] == "unknown":
            out.append("  - No buyer on this account has spoken on a recorded call, so no coach's access can be "
                       "shown; ingest the account's calls to settle it.")
        for x in cov["access"]:
            out.append(f"  - {x['coach']}: {x['via']['how']} — {_cite(x['via']['evidence'])}")
    out.append("")
    out += ["## Warnings", ""]
    if not net["warnings"]:
        out.append("None.")
    for w in net["warnings"]:
        out.append(f"- **{w['kind'].replace('_', ' ')}**: {w['message']}.")
        for e in w["evidence"]:
            if "person" in e and "missing" in e:
                miss = ", ".join(f"{k} {_STATUS[v]}" for k, v in e["statuses"].items() if v != "met")
                out.append(f"  - {e['person']}: {miss}")
            else:
                out.append(f"  - {_cite(e)}")
    out.append("")
    out += ["## Suggested next moves", ""]
    if not net["next_moves"]:
        out.append("Every buying influence is reached by a true coach; keep them winning.")
    for i, mv in enumerate(net["next_moves"], 1):
        out.append(f"{i}. {mv['text']}")
    out.append("")
    return "\n".join(out)
