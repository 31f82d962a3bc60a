"""Call analysis: a pipeline of small analyzers over one CallDoc. See pipeline.py."""
from salescoach.analysis.doc import CallDoc, Sentence, Turn
from salescoach.analysis.pipeline import ANALYZERS, DEFAULT_ORDER, Pipeline, analyze_call, analyzer, make_doc

__all__ = ["CallDoc", "Sentence", "Turn", "Pipeline", "analyze_call", "analyzer", "make_doc", "ANALYZERS",
           "DEFAULT_ORDER"]
