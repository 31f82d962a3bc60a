"""Objections (placeholder while the detector is built)."""
from salescoach.analysis.doc import CallDoc
from salescoach.analysis.pipeline import analyzer


@analyzer("objections")
def objections(doc: CallDoc) -> None:
    doc.report["objections"] = []
