"""salescoach: explainable, private sales-call coaching.

Public API (everything the CLI does is importable)::

    from salescoach import load_call, analyze_call
    call = load_call("examples/calls/acme-discovery.vtt", reps=["Lena Ruiz"])
    report = analyze_call(call)          # dict following schema/call-report.schema.json
"""
from salescoach.errors import SalescoachError, TranscriptError
from salescoach.transcript import Call, Segment, load_call
from salescoach.analysis import analyze_call, Pipeline

__version__ = "0.1.0"
__all__ = ["Call", "Segment", "load_call", "analyze_call", "Pipeline", "SalescoachError", "TranscriptError", "__version__"]
