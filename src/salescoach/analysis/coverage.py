"""Coverage (placeholder while the detector is built)."""
from salescoach.analysis.doc import CallDoc
from salescoach.analysis.pipeline import analyzer

DISCOVERY_KEYS = ["problem", "root_cause", "impact", "stakeholders", "why_now", "cost_of_inaction"]
MEDDPICC_KEYS = ["metrics", "economic_buyer", "decision_criteria", "decision_process", "paper_process", "pain",
                 "champion", "competition"]


@analyzer("coverage")
def coverage(doc: CallDoc) -> None:
    doc.report["discovery_coverage"] = {k: [] for k in DISCOVERY_KEYS}
    doc.report["meddpicc"] = {k: [] for k in MEDDPICC_KEYS}
