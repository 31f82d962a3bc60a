"""Ecosystem map: the buyer's tool stack as mentioned in calls, enhancement framing per tool, the guardrail
reframe, and the rip-and-replace language check.

Rules (lexicons and templates in frameworks/prep.json `tools`, `tool_categories`, `guardrail`,
`rip_and_replace_words`):
- A tool is mentioned when one of its patterns matches a segment on word boundaries (buyer or rep speech).
  It is *confirmed* in the buyer's stack when a buyer said it, *unconfirmed* when only our side did.
  Each tool lists its first mention (call, time, quote, speaker) and the number of mentions.
- Enhancement framing: one line per tool category the buyer confirmed, naming the category's first
  confirmed tool (the others listed as `also`), from the category's templates ({tool}, {pain}).
- Guardrail reframe: every buyer segment matching a guardrail cue (automating, AI, scaling a process)
  is listed with its quote. For an automate / scale cue the process is the words after it (at most
  `max_words`, up to punctuation or a stop word). The reframe line is written for the first match that
  names a process (else the first match, naming its cue).
- Language check: every generated line of the brief is searched for the rip-and-replace patterns;
  hits are listed with the offending line (`ok` false) so a user-extended template cannot slip one in.
"""
from __future__ import annotations

import re

from salescoach.frameworks import load
from salescoach.prep.facts import Facts
from salescoach.prep.text import compile_terms, fill, key_sentence, rip_hits, short


def _tool_rx() -> list[tuple[str, str, re.Pattern]]:
    out = []
    for cat, tools in load("prep")["tools"].items():
        if cat.startswith("_"):
            continue
        for t in tools:
            rx = compile_terms(t["patterns"], bool(t.get("case_sensitive")))
            if rx:
                out.append((cat, t["name"], rx))
    return out


def find_tools(f: Facts) -> list[dict]:
    found: dict[str, dict] = {}
    rxs = _tool_rx()
    for c in f.calls:
        for idx, sp, role, st, text in c.segs:
            for cat, name, rx in rxs:
                if rx.search(text):
                    t = found.setdefault(name, {"tool": name, "category": cat, "mentions": 0, "said_by": [],
                                                "first": None, "buyer_quote": None})
                    t["mentions"] += 1
                    if role not in t["said_by"]:
                        t["said_by"].append(role)
                    if t["first"] is None:
                        t["first"] = c.ref(st, text[:240], sp, role)
                    if role == "buyer" and t["buyer_quote"] is None:
                        t["buyer_quote"] = c.ref(st, text[:240], sp, role)
    for t in found.values():
        t["status"] = "confirmed" if "buyer" in t["said_by"] else "unconfirmed"
    return sorted(found.values(), key=lambda t: (t["status"] != "confirmed", t["first"]["date"], t["first"]["call"],
                                                 t["first"]["start"] or 0))


def _guardrail_rx() -> tuple[re.Pattern | None, re.Pattern | None]:
    g = load("prep")["guardrail"]
    cs = set(g.get("case_sensitive_cues", []))
    return compile_terms([c for c in g["cues"] if c not in cs]), compile_terms(sorted(cs), True)


def _process(text: str, mt: re.Match, g: dict) -> str | None:
    """The object of an automate / scale cue: the words after it, up to punctuation or a stop word."""
    if not any(mt.group(0).casefold().startswith(c) for c in g.get("object_cues", [])):
        return None
    stop = {w.casefold() for w in g.get("stop_words", [])}
    words = []
    for w in re.split(r"[.!?;,:]", text[mt.end():], maxsplit=1)[0].split()[:g.get("max_words", 6)]:
        if w.casefold() in stop:
            break
        words.append(w)
    return " ".join(words) or None


def guardrail(f: Facts, slots: dict) -> dict:
    g = load("prep")["guardrail"]
    rxs = [r for r in _guardrail_rx() if r]
    hits = []
    for c in f.calls:
        for idx, sp, role, st, text in c.segs:
            if role != "buyer":
                continue
            found = [mt for mt in (rx.search(text) for rx in rxs) if mt]
            if found:
                mt = min(found, key=lambda x: x.start())
                hits.append({**c.ref(st, text[:240], sp, role), "cue": mt.group(0), "process": _process(text, mt, g)})
    if not hits:
        return {"status": "not_raised", "mentions": [],
                "settle": "no buyer sentence about automating, AI or scaling a process yet; ask what they plan to "
                          "automate or scale in the next year"}
    h = next((x for x in hits if x["process"]), hits[0])
    line = fill(g["templates"], {**slots, "quote": short(key_sentence(h["quote"]), 120), "process": h["process"],
                                 "cue": h["cue"]})
    used = {k: h[k] for k in ("call", "key", "date", "start", "quote", "speaker")}
    return {"status": "found", "mentions": hits, "used": used,
            "reframe": line}


def ecosystem(f: Facts, slots: dict, tools: list[dict]) -> dict:
    cats = load("prep")["tool_categories"]
    framing, by_cat = [], {}
    for t in tools:
        if t["status"] != "confirmed":
            continue
        if t["category"] in by_cat:
            by_cat[t["category"]]["also"].append(t["tool"])
            continue
        spec = cats.get(t["category"], {})
        line = fill(spec.get("framing", []), {**slots, "tool": t["tool"]})
        if line:
            by_cat[t["category"]] = {"tool": t["tool"], "category": t["category"], "line": line, "also": []}
            framing.append(by_cat[t["category"]])
    out = {"status": "found" if tools else "unknown", "tools": tools,
           "categories": sorted({t["category"] for t in tools if t["status"] == "confirmed"}),
           "framing": framing, "guardrail": guardrail(f, slots)}
    if not tools:
        out["settle"] = ("no tool named in the calls yet; ask which systems hold the data today and where the "
                         "team works day to day")
    return out


def language_check(lines: list[str]) -> dict:
    hits = [{"line": ln, "words": w} for ln in lines if ln for w in [rip_hits(ln)] if w]
    return {"ok": not hits, "checked": len([ln for ln in lines if ln]), "hits": hits}
