"""Questions (baseline: sentences ending with '?'). Being replaced by the full detector."""
from __future__ import annotations

from salescoach.analysis.doc import REP, CallDoc
from salescoach.analysis.pipeline import analyzer


@analyzer("questions")
def questions(doc: CallDoc) -> None:
    out = []
    for s in doc.sentences:
        if s.text.rstrip().endswith("?"):
            out.append({"start": s.start, "speaker": s.speaker, "role": s.role, "text": s.text, "form": "closed",
                        "spin": "other" if s.role == REP else None, "sandler_level": None, "socratic": None})
    doc.report["questions"] = out
    m = doc.report["metrics"]
    m["rep_questions"] = sum(q["role"] == REP for q in out)
    dur = doc.call.duration_s
    m["questions_per_hour"] = round(m["rep_questions"] / (dur / 3600), 1) if dur else None
