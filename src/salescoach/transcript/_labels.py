"""When is `Word: text` a speaker label and when is it just part of what someone said?

Plain-text transcripts and Zoom-style captions mark speakers as `Name: text`, but people also
say and write `Note: the demo is Tuesday`, `Here is the plan: ...` or paste `https://...`.
A candidate label (the words before the first colon; in plain text the colon must be followed by
a space, a letter or the line end) counts as a speaker when:

- it has at most 4 words (not counting "de", "van", "Dr." and the like), is not one of the
  everyday lead-in words in `NOT_SPEAKERS` ("Note", "PS", "Agenda", "Re", "FYI", "Next steps",
  "Title", "Date", ...), and a multi-word label holds no sentence function word ("the", "is",
  "our", ...; a capital single letter as in "Speaker A" is fine);
- a multi-word label looks like a name: every word starts with a capital, a digit or a caseless
  letter, or is a name particle ("de", "van", ...) -- unless the label is used at least twice in
  the file;
- a single all-lowercase word ("anyway: ...") counts only when it is used at least twice or
  starts the transcript (`me011:`-style ids recur throughout a file).

Everything else is text: it continues the current speaker's turn.
Bracketed caption notes such as `[laughter]`, `[MUSIC]`, `(inaudible)` are never speakers.
"""
from __future__ import annotations

import re

NOT_SPEAKERS = frozenset("""
note notes nb n.b ps p.s pps fyi re fw fwd subject agenda update updates reminder todo to-do
action actions action item action items next step next steps step example examples e.g eg i.e ie
tip tips warning caution important summary recap key point key points takeaway takeaways
disclaimer correction edit source quote title topic topics date time duration location address
email e-mail phone tel url link links website http https www ftp mailto price cost total pricing
attendees participants recording transcript meeting call goal goals objective objectives result
results outcome outcomes pros cons option options decision decisions problem solution deadline
company organization organisation account opportunity deal platform language created generated exported
keywords tags chapter chapters section id
""".split()) | frozenset({"action item", "action items", "next step", "next steps", "key point", "key points"})

SOUND_NOTES = frozenset("""
music laughter laughs laughing laugh applause inaudible crosstalk noise silence blank_audio pause
coughs cough coughing sighs sigh chuckles chuckle static beep beeping unintelligible indistinct
foreign overlapping sound silent no audio background background noise music playing upbeat music
phone rings ringing typing cross talk foreign language speaking foreign language
""".split()) | frozenset({"no audio", "background noise", "music playing", "upbeat music", "phone rings",
                           "cross talk", "foreign language", "speaking foreign language", "blank audio"})

_FUNCTION = frozenset("""
the a an my our your their his her its this that these those is are was were be been am to of for
and or but with in on at it we i you he she they so if as by from about into than then there here
what why how when where which who whom not no yes just also very really
""".split())
_PARTICLES = frozenset("de da di du del della der den la le van von bin ibn al el dos das ter ten y".split())
_TITLES = frozenset("dr mr mrs ms mx prof jr sr st".split())


def _word_ok(w: str) -> bool:
    if w.endswith("."):  # "Dr.", "J." -- abbreviations only
        core = w[:-1]
        return len(core) == 1 and core.isalpha() or core.lower() in _TITLES
    return True


def is_speaker_label(label: str, count: int = 1, first: bool = False) -> bool:
    """Is `label` (the text before the colon) a speaker? `count`: how often the file uses it;
    `first`: nothing has been attributed to a speaker yet."""
    label = label.strip()
    if not label or len(label) > 50:
        return False
    words = label.split()
    low = label.casefold()
    core = [w for w in words if w not in _PARTICLES and w.rstrip(".").casefold() not in _TITLES]
    if len(core) > 4 or low in NOT_SPEAKERS or low in SOUND_NOTES or low.rstrip(".") in NOT_SPEAKERS:
        return False
    if not all(_word_ok(w) for w in words):
        return False
    if len(words) == 1:
        if label.isalpha() and label.islower() and count < 2 and not first:
            return False
        return True
    if any(w.casefold() in _FUNCTION and not (len(w) == 1 and w.isupper()) for w in words):  # "Speaker A" is fine
        return False
    if all(not w[0].islower() or w in _PARTICLES for w in words):  # caseless scripts count as capitalised
        return True
    return count >= 2


def is_sound_note(text: str) -> bool:
    """'[laughter]', '(MUSIC PLAYING)', '[inaudible 00:01:02]' -> True."""
    t = text.strip()
    if len(t) < 3 or t[0] not in "[(" or t[-1] not in "])":
        return False
    inner = re.sub(r"[\d:.,]+", " ", t[1:-1]).strip().casefold().replace("_", " ")
    return not inner or inner in SOUND_NOTES or t[1:-1].strip().islower()
