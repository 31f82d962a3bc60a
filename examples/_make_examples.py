#!/usr/bin/env python3
"""Regenerate the bundled example calls in examples/calls/ from the dialogue scripts in examples/scripts/*.dialogue
(a suffix the CLI does not read, so `salescoach analyze examples` sees only the calls).

Everything here is synthetic: Crewline (the vendor), its three reps, the buyer companies, people and
dialogue were all written for salescoach's demo. Each script holds one call as turns, one per line:

    L: Thanks for making time today.        a turn by the speaker with tag L
    M~: Sorry, can I jump in --              an interruption: starts before the previous turn ends
    L+4: So what happens then?               an extra pause of 4 s before the turn
    # anything                               a note for the reader (not written out)

Timing is simulated from the words (about 2.5 words per second, a little random variation, short gaps
between speakers; each rep has their own typical pause before answering a buyer), so the times are
plausible and strictly reproducible (a fixed seed per call). Long turns are split into caption-sized cues,
as captioning tools do. Run from the repository root:  python examples/_make_examples.py
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
OUT = HERE / "calls"

LENA, SAM, PRIYA = "Lena Ruiz", "Sam Cho", "Priya Natarajan"

# id, output file, format, seed, rep's usual pause (s) before answering a buyer, speakers by tag
CALLS = [
    dict(id="01-lena-halvorsen-discovery", file="01-lena-halvorsen-discovery.vtt", fmt="teams", seed=11,
         patience=1.1, speakers={"L": LENA, "I": "Ingrid Halvorsen", "T": "Teo Marchetti"}),
    dict(id="02-lena-bluewater-discovery", file="02-lena-bluewater-discovery.txt", fmt="text", seed=12,
         patience=1.0, speakers={"L": LENA, "D": "Desmond Achebe", "R": "Rita Kowalczyk"}),
    dict(id="03-lena-copperleaf-demo", file="03-lena-copperleaf-demo.vtt", fmt="teams", seed=13,
         patience=1.0, speakers={"L": LENA, "G": "Gwen Voss", "O": "Olu Adeyemi"}),
    dict(id="04-lena-summitridge-negotiation", file="04-lena-summitridge-negotiation.srt", fmt="srt", seed=14,
         patience=1.2, speakers={"L": LENA, "G": "Gary Whitcomb", "N": "Nina Petrov"}),
    dict(id="05-sam-pinecrest-discovery", file="05-sam-pinecrest-discovery.vtt", fmt="teams", seed=15,
         patience=2.1, speakers={"S": SAM, "W": "Wanda Greer"}),
    dict(id="06-sam-keystone-discovery", file="06-sam-keystone-discovery.vtt", fmt="zoom", seed=16,
         patience=2.0, speakers={"S": SAM, "U": "Luis Ortega", "B": "Bev Sandoval"}),
    dict(id="07-sam-meridian-negotiation", file="07-sam-meridian-negotiation.json", fmt="gong", seed=17,
         patience=1.8, speakers={"S": SAM, "C": "Colleen Fairbanks", "V": "Victor Osei"}),
    dict(id="08-priya-tidewater-discovery", file="08-priya-tidewater-discovery.vtt", fmt="zoom", seed=18,
         patience=0.35, speakers={"P": PRIYA, "J": "Jolene Pruitt"}),
    dict(id="09-priya-alderfinch-demo", file="09-priya-alderfinch-demo.txt", fmt="text-stamped", seed=19,
         patience=0.4, speakers={"P": PRIYA, "K": "Bram Keller", "M": "Mei Tanaka"}),
    dict(id="10-priya-redwood-checkin", file="10-priya-redwood-checkin.json", fmt="whisper", seed=20,
         patience=0.4, speakers={"P": PRIYA, "C": "Carl Jessup"}),
]
REPS = {LENA, SAM, PRIYA}

_TURN = re.compile(r"^(?P<tag>[A-Z])(?P<mod>~|\+\d+(?:\.\d+)?)?:\s*(?P<text>\S.*)$")
WORDS_PER_S = 2.5
CUE_WORDS = 22  # split longer turns into caption cues of about this many words


@dataclass
class Turn:
    speaker: str
    text: str
    start: float = 0.0
    end: float = 0.0


def read_script(path: Path, speakers: dict[str, str]) -> list[tuple[str, str, str | None]]:
    turns = []
    for no, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _TURN.match(line)
        if not m or m.group("tag") not in speakers:
            raise SystemExit(f"{path}:{no}: cannot read turn {line[:60]!r}")
        turns.append((speakers[m.group("tag")], m.group("text").strip(), m.group("mod")))
    return turns


def time_turns(script, seed: int, patience: float) -> list[Turn]:
    rnd = random.Random(seed)
    t = rnd.uniform(1.2, 3.0)  # the recording starts a moment before anyone speaks
    out: list[Turn] = []
    for speaker, text, mod in script:
        words = len(text.split())
        dur = max(0.7, words / WORDS_PER_S * rnd.uniform(0.88, 1.12) + rnd.uniform(0.1, 0.4))
        if out:
            prev = out[-1]
            if mod == "~":  # cut in before the other person finishes
                start = prev.end - min(1.2, 0.3 * (prev.end - prev.start))
                start = max(start, prev.start + 0.3)
            else:
                if speaker == prev.speaker:
                    gap = rnd.uniform(0.2, 0.6)
                elif speaker in REPS:
                    gap = patience * rnd.uniform(0.7, 1.3)
                else:
                    gap = rnd.uniform(0.3, 1.1)
                if mod and mod.startswith("+"):
                    gap += float(mod[1:])
                start = prev.end + gap
        else:
            start = t
        out.append(Turn(speaker, text, round(start, 3), round(start + dur, 3)))
    return out


def split_cues(turn: Turn) -> list[Turn]:
    """Split one turn at sentence ends into cues of about CUE_WORDS words; times shared by words."""
    sents = re.findall(r"[^.?!]+(?:[.?!]+|$)(?:\s+|$)", turn.text)
    sents = [s.strip() for s in sents if s.strip()] or [turn.text]
    chunks: list[str] = []
    for s in sents:
        if chunks and len(chunks[-1].split()) + len(s.split()) <= CUE_WORDS:
            chunks[-1] += " " + s
        else:
            chunks.append(s)
    total = sum(len(c.split()) for c in chunks)
    out, t = [], turn.start
    for c in chunks:
        d = (turn.end - turn.start) * len(c.split()) / total
        out.append(Turn(turn.speaker, c, round(t, 3), round(t + d, 3)))
        t += d
    out[-1].end = turn.end
    return out


def sentences(turn: Turn) -> list[Turn]:
    """One turn -> sentence-level pieces with times shared by words (Gong exports sentences)."""
    pieces = re.findall(r"[^.?!]+(?:[.?!]+|$)(?:\s+|$)", turn.text)
    pieces = [p.strip() for p in pieces if p.strip()] or [turn.text]
    total = sum(len(p.split()) for p in pieces)
    out, t = [], turn.start
    for p in pieces:
        d = (turn.end - turn.start) * len(p.split()) / total
        out.append(Turn(turn.speaker, p, round(t, 3), round(t + d, 3)))
        t += d
    out[-1].end = turn.end
    return out


def clock(t: float, sep: str = ".") -> str:
    ms = int(round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def write_teams(turns: list[Turn]) -> str:
    lines = ["WEBVTT", ""]
    n = 0
    for turn in turns:
        for cue in split_cues(turn):
            n += 1
            lines += [f"c{n}", f"{clock(cue.start)} --> {clock(cue.end)}", f"<v {cue.speaker}>{cue.text}</v>", ""]
    return "\n".join(lines)


def write_zoom(turns: list[Turn]) -> str:
    lines = ["WEBVTT", ""]
    n = 0
    for turn in turns:
        for cue in split_cues(turn):
            n += 1
            lines += [str(n), f"{clock(cue.start)} --> {clock(cue.end)}", f"{cue.speaker}: {cue.text}", ""]
    return "\n".join(lines)


def write_srt(turns: list[Turn]) -> str:
    lines = []
    n = 0
    for turn in turns:
        for cue in split_cues(turn):
            n += 1
            lines += [str(n), f"{clock(cue.start, ',')} --> {clock(cue.end, ',')}", f"{cue.speaker}: {cue.text}", ""]
    return "\n".join(lines)


def write_text(turns: list[Turn], stamped: bool) -> str:
    out = []
    for turn in turns:
        if stamped:
            out.append(f"[{clock(turn.start)[:8]}] {turn.speaker}: {turn.text}")
        else:
            out.append(f"{turn.speaker}: {turn.text}")
    return "\n".join(out) + "\n"


def write_gong(turns: list[Turn], call_id: str, speakers: dict[str, str], seed: int) -> str:
    rnd = random.Random(seed)
    ids = {name: str(rnd.randrange(10**18, 10**19)) for name in speakers.values()}
    blocks: list[dict] = []
    for turn in turns:
        sents = [{"start": int(s.start * 1000), "end": int(s.end * 1000), "text": s.text} for s in sentences(turn)]
        if blocks and blocks[-1]["speakerId"] == ids[turn.speaker]:
            blocks[-1]["sentences"] += sents
        else:
            blocks.append({"speakerId": ids[turn.speaker], "topic": None, "sentences": sents})
    gong_call_id = str(rnd.randrange(10**17, 10**18))
    parties = [{"id": str(rnd.randrange(10**17, 10**18)), "speakerId": ids[name], "name": name,
                "affiliation": "Internal" if name in REPS else "External",
                "emailAddress": (name.split()[0].lower() + "@" + ("crewline.io" if name in REPS else "meridianfs.com"))}
               for name in speakers.values()]
    obj = {"requestId": f"synthetic-{call_id}", "records": {"totalRecords": 1, "currentPageSize": 1, "currentPageNumber": 0},
           "callTranscripts": [{"callId": gong_call_id, "transcript": blocks}], "parties": parties}
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"


def write_whisper(turns: list[Turn]) -> str:
    segs = []
    for turn in turns:
        for cue in split_cues(turn):
            segs.append({"id": len(segs), "start": cue.start, "end": cue.end, "text": " " + cue.text,
                         "speaker": cue.speaker})
    obj = {"language": "en", "text": " ".join(s["text"].strip() for s in segs), "segments": segs}
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"


def build(call: dict) -> str:
    script = read_script(SCRIPTS / (call["id"] + ".dialogue"), call["speakers"])
    turns = time_turns(script, call["seed"], call["patience"])
    fmt = call["fmt"]
    if fmt == "teams":
        return write_teams(turns)
    if fmt == "zoom":
        return write_zoom(turns)
    if fmt == "srt":
        return write_srt(turns)
    if fmt == "text":
        return write_text(turns, stamped=False)
    if fmt == "text-stamped":
        return write_text(turns, stamped=True)
    if fmt == "gong":
        return write_gong(turns, call["id"], call["speakers"], call["seed"])
    if fmt == "whisper":
        return write_whisper(turns)
    raise SystemExit(f"unknown format {fmt}")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for call in CALLS:
        if not (SCRIPTS / (call["id"] + ".dialogue")).exists():
            print(f"skip {call['id']} (no script yet)")
            continue
        text = build(call)
        (OUT / call["file"]).write_text(text, encoding="utf-8")
        script = read_script(SCRIPTS / (call["id"] + ".dialogue"), call["speakers"])
        turns = time_turns(script, call["seed"], call["patience"])
        words = sum(len(t.text.split()) for t in turns)
        print(f"{call['file']:42s} {len(turns):4d} turns {words:5d} words {turns[-1].end / 60:5.1f} min")


if __name__ == "__main__":
    main()
