"""Call structure (placeholder while the detector is built)."""
from salescoach.analysis.doc import CallDoc
from salescoach.analysis.pipeline import analyzer


@analyzer("structure")
def structure(doc: CallDoc) -> None:
    doc.report["call"]["type"] = doc.report["call"]["type"] or "other"
    doc.report["upfront_contract"] = {"present": False, "start": None}
    doc.report["first_pitch_s"] = None
    doc.report["next_step"] = {"committed": False, "start": None, "has_date": False, "has_owner": False, "text": None}
