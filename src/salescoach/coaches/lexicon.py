"""The coach-network vocabulary of frameworks/coaches.json, compiled: title words, speech-role
patterns, the three criteria's phrase patterns and referral patterns.

Matching rules (documented in the JSON's `_doc` keys too):
- text is read one sentence at a time (split after . ! ?), curly apostrophes as straight ones;
- patterns are case-insensitive regular expressions; title words match whole words and a word
  written in capitals in the lexicon (IT, CFO, VP) matches only in capitals, so "talk to them about
  it" never reads as IT;
- a criterion match is dropped when one of the three words before it is a negation (not, no,
  never, ...n't), and inside a question unless the pattern says `in_question`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from salescoach.frameworks import load

CRITERIA = ("wants", "credible", "guide")
INFLUENCES = ("economic", "user", "technical")
_NEG = re.compile(r"(?:\b(?:not|no|never|nobody|nothing|neither|nor|cannot)\b|n't\b)", re.I)
_SENT = re.compile(r"(?<=[.!?])\s+")


def norm(text: str) -> str:
    return (text or "").replace("\u2019", "'").replace("\u2018", "'")


def sentences(text: str) -> list[str]:
    return [x.strip() for x in _SENT.split(norm(text)) if x.strip()]


def _word_rx(words) -> re.Pattern | None:
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        body = r"\s+".join(re.escape(x) for x in w.split())
        parts.append(rf"(?-i:\b{body}\b)" if w.isupper() else rf"\b{body}\b")
    return re.compile("|".join(parts), re.I) if parts else None


@dataclass(frozen=True)
class Pattern:
    id: str
    rx: re.Pattern
    in_question: bool = False
    needs_target: bool = False


@dataclass
class Lexicon:
    title_roles: list[tuple[str, re.Pattern]]
    senior: re.Pattern | None
    access: list[tuple[re.Pattern, str | None]]
    speech_roles: list[tuple[str, re.Pattern]]
    criteria: dict[str, list[Pattern]]
    referrals: list[str]

    def title_role(self, text: str | None) -> tuple[str, str] | None:
        """(role, matched word) of a title or a named target, first role in lexicon order."""
        if not text:
            return None
        for role, rx in self.title_roles:
            mt = rx.search(text)
            if mt:
                return role, mt.group(0)
        return None

    def senior_word(self, title: str | None) -> str | None:
        mt = self.senior.search(title) if (title and self.senior) else None
        return mt.group(0) if mt else None

    def access_role(self, text: str) -> tuple[bool, str | None, str | None]:
        """(found, role, word) of a generic senior body named in `text` ("the steering committee")."""
        for rx, role in self.access:
            mt = rx.search(text)
            if mt:
                return True, role, mt.group(0)
        return False, None, None

    def speech_role(self, sentence: str) -> tuple[str, str] | None:
        for role, rx in self.speech_roles:
            mt = rx.search(sentence)
            if mt and not negated(sentence, mt.start()):
                return role, mt.group(0)
        return None

    def matches(self, criterion: str, sentence: str):
        """(pattern, match) for each pattern of `criterion` that counts in this sentence."""
        question = sentence.rstrip().endswith("?")
        for p in self.criteria[criterion]:
            if question and not p.in_question:
                continue
            mt = p.rx.search(sentence)
            if mt and not negated(sentence, mt.start()):
                yield p, mt


def negated(sentence: str, at: int) -> bool:
    before = sentence[:at].split()[-3:]
    return bool(_NEG.search(" ".join(before)))


@lru_cache(maxsize=None)
def _compile(key: int = 0) -> Lexicon:
    cfg = load("coaches")
    order = ("procurement", "economic", "technical", "user")
    tr = [(r, _word_rx(cfg["title_roles"][r])) for r in order if cfg["title_roles"].get(r)]
    tr += [(r, _word_rx(w)) for r, w in cfg["title_roles"].items() if r not in order and w]
    access = [(_word_rx([w]), role) for w, role in sorted(cfg["access_words"].items(), key=lambda kv: -len(kv[0]))]
    speech = [(role, re.compile("|".join(f"(?:{x})" for x in pats), re.I))
              for role, pats in cfg["speech_roles"].items() if pats]
    crit = {c: [Pattern(p["id"], re.compile(p["rx"], re.I), bool(p.get("in_question")), bool(p.get("needs_target")))
                for p in cfg["criteria"][c]] for c in CRITERIA}
    return Lexicon(tr, _word_rx(cfg["senior_titles"]), access, speech, crit, list(cfg["referrals"]))


def lexicon() -> Lexicon:
    return _compile()


def clear_cache() -> None:
    """Forget the compiled lexicon (after SALESCOACH_FRAMEWORKS changed; tests use it)."""
    _compile.cache_clear()
    load.cache_clear()
