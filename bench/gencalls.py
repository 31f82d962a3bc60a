"""Generate long synthetic sales calls (WebVTT) for benchmarks.

Each call is ~45 minutes and ~7k words: a rep and two buyers trading turns built from a bank of
phrases (questions of every SPIN type, objections, pitch lines, small talk, next steps), with
random recombination, filler leads and detail tails so that sentences rarely repeat word for word
(per-text caches must not flatter the benchmark). Deterministic for a given seed.
"""
from __future__ import annotations

import random
from pathlib import Path

REP_Q = [
    "How does your team handle {thing} today?", "Walk me through what happens when {thing} breaks",
    "What tools are you using for {thing} right now?", "Where does that process fall short for you?",
    "What's the most frustrating part of {thing}?", "When that slips, what does it cost the {team} team?",
    "If that keeps happening for another six months, what does that mean for the {goal}?",
    "Who else feels the effect of that?", "If you could fix {thing}, what would that unlock for you?",
    "How would that change your ability to hit the {goal}?", "Is that fair?", "Does that make sense so far",
    "can you give me an example", "and how long has that been going on", "what have you tried so far",
    "so what happens if nothing changes", "Who else would need to sign off on something like this?",
]
REP_S = [
    "That makes sense.", "Got it, thank you.", "So what I'm hearing is that {thing} eats a lot of time.",
    "We built our platform so that {thing} runs without the manual steps.",
    "Our dashboard shows every {thing} in one place, so your {team} team sees problems early.",
    "A lot of teams we work with had the same issue with {thing}.",
    "I'll send over a short summary and the pricing sheet by Friday.",
    "Let me share my screen and show you how the scheduling view works.",
    "That's a fair concern, and I appreciate you being direct about it.",
]
BUY_S = [
    "Honestly {thing} is a mess right now, we do most of it in spreadsheets.",
    "We lose probably ten hours a week on {thing}, and it's getting worse as we grow.",
    "The {team} team is frustrated because they never know which numbers are right.",
    "Our VP wants this sorted before the {goal}.", "We don't have budget for this until next year.",
    "We're also looking at another vendor that's quite a bit cheaper.", "I'm not sure now is the right time.",
    "I'd need to run this by our CFO before we commit to anything.", "Yeah.", "Mm-hmm.", "Right.",
    "That's interesting, tell me more about how that works.", "We tried something like this two years ago and it flopped.",
    "um so the way it works is we export everything on Monday and then uh reconcile it by hand",
    "I think the biggest issue is just visibility, nobody owns {thing} end to end",
]
THINGS = ["scheduling", "dispatch", "invoicing", "reporting", "onboarding", "forecasting", "routing", "approvals"]
TEAMS = ["finance", "ops", "sales", "field", "support"]
GOALS = ["Q3 board meeting", "annual plan", "expansion into Texas", "renewal season", "audit"]
LEADS = ["", "", "so ", "um ", "and ", "honestly ", "okay so ", "well ", "yeah ", "I mean "]
TAILS = ["", "", " for the {team} team", " in {city}", " about {n} times a week", " since {month}",
         " with {n} people", " across {n} sites", " on the {team} side", " at least {n} hours"]
CITIES = ["Denver", "Austin", "Boise", "Tampa", "Reno", "Omaha", "Fresno", "Tulsa", "Akron", "Provo"]
MONTHS = ["January", "March", "May", "July", "September", "November"]


def _vary(rnd: random.Random, sentence: str) -> str:
    """A filler lead and a detail tail, so that sentences rarely repeat word for word (as in real calls)."""
    end = sentence[-1] if sentence[-1] in ".?!" else ""
    core = sentence[:-1] if end else sentence
    tail = rnd.choice(TAILS).format(team=rnd.choice(TEAMS), city=rnd.choice(CITIES), n=rnd.randint(2, 90),
                                    month=rnd.choice(MONTHS))
    lead = rnd.choice(LEADS)
    if lead and core[:1].isupper() and not core.startswith("I "):
        core = core[0].lower() + core[1:]
    return (lead + core + tail + end).strip()


def make_call(seed: int, words_target: int = 7000, minutes: float = 45.0) -> str:
    rnd = random.Random(seed)
    people = [("Jordan Avery", "rep"), ("Casey Lin", "buyer"), ("Morgan Diaz", "buyer")]
    out = ["WEBVTT", ""]
    t, words, n = 1.0, 0, 0
    wps = words_target / (minutes * 60) * 1.12
    speaker = 0
    while words < words_target:
        spk, role = people[speaker]
        bank = (REP_Q + REP_S) if role == "rep" else BUY_S
        k = rnd.randint(1, 3)
        text = " ".join(_vary(rnd, rnd.choice(bank).format(thing=rnd.choice(THINGS), team=rnd.choice(TEAMS),
                                                           goal=rnd.choice(GOALS))) for _ in range(k))
        w = len(text.split())
        dur = w / wps
        n += 1
        out += [f"c{n}", f"{_ts(t)} --> {_ts(t + dur)}", f"<v {spk}>{text}</v>", ""]
        t += dur + rnd.uniform(0.2, 1.2)
        words += w
        speaker = 0 if speaker else rnd.choice([1, 1, 2])
    return "\n".join(out)


def _ts(x: float) -> str:
    ms = int(round(x * 1000))  # format from whole milliseconds: never "00:14:60.000"
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def write_calls(folder: Path, count: int, seed: int = 7) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        p = folder / f"long{i:03d}.vtt"
        p.write_text(make_call(seed + i))
        paths.append(p)
    return paths
