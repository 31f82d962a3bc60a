"""Small text helpers for prep briefs: template filling, short quotes, lexicon matching, the
rip-and-replace language check.

Rules:
- fill(templates, slots): the first template whose every {slot} has a non-empty value in `slots`
  (so a line never carries a guessed value); None when no template qualifies.
- key_sentence(quote): the quote's longest sentence (in words).
- last_sentence(quote): its last sentence of at least four words (used for objection quotes: a buyer's
  objection turn usually ends on the objection itself).
- short(quote, n): the quote cut at a word boundary to at most n characters (… added when cut),
  surrounding quotes and trailing punctuation removed, so it reads inside our own sentence.
- compile_terms(patterns, case_sensitive): one regex over the patterns, each matched on word
  boundaries (no letter or digit on either side), case-insensitive unless told otherwise.
- rip_hits(line): the frameworks/prep.json `rip_and_replace_words` patterns found in a line.
"""
from __future__ import annotations

import re
import string
from functools import lru_cache

from salescoach.frameworks import load

_FIELDS = string.Formatter()


def slots_of(template: str) -> list[str]:
    return [f for _, f, _, _ in _FIELDS.parse(template) if f]


def fill(templates: list[str] | str, slots: dict) -> str | None:
    """The first template whose slots are all known, filled; None if none qualifies."""
    for t in [templates] if isinstance(templates, str) else templates:
        need = slots_of(t)
        if all(slots.get(k) not in (None, "", []) for k in need):
            return t.format(**{k: slots[k] for k in need})
    return None


def key_sentence(quote: str | None) -> str | None:
    """The longest sentence of a quote (in words): the one that carries its content."""
    if not quote:
        return None
    parts = [p for p in re.split(r"(?<=[.!?])\s+", " ".join(str(quote).split())) if p.strip()]
    return max(parts, key=lambda p: len(p.split())) if parts else None


def last_sentence(quote: str | None, min_words: int = 4) -> str | None:
    """The quote's last sentence of at least `min_words` words (an objection turn usually ends on the objection)."""
    if not quote:
        return None
    parts = [p for p in re.split(r"(?<=[.!?])\s+", " ".join(str(quote).split())) if len(p.split()) >= min_words]
    return parts[-1] if parts else " ".join(str(quote).split())


def short(quote: str | None, n: int = 90) -> str | None:
    if not quote:
        return None
    q = " ".join(str(quote).split()).strip("\"'“”‘’ ")
    if len(q) > n:
        cut = q[:n].rsplit(" ", 1)[0]
        q = cut.rstrip(",;:-") + "…"
    return q.rstrip(".!?;,") if not q.endswith("…") else q


def compile_terms(patterns: list[str], case_sensitive: bool = False) -> re.Pattern | None:
    if not patterns:
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])", 0 if case_sensitive else re.I)


@lru_cache(maxsize=4)
def _rip_rx(key: tuple) -> re.Pattern | None:
    return compile_terms(list(key))


def rip_hits(line: str) -> list[str]:
    """Rip-and-replace words found in `line` (empty list when clean)."""
    rx = _rip_rx(tuple(load("prep")["rip_and_replace_words"]["patterns"]))
    return [m.group(0) for m in rx.finditer(line)] if rx and line else []


def fmt_time(t: float | None) -> str:
    if t is None:
        return "untimed"
    t = int(t)
    return f"{t // 3600:d}:{t % 3600 // 60:02d}:{t % 60:02d}" if t >= 3600 else f"{t // 60:d}:{t % 60:02d}"
