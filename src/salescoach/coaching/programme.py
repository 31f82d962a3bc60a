"""The coaching programme (`salescoach programme`): the cadence as a calendar, skill-workshop topics
from the floor's coaching themes, and coaching impact per skill area.

**Cadence** (`frameworks/programme.json` "cadence"): weekly 1:1 (60 min) and call review (30 min) per
rep, team huddles (15 min, three a week); monthly skill workshop (90 min), pipeline review (60 min per
rep) and coaching assessment (30 min per rep); quarterly performance review (per rep), skills
certification and peer coaching (team). Events are laid out from the Monday of `--start` for `--weeks`
weeks: weekly events on their weekdays, monthly ones on their weekday of the `week_of_month`-th week of
each month, quarterly ones likewise in the configured month of each quarter. Per-rep events are placed
one after another (reps in name order) from the start time, `per_day` per day, then on the next weekday.
Times are floating local times.

**Descriptions**: a 1:1 whose week has started (its Monday is on or before `as_of`) carries the
generated agenda for that week (`coaching.agenda`, saved like `salescoach agenda`); a later 1:1 carries
the standing agenda with the rep's current coaching topic and open action items (from the latest agenda
generated here) and the command that fills it in on the Monday. Call reviews name the calls chosen for
that agenda; workshops name their topic and the reps who share the gap; pipeline reviews list the deals
to discuss.

**Workshop topics**: the coaching-themes model's recurring gaps (`memory.mental_models.themes`: reps
holding an active gap observation on a signal, ranked by how many reps share it, then by the share of
calls with the gap); each with its skill area (`skill_areas`) and the reps. The n-th workshop in the
calendar takes the n-th topic (cycling when there are more workshops than topics).

**Coaching impact** per skill area, from the logged interventions (`memory.interventions`), with the
coaching-themes windows: *before* = the rep's calls from the day after the previous intervention on the
same rep and signal (else from the first call) up to the day before; *after* = from the day after up to
the next such intervention (else `as_of`); calls on the day itself are left out.
- strength rate = calls with a strength verdict on the signal / calls where the signal applies, before
  vs after (plus the themes model's own metric test and outcome);
- win rate = won / (won + lost) over the rep's CRM deals whose close date falls in the window;
- conversion = forward stage moves / all stage moves out of an open stage dated in the window (forward:
  to a later open stage or to won; not forward: to lost or an earlier stage; moves within a stage are
  not counted).
Each comparison says **compared** (with the change, after - before) only when both sides have at least
`impact.min_calls` calls (strength rate) or `impact.min_deals` deals / moves (win rate, conversion);
**too few** below that, **unknown** when a side has none. Per skill area the interventions of its
signals are pooled (calls summed; each deal counted once per side).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select

from salescoach.coaching import agenda as A
from salescoach.coaching.context import find_rep_or_fail
from salescoach.crm import parse as P
from salescoach.crm.stats import load_deals
from salescoach.errors import SalescoachError
from salescoach.frameworks import load
from salescoach.memory.config import load_config
from salescoach.memory.mental_models import themes
from salescoach.memory.signals import NA
from salescoach.store import models as m
from salescoach.store.repo import Repository

COMPARED, TOO_FEW, UNKNOWN = "compared", "too few", "unknown"


def settings() -> dict:
    return load("programme")


def area_of(signal: str) -> str | None:
    for k, v in settings()["skill_areas"].items():
        if isinstance(v, dict) and signal in v.get("signals", []):
            return k
    return None


def _areas() -> dict:
    return {k: v for k, v in settings()["skill_areas"].items() if isinstance(v, dict)}


# -- themes --------------------------------------------------------------------------------------

def themes_content(repo: Repository) -> dict:
    floor = int(load_config().o("floor_min_reps"))
    with repo.session() as s:
        content, _ = themes.compute(themes.load_inputs(s), floor)
    return content


def workshop_topics(content: dict) -> list[dict]:
    areas = _areas()
    out = []
    for g in content["recurring_gaps"]:
        a = area_of(g["signal"])
        out.append({"signal": g["signal"], "label": A.signal_label(g["signal"]), "skill_area": a,
                    "skill_area_label": areas[a]["label"] if a else None, "reps": g["reps"],
                    "rep_count": g["rep_count"], "reps_applicable": g["reps_applicable"],
                    "gap_calls": g["gap_calls"], "applicable_calls": g["applicable_calls"],
                    "call_share": g["call_share"]})
    return out


# -- impact --------------------------------------------------------------------------------------

def _cmp(before_k: int, before_n: int, after_k: int, after_n: int, need: int) -> dict:
    b = {"n": before_n, "k": before_k, "rate": round(before_k / before_n, 4) if before_n else None}
    a = {"n": after_n, "k": after_k, "rate": round(after_k / after_n, 4) if after_n else None}
    if not before_n or not after_n:
        return {"before": b, "after": a, "status": UNKNOWN, "change": None,
                "why": f"{before_n} before and {after_n} after: a side has nothing to compare"}
    if before_n < need or after_n < need:
        return {"before": b, "after": a, "status": TOO_FEW, "change": None,
                "why": f"{before_n} before and {after_n} after; at least {need} on each side are needed"}
    return {"before": b, "after": a, "status": COMPARED, "change": round(a["rate"] - b["rate"], 4),
            "why": f"{before_n} before, {after_n} after"}


def _deal_sides(deals, start_b: date | None, end_b: date, start_a: date, end_a: date) -> dict:
    """{'before'|'after': {'closed': {deal id: won?}, 'moves': [(deal id, forward?)]}}"""
    orders = P.stage_orders()
    sides = {"before": {"closed": {}, "moves": []}, "after": {"closed": {}, "moves": []}}

    def side(day: date | None):
        if day is None:
            return None
        if (start_b is None or day >= start_b) and day < end_b:
            return "before"
        if start_a <= day <= end_a:
            return "after"
        return None
    for d in deals:
        if d.stage in ("won", "lost"):
            sd = side(d.close_date)
            if sd:
                sides[sd]["closed"][d.id] = d.stage == "won"
        for when, a, b in d.history:
            if not a or not P.is_open(a) or when is None:
                continue
            fwd = b == "won" or (P.is_open(b) and orders.get(b, 0) > orders.get(a, 0))
            back = b == "lost" or (P.is_open(b) and orders.get(b, 0) < orders.get(a, 0))
            sd = side(when)
            if sd and (fwd or back):
                sides[sd]["moves"].append((d.id, when, fwd))
    return sides


def coaching_impact(repo: Repository, content: dict, as_of: date) -> dict:
    cfg = settings()["impact"]
    need_c, need_d = int(cfg["min_calls"]), int(cfg["min_deals"])
    ivs = content["interventions"]
    call_ids = sorted({c for iv in ivs for c in iv["before_calls"] + iv["after_calls"]})
    verdicts: dict[tuple[int, str], str] = {}
    with repo.session() as s:
        for i in range(0, len(call_ids), 500):
            for cid, sig, v in s.execute(select(m.Finding.call_id, m.Finding.signal, m.Finding.verdict)
                                         .where(m.Finding.kind == "coaching",
                                                m.Finding.call_id.in_(call_ids[i:i + 500]))):
                verdicts.setdefault((cid, sig), v)
        rep_ids = dict(s.execute(select(m.Rep.name, m.Rep.id)).all())
    owners = sorted({rep_ids[iv["rep"]] for iv in ivs if iv["rep"] in rep_ids})
    deals_by_owner: dict[int, list] = {}
    for d in (load_deals(repo, owners) if owners else []):
        deals_by_owner.setdefault(d.owner_id, []).append(d)
    rows = []
    for iv in ivs:
        d0 = date.fromisoformat(iv["date"])
        same = sorted(date.fromisoformat(x["date"]) for x in ivs
                      if x["rep"] == iv["rep"] and x["signal"] == iv["signal"])
        prev = max((x for x in same if x < d0), default=None)
        nxt = min((x for x in same if x > d0), default=None)
        start_b = prev + timedelta(days=1) if prev else None
        end_a = min(nxt - timedelta(days=1), as_of) if nxt else as_of

        def strengths(ids):
            app = [c for c in ids if verdicts.get((c, iv["signal"])) not in (None, NA)]
            return sum(1 for c in app if verdicts[(c, iv["signal"])] == "strength"), len(app)
        kb, nb = strengths(iv["before_calls"])
        ka, na = strengths(iv["after_calls"])
        sides = _deal_sides(deals_by_owner.get(rep_ids.get(iv["rep"]), []), start_b, d0, d0 + timedelta(days=1), end_a)
        rows.append({"id": iv["id"], "rep": iv["rep"], "signal": iv["signal"], "skill_area": area_of(iv["signal"]),
                     "date": iv["date"], "note": iv["note"],
                     "window": {"before_from": start_b.isoformat() if start_b else None, "after_to": end_a.isoformat()},
                     "strength_rate": _cmp(kb, nb, ka, na, need_c),
                     "metric": {"name": iv.get("metric"), "outcome": iv.get("outcome"), "p": iv.get("p"),
                                "why": iv.get("why")},
                     "before_calls": iv["before_calls"], "after_calls": iv["after_calls"],
                     "_sides": sides})
    areas = []
    for key, spec in _areas().items():
        mine = [r for r in rows if r["skill_area"] == key]
        if not mine:
            areas.append({"skill_area": key, "label": spec["label"], "signals": spec.get("signals", []),
                          "interventions": 0, "status": UNKNOWN,
                          "why": "no coaching intervention logged on this area's signals" if spec.get("signals")
                          else "no call signal measures this area"})
            continue
        kb = sum(r["strength_rate"]["before"]["k"] for r in mine)
        nb = sum(r["strength_rate"]["before"]["n"] for r in mine)
        ka = sum(r["strength_rate"]["after"]["k"] for r in mine)
        na = sum(r["strength_rate"]["after"]["n"] for r in mine)
        closed = {"before": {}, "after": {}}
        moves = {"before": {}, "after": {}}
        for r in mine:
            for sd in ("before", "after"):
                closed[sd].update(r["_sides"][sd]["closed"])
                for did, when, fwd in r["_sides"][sd]["moves"]:
                    moves[sd][(did, when)] = fwd
        win = _cmp(sum(closed["before"].values()), len(closed["before"]), sum(closed["after"].values()),
                   len(closed["after"]), need_d)
        conv = _cmp(sum(moves["before"].values()), len(moves["before"]), sum(moves["after"].values()),
                    len(moves["after"]), need_d)
        areas.append({"skill_area": key, "label": spec["label"], "signals": spec.get("signals", []),
                      "interventions": len(mine), "reps": sorted({r["rep"] for r in mine}),
                      "strength_rate": _cmp(kb, nb, ka, na, need_c),
                      "win_rate": win, "conversion": conv})
    for r in rows:
        sides = r.pop("_sides")
        r["win_rate"] = _cmp(sum(sides["before"]["closed"].values()), len(sides["before"]["closed"]),
                             sum(sides["after"]["closed"].values()), len(sides["after"]["closed"]), need_d)
        r["conversion"] = _cmp(sum(f for *_, f in sides["before"]["moves"]), len(sides["before"]["moves"]),
                               sum(f for *_, f in sides["after"]["moves"]), len(sides["after"]["moves"]), need_d)
    return {"min_calls": need_c, "min_deals": need_d, "areas": areas, "interventions": rows}


# -- calendar ------------------------------------------------------------------------------------

def _hm(text: str) -> tuple[int, int]:
    h, mi = text.split(":")
    return int(h), int(mi)


def _add_weekdays(d: date, n: int) -> date:
    while n > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def _nth_weekday(year: int, month: int, weekday: int, week: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def occurrences(spec: dict, start: date, end: date) -> list[date]:
    """Days in [start, end) on which the cadence event falls."""
    out = []
    every = spec["every"]
    if every == "week":
        d = start
        while d < end:
            out += [d + timedelta(days=wd) for wd in spec["weekdays"] if d + timedelta(days=wd) < end]
            d += timedelta(days=7)
        return out
    y, mo = start.year, start.month
    while date(y, mo, 1) < end:
        ok = every == "month" or (every == "quarter" and (mo - 1) % 3 == int(spec.get("months", 1)) - 1)
        if ok:
            day = _nth_weekday(y, mo, spec["weekdays"][0], int(spec.get("week_of_month", 1)))
            if start <= day < end:
                out.append(day)
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    if every not in ("month", "quarter"):
        raise SalescoachError(f"programme.json cadence event {spec['id']!r}: every must be week, month or quarter")
    return out


def _slot(spec: dict, day: date, i: int) -> tuple[datetime, datetime]:
    per_day = int(spec.get("per_day") or 1)
    h, mi = _hm(spec["start"])
    d = _add_weekdays(day, i // per_day) if i >= per_day else day
    begin = datetime(d.year, d.month, d.day, h, mi) + timedelta(minutes=int(spec["minutes"]) * (i % per_day))
    return begin, begin + timedelta(minutes=int(spec["minutes"]))


def _agenda_text(a: dict) -> str:
    return A.render_md(a)


def _future_1on1(rep: str, ws: date, latest: dict | None) -> str:
    lines = [f"Standing agenda: {'; '.join(settings()['agenda']['standing_agenda'])}.",
             "The agenda is filled from the data on the Monday: "
             f"salescoach agenda --rep \"{rep}\" --week {ws.isoformat()}"]
    if latest:
        t = latest["coaching_topic"]
        lines.append(f"Current coaching topic: {A.signal_label(t['signal']) if t.get('signal') else 'unknown'}"
                     + (f" — {t['text']}" if t.get("text") else ""))
        for it in latest["action_items"]:
            lines.append(f"Open action item: {it['text']} (done when {it['criterion']})")
    return "\n".join(lines)


def _reps(repo: Repository, names: list[str] | None) -> list[str]:
    with repo.session() as s:
        if names:
            return sorted({find_rep_or_fail(repo, s, n).name for n in names})
        with_calls = set(s.scalars(select(m.Rep.name).join(m.CallRep, m.CallRep.rep_id == m.Rep.id)))
        with_deals = set(s.scalars(select(m.Rep.name).join(m.CrmDeal, m.CrmDeal.owner_id == m.Rep.id)))
    return sorted(with_calls | with_deals)


def programme(repo: Repository, start: date | None = None, weeks: int = 13, reps: list[str] | None = None,
              as_of: date | None = None, save: bool = True) -> dict:
    """The coaching programme (see the module docstring): events, workshop topics and impact."""
    if weeks < 1 or weeks > 104:
        raise SalescoachError(f"--weeks {weeks}: use 1 to 104 weeks")
    as_of = as_of or date.today()
    start = A.monday(start or as_of)
    end = start + timedelta(weeks=weeks)
    names = _reps(repo, reps)
    content = themes_content(repo)
    topics = workshop_topics(content)
    cur_week = A.monday(as_of)
    agendas: dict[tuple[str, date], dict] = {}
    latest: dict[str, dict] = {}
    for name in names:
        w = start
        while w < end and w <= cur_week:
            a = A.agenda(repo, name, w, save=save)
            agendas[(name, w)] = a
            latest[name] = a
            w += timedelta(weeks=1)
        if name not in latest:
            latest[name] = A.agenda(repo, name, cur_week, save=save)
    rare = {r["signal"]: r for r in content["rare_strengths"]}
    strength_reps = sorted({x["rep"] for r in rare.values() for x in r["shown_by"]} |
                           {rp for sig in content["signals"].values() for rp in sig["strength_reps"]})
    events = []
    n_workshop = 0
    for spec in settings()["cadence"]["events"]:
        for day in occurrences(spec, start, end):
            ws = A.monday(day)
            if spec["scope"] == "team":
                b, e = _slot(spec, day, 0)
                desc, extra = _team_description(spec, n_workshop, topics, strength_reps, names)
                if spec["id"] == "skill_workshop":
                    n_workshop += 1
                events.append({"kind": spec["id"], "title": spec["title"] + (f": {extra['topic']}" if extra.get("topic")
                                                                              else ""),
                               "start": b.isoformat(), "end": e.isoformat(), "rep": None, "description": desc, **extra})
                continue
            for i, name in enumerate(names):
                b, e = _slot(spec, day, i)
                a = agendas.get((name, ws))
                desc = _rep_description(spec, name, ws, a, latest.get(name))
                events.append({"kind": spec["id"], "title": f"{spec['title']}: {name}", "start": b.isoformat(),
                               "end": e.isoformat(), "rep": name, "description": desc,
                               "agenda_week": ws.isoformat() if a and spec["id"] == "one_on_one" else None})
    events.sort(key=lambda ev: (ev["start"], ev["kind"], ev["rep"] or ""))
    impact = coaching_impact(repo, content, as_of)
    return {"start": start.isoformat(), "end": (end - timedelta(days=1)).isoformat(), "weeks": weeks,
            "as_of": as_of.isoformat(), "reps": names, "events": events,
            "event_counts": {k: sum(1 for ev in events if ev["kind"] == k) for k in
                             [s["id"] for s in settings()["cadence"]["events"]]},
            "agendas_generated": len(agendas), "workshop_topics": topics, "impact": impact}


def _team_description(spec: dict, n: int, topics: list[dict], strength_reps: list[str], names: list[str]):
    kind = spec["id"]
    if kind == "skill_workshop":
        if not topics:
            return ("Topic unknown: no gap is held by any rep yet (a gap needs the same verdict on at least two of a "
                    "rep's calls). Pick one from the assessments.", {"topic": None})
        t = topics[n % len(topics)]
        return (f"Topic: {t['label']} ({t['skill_area_label'] or 'no skill area'}). Shared gap of {t['rep_count']} of "
                f"{t['reps_applicable']} reps: {', '.join(t['reps'])}; gap on {t['gap_calls']} of "
                f"{t['applicable_calls']} calls where it applies. Format: short input, group role-play on this "
                "skill, feedback.", {"topic": t["label"], "topic_signal": t["signal"], "topic_reps": t["reps"]})
    if kind == "huddle":
        return ("Fifteen minutes standing: one win or highlight per rep, pipeline changes since the last huddle, "
                "blockers to clear today.", {})
    if kind == "peer_coaching":
        who = ", ".join(strength_reps) or "nobody yet (no strength observation stored)"
        return (f"Reps with strengths to share (strength observations or rare strengths): {who}. Each shows one "
                "call moment; the group agrees one technique to adopt.", {"presenters": strength_reps})
    if kind == "certification":
        return ("Skills certification: assessment, role-play and manager evaluation on discovery, qualification "
                f"(MEDDPICC), objection handling and closing; level beginner / intermediate / advanced. Reps: "
                f"{', '.join(names)}.", {})
    return (spec["title"], {})


def _rep_description(spec: dict, name: str, ws: date, a: dict | None, latest: dict | None) -> str:
    kind = spec["id"]
    if kind == "one_on_one":
        return _agenda_text(a) if a else _future_1on1(name, ws, latest)
    src = a or latest
    if kind == "call_review":
        if not src:
            return "Calls to review: chosen when the week's agenda is generated."
        r = src["calls_to_review"]
        if not r["calls"]:
            return f"No call chosen: {r.get('text')}."
        return "Listen together, pause at the moment, agree one thing to practise:\n" + "\n".join(
            f"- {c['verdict']}: call {c['key']} ({c['date']}) at {A._ts(c['start'])}: \"{c['quote']}\""
            for c in r["calls"])
    if kind == "pipeline_review":
        lines = [f"Deal-by-deal review (salescoach pipeline review --rep \"{name}\"): for each deal what changed, who "
                 "we talk to, the business case, the decision process, the biggest risk and the next step."]
        for d in (src or {}).get("deals_to_discuss", {}).get("deals", []):
            lines.append(f"- {d['deal']} ({d['stage']}, risk {d['risk']}): {d['question']}")
        return "\n".join(lines)
    if kind == "assessment":
        return (f"Self-assessment and manager assessment on the skills matrix, then next month's development plan "
                f"(salescoach plan --rep \"{name}\").")
    if kind == "performance_review":
        return (f"Quarter review: attainment, win rate, the coaching plan's milestones and career goals "
                f"(salescoach plan --rep \"{name}\"; salescoach ramp --rep \"{name}\" for new reps).")
    return spec["title"]


def to_ics(prog: dict) -> bytes:
    """The programme's events as an iCalendar file (floating local times)."""
    from icalendar import Calendar, Event
    cal = Calendar()
    cal.add("prodid", "-//salescoach//coaching programme//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Coaching programme")
    stamp = datetime.now().replace(microsecond=0)
    for ev in prog["events"]:
        e = Event()
        key = f"{ev['kind']}|{ev['rep'] or 'team'}|{ev['start']}"
        e.add("uid", f"{uuid.uuid5(uuid.NAMESPACE_URL, 'salescoach:' + key)}@salescoach")
        e.add("dtstamp", stamp)
        e.add("dtstart", datetime.fromisoformat(ev["start"]))
        e.add("dtend", datetime.fromisoformat(ev["end"]))
        e.add("summary", ev["title"])
        e.add("description", ev["description"])
        e.add("categories", [ev["kind"]])
        cal.add_component(e)
    return cal.to_ical()


# -- Markdown ------------------------------------------------------------------------------------

def _rate(x: dict) -> str:
    return "—" if x["rate"] is None else f"{x['rate']:.0%} ({x['k']}/{x['n']})"


def _cmp_md(c: dict) -> str:
    base = f"before {_rate(c['before'])}, after {_rate(c['after'])}"
    if c["status"] == COMPARED:
        return f"{base}: {c['change']:+.0%}"
    return f"{base}: {c['status']} ({c['why']})"


def render_md(p: dict) -> str:
    out = [f"# Coaching programme {p['start']} to {p['end']} ({p['weeks']} weeks)", "",
           f"Reps: {', '.join(p['reps']) or 'none in the store'}. {len(p['events'])} events; "
           f"{p['agendas_generated']} weekly agenda(s) generated from the data.", "", "## Cadence", "",
           "| Event | Count | First |", "|---|---:|---|"]
    for k, n in p["event_counts"].items():
        first = next((e["start"].replace("T", " ") for e in p["events"] if e["kind"] == k), "—")
        out.append(f"| {k.replace('_', ' ')} | {n} | {first} |")
    out += ["", "## Skill workshop topics (by how many reps share the gap)", ""]
    if not p["workshop_topics"]:
        out.append("None yet: no rep holds a gap observation (the same gap on at least two of their calls).")
    for i, t in enumerate(p["workshop_topics"], 1):
        out.append(f"{i}. **{t['label']}** ({t['skill_area_label'] or 'no skill area'}): {t['rep_count']} of "
                   f"{t['reps_applicable']} reps — {', '.join(t['reps'])}; gap on {t['gap_calls']} of "
                   f"{t['applicable_calls']} calls.")
    imp = p["impact"]
    out += ["", "## Coaching impact by skill area", "",
            f"_Compared only with at least {imp['min_calls']} calls (strength rate) or {imp['min_deals']} deals / "
            "stage moves (win rate, conversion) on each side of an intervention._", ""]
    for a in imp["areas"]:
        if not a["interventions"]:
            out.append(f"- **{a['label']}**: unknown — {a['why']}.")
            continue
        out += [f"- **{a['label']}** ({a['interventions']} intervention(s); {', '.join(a['reps'])})",
                f"  - strength rate: {_cmp_md(a['strength_rate'])}",
                f"  - win rate: {_cmp_md(a['win_rate'])}",
                f"  - conversion (forward stage moves): {_cmp_md(a['conversion'])}"]
    if imp["interventions"]:
        out += ["", "### Interventions", ""]
        for r in imp["interventions"]:
            out.append(f"- {r['rep']}, {r['signal']}, {r['date']}: strength rate {_cmp_md(r['strength_rate'])}; "
                       f"win rate {_cmp_md(r['win_rate'])}; themes metric: {r['metric']['outcome']}.")
    out.append("")
    return "\n".join(out)
