"""Sentence splitting for conversational transcripts.

Definitions:
- A segment is split after '.', '!' or '?' (one or more) followed by white space, except after
  common abbreviations and initials ("Dr.", "a.m.", "J.").
- Speech-to-text often drops the final punctuation but keeps capitals. Inside a stretch that does
  not end with '.', '!' or '?', a new sentence starts before a capitalised word ("okay Got it How
  big is the team" -> "okay", "Got it", "How big is the team") when the word before it can end a
  sentence: not a function word such as "to", "the", "when", "and", after which a capital is far
  more likely a name ("talked to Andrew", "when Andrew asks"), and when the capitalised word is a
  usual sentence opener (wh-word, auxiliary, pronoun, discourse marker, imperative) or follows a
  reaction word ("Perfect Robert, ..."). "I" and its contractions,
  all-capital acronyms and words with digits never start a split.
- Lower-case text without punctuation stays one sentence per segment; the question analyzer
  looks inside those for question clauses.
"""
from __future__ import annotations

import re

_ABBREV = {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "jr", "sr", "approx",
           "no", "u.s", "a.m", "p.m", "dept", "est", "corp"}
_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
# a capitalised word (not "I"/"I'm"..., not an acronym) preceded by white space
_CAP = re.compile(r"(?<=\s)(?=[A-Z][a-z][A-Za-z'’-]*\b)(?!I['’])")
# words after which a capitalised word is most likely a name inside the same sentence
_NO_END = frozenset("""a an the to of in on at for with from by about into onto over under than as per via
and or but nor if when whenever while because since that which who whom whose what where how why
my your our their his her its this these those some any every each no mr mrs ms dr st mount saint
versus like called named say says said tell told ask asked meet met call called email emailed ping loop cc
i we they he she it's i'm you're we're they're let let's dear hey hi hello thanks thank""".split())


# capitalised words that usually open a sentence; any other capitalised word (most likely a name)
# starts a sentence only after a short reaction word ("Perfect Robert, ...")
_STARTERS = frozenset("""what what's how how's why where where's when who who's which is are was were do does did
can could would will should have has had shall may might don't doesn't didn't isn't aren't can't won't
so and but or okay ok oh well yeah yes no right sure great good cool perfect nice got thanks thank
that that's this there there's it it's we we're we've you you're you've they they're he she my our your
let let's tell walk talk give help just also now then anyway anything any sorry wait honestly actually
like if because though alright hmm ha wow awesome interesting totally exactly absolutely makes sounds
one first second last next finally maybe probably please sound""".split())
_REACTIONS = frozenset("""okay ok yeah yes right sure great good cool perfect nice thanks wow ha oh alright
awesome interesting totally exactly absolutely gotcha fair noted""".split())


def _cap_split(piece: str) -> list[str]:
    out, last = [], 0
    for m in _CAP.finditer(piece):
        i = m.start()
        before = piece[last:i].rstrip()
        if not before:
            continue
        prev = before.split()[-1].lower().strip(",;:-\"'")
        if before.endswith((",", ";", ":", "-")) or prev in _NO_END or not prev:
            continue
        word = piece[i:].split(None, 1)[0].lower().strip(",;:!?\"'")
        if word not in _STARTERS and prev not in _REACTIONS:
            continue
        out.append(before)
        last = i
    out.append(piece[last:])
    return out


_INNER = re.compile(r"[.!?][\"')\]]*\s")


def split_sentences(text: str) -> list[str]:
    text = text.strip()
    if text.endswith((".", "!", "?")) and not _INNER.search(text):
        return [text] if text else []  # one punctuated sentence: the common case
    parts = _SPLIT.split(text)
    out: list[str] = []
    for p in parts:
        if not p:
            continue
        if out:
            prev = out[-1]
            last = prev.rstrip(".!?\"')]").split(" ")[-1].lower()
            if prev.endswith(".") and (last in _ABBREV or (len(last) == 1 and last.isalpha())):
                out[-1] = prev + " " + p
                continue
        out.append(p)
    if out and not out[-1].rstrip("\"')]").endswith((".", "!", "?")) and " " in out[-1]:
        out[-1:] = _cap_split(out[-1])
    return out
