"""Generated sales calls with planted habits, for the memory-bank tests (written for this project).

`make_call(rep, buyer, plan, seed)` writes a WebVTT discovery call whose controllable signals are
set by `plan` (signal -> "strength" | "gap"):
- upfront_contract: strength = opens with agenda, time, permission and outcomes; gap = jumps in.
- next_steps: strength = books a dated follow-up; gap = ends with a vague "stay in touch".
- talk_ratio: strength = the buyer gives long answers; gap = the rep explains at length.
- monologues: strength = rep turns stay short; gap = one rep stretch of ~2 minutes.
- implication_questions: strength = three questions about consequences; gap = none.
"""
from __future__ import annotations

import random

OPEN_CONTRACT = [
    "Thanks for making the time today, {buyer}.",
    "Here is what I had in mind for our thirty minutes: I'd like to ask some questions about how things run on "
    "your side, then you can ask me anything you like.",
    "At the end we can decide together whether a next step makes sense, or agree it is not a fit. Does that work "
    "for you?",
]
OPEN_PLAIN = ["Hi {buyer}, thanks for jumping on.", "So let me tell you a bit about us."]
QUESTIONS_PLAIN = ["How do you handle {thing} today?", "What tools do you use for {thing} right now?",
                   "Where does that process break down for you?"]
QUESTIONS_IMPL = ["When {thing} slips, what does that cost the {team} team each month?",
                  "If that keeps happening for another six months, what does it mean for the {goal}?",
                  "How does that delay affect your ability to hit the {goal}?"]
BUYER_LONG = [
    "Honestly {thing} is mostly spreadsheets right now. Every Monday someone exports the data, then two people "
    "spend most of the day reconciling it by hand, and by the time the numbers reach the {team} team they are "
    "already a week old. We have tried to fix it twice and both times it fell apart after a month.",
    "The bigger problem is that nobody owns {thing} end to end. The {team} team thinks it belongs to operations, "
    "operations thinks it belongs to finance, and when something goes wrong we spend more time arguing about whose "
    "fault it was than fixing it. Last quarter that cost us two large customers.",
    "It matters because the {goal} is coming up and my boss will ask why the numbers moved. Right now I cannot "
    "answer that with any confidence, and I have to pad every forecast to protect myself, which nobody likes.",
]
BUYER_SHORT = ["Sure.", "Okay.", "Right, makes sense.", "Yes, that's fair."]
REP_SHORT = ["Got it, thank you.", "That makes sense.", "Understood."]
REP_PITCH = [
    "So our platform pulls every {thing} record into one place automatically. It checks the data every hour, flags "
    "anything that looks wrong, and sends the {team} team a short summary each morning. It also keeps a full history "
    "so you can see who changed what and when. Most customers connect it in a week, and we assign a named engineer "
    "who stays with you through the first quarter. On top of that there is a forecasting module that learns from "
    "your past quarters and suggests where the numbers will land, with a confidence range, and a reporting layer "
    "that your finance team can use without asking anyone for an export.",
]
CLOSE_DATED = ["Let's book the next session now: does Tuesday the fourteenth at ten work for you and your CFO?",
               "Great, I'll send the invite for Tuesday the fourteenth at ten."]
CLOSE_VAGUE = ["Well, have a think about it and let's stay in touch.", "Thanks again for your time."]
BUYER_CLOSE_DATED = "Tuesday the fourteenth at ten works, I'll bring our CFO."
BUYER_CLOSE_VAGUE = "Sure, thanks."
THINGS = ["scheduling", "invoicing", "reporting", "forecasting", "dispatch"]
TEAMS = ["finance", "ops", "support", "field"]
GOALS = ["board meeting", "annual plan", "renewal season", "audit"]

WPS = 2.6  # words per second of speech


def _ts(x: float) -> str:
    return f"{int(x // 3600):02d}:{int(x % 3600 // 60):02d}:{x % 60:06.3f}"


def make_call(rep: str, buyer: str, plan: dict[str, str], seed: int = 0) -> str:
    rnd = random.Random(seed)
    fill = {"buyer": buyer.split()[0], "thing": rnd.choice(THINGS), "team": rnd.choice(TEAMS), "goal": rnd.choice(GOALS)}
    turns: list[tuple[str, str, float | None]] = []  # (speaker, text, forced duration)

    def say(who: str, text: str, dur: float | None = None) -> None:
        turns.append((who, text.format(**fill), dur))

    say(rep, "Hi {buyer}, can you hear me okay?")
    say(buyer, "Yes, loud and clear.")
    if plan.get("upfront_contract") == "strength":
        for line in OPEN_CONTRACT:
            say(rep, line)
        say(buyer, "That works for me.")
    else:
        for line in OPEN_PLAIN:
            say(rep, line)
    questions = list(QUESTIONS_PLAIN)
    if plan.get("implication_questions") == "strength":
        questions += QUESTIONS_IMPL
    talk_gap = plan.get("talk_ratio") == "gap"
    for i, q in enumerate(questions):
        say(rep, q)
        if talk_gap:
            say(buyer, rnd.choice(BUYER_SHORT))
            say(rep, "Right, and that is exactly why teams come to us, because we remove the manual steps and give the "
                     "{team} team one place to look, so nobody has to chase numbers on Monday mornings any more.")
        else:
            say(buyer, BUYER_LONG[i % len(BUYER_LONG)])
            say(rep, rnd.choice(REP_SHORT))
    if plan.get("monologues") == "gap":
        say(rep, REP_PITCH[0] + " " + REP_PITCH[0], dur=125.0)
    else:
        say(rep, "Let me show you one thing that's relevant to what you said about {thing}.", dur=20.0)
    if talk_gap:
        for _ in range(3):
            say(rep, REP_PITCH[0], dur=55.0)
            say(buyer, rnd.choice(BUYER_SHORT))
    else:
        say(buyer, BUYER_LONG[0])
        if plan.get("monologues") == "gap":  # keep the buyer's share: a long pitch alone is not a talk-ratio slip
            say(rep, "What would you add to that?")
            for story in BUYER_LONG + BUYER_LONG:
                say(buyer, story)
    say(buyer, "This looks useful.")
    if plan.get("next_steps") == "strength":
        say(rep, CLOSE_DATED[0])
        say(buyer, BUYER_CLOSE_DATED)
        say(rep, CLOSE_DATED[1])
    else:
        say(rep, CLOSE_VAGUE[0])
        say(buyer, BUYER_CLOSE_VAGUE)
        say(rep, CLOSE_VAGUE[1])
    out = ["WEBVTT", ""]
    t = 0.5
    for n, (who, text, dur) in enumerate(turns, 1):
        d = dur if dur is not None else max(1.0, len(text.split()) / WPS)
        out += [f"c{n}", f"{_ts(t)} --> {_ts(t + d)}", f"<v {who}>{text}</v>", ""]
        t += d + 0.6
    return "\n".join(out)


# The planted team: every rep has habits in every call plus one-off slips (one call each).
TEAM = {
    "Ava Stone": {"habits": {"talk_ratio": "gap", "monologues": "gap", "upfront_contract": "strength"},
                  "slips": [{"next_steps": "gap"}],
                  "default": {"next_steps": "strength", "implication_questions": "gap"}},
    "Ben Okafor": {"habits": {"talk_ratio": "strength", "monologues": "strength", "next_steps": "strength"},
                   "slips": [{"upfront_contract": "strength"}],
                   "default": {"upfront_contract": "gap", "implication_questions": "gap"}},
    "Cleo Park": {"habits": {"upfront_contract": "strength", "next_steps": "strength", "talk_ratio": "strength"},
                  "slips": [{"monologues": "gap"}],
                  "default": {"monologues": "strength", "implication_questions": "gap"}},
}
BUYERS = ["Maya Jensen", "Tom Reyes", "Iris Novak", "Omar Haddad"]


def team_plans(calls_per_rep: int = 4) -> dict[str, list[dict[str, str]]]:
    """rep -> one plan per call: habits everywhere, each slip in exactly one call."""
    plans: dict[str, list[dict[str, str]]] = {}
    for rep, spec in TEAM.items():
        rows = []
        for i in range(calls_per_rep):
            plan = {**spec["default"], **spec["habits"]}
            if i < len(spec["slips"]):
                plan.update(spec["slips"][i])
            rows.append(plan)
        plans[rep] = rows
    return plans
