"""Moments (placeholder while the detector is built)."""
from salescoach.analysis.doc import CallDoc
from salescoach.analysis.pipeline import analyzer


@analyzer("moments")
def moments(doc: CallDoc) -> None:
    doc.report["moments"] = []
