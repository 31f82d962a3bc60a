"""The analysis pipeline: an ordered list of named analyzers over one `CallDoc`.

Analyzers are registered by name with `@analyzer("name")` and run in `DEFAULT_ORDER`;
a `Pipeline` can run any subset or a user's own analyzers (plugin style):

    from salescoach.analysis import Pipeline, analyzer

    @analyzer("filler_words")
    def filler_words(doc):
        doc.report["filler_words"] = sum(s.tokens.count("um") for s in doc.sentences)

    Pipeline(Pipeline.default_names() + ["filler_words"]).run(call)
"""
from __future__ import annotations

from typing import Callable, Iterable

from salescoach.analysis.doc import CallDoc, Sentence, Turn, tokens
from salescoach.analysis.sentences import split_sentences
from salescoach.transcript.model import Call

Analyzer = Callable[[CallDoc], None]
ANALYZERS: dict[str, Analyzer] = {}
DEFAULT_ORDER = ["conversation", "questions", "objections", "structure", "coverage", "moments"]


def analyzer(name: str) -> Callable[[Analyzer], Analyzer]:
    def deco(fn: Analyzer) -> Analyzer:
        ANALYZERS[name] = fn
        return fn
    return deco


def make_doc(call: Call) -> CallDoc:
    sentences: list[Sentence] = []
    turns: list[Turn] = []
    roles = {sp: call.role(sp) for sp in call.speakers}
    for i, seg in enumerate(call.segments):
        role = roles[seg.speaker]
        if not turns or turns[-1].speaker != seg.speaker:
            turns.append(Turn(len(turns), seg.speaker, role, [], [], seg.start, seg.end))
        t = turns[-1]
        t.segs.append(i)
        if seg.end is not None and (t.end is None or seg.end > t.end):
            t.end = seg.end
        for text in split_sentences(seg.text):
            t.sentences.append(len(sentences))
            sentences.append(Sentence(len(sentences), i, t.index, seg.speaker, role, text, seg.start, tokens(text)))
    return CallDoc(call=call, sentences=sentences, turns=turns)


class Pipeline:
    def __init__(self, names: Iterable[str] | None = None):
        self.names = list(names) if names is not None else list(DEFAULT_ORDER)
        _load_builtin()
        missing = [n for n in self.names if n not in ANALYZERS]
        if missing:
            raise KeyError(f"unknown analyzer(s): {', '.join(missing)}; known: {', '.join(ANALYZERS)}")

    @staticmethod
    def default_names() -> list[str]:
        return list(DEFAULT_ORDER)

    def run_doc(self, doc: CallDoc) -> CallDoc:
        for n in self.names:
            ANALYZERS[n](doc)
        return doc

    def __call__(self, call: Call) -> dict:
        return self.run_doc(make_doc(call)).report

    run = __call__


_loaded = False


def _load_builtin() -> None:
    global _loaded
    if not _loaded:
        from salescoach.analysis import (conversation, coverage, moments, objections,  # noqa: F401
                                         questions, structure)
        _loaded = True


def analyze_call(call: Call, pipeline: Pipeline | None = None) -> dict:
    """Analyse one call with the default pipeline; returns the call report (a JSON-able dict)."""
    return (pipeline or Pipeline())(call)
