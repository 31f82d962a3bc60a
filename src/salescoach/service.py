"""The service layer: the one API every shell (CLI, web, API, MCP) calls.

    from salescoach.service import analyze_paths
    for result in analyze_paths(["examples/calls"], reps=["Lena Ruiz"]):
        print(result.path, result.report["metrics"] if result.ok else result.error)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from salescoach.analysis import Pipeline
from salescoach.batchgc import batch_gc, settle
from salescoach.errors import SalescoachError, TranscriptError
from salescoach.transcript import TRANSCRIPT_SUFFIXES, load_call
from salescoach.transcript.jsonfmt import json_kind_of_text

CALL_TYPES = ("discovery", "demo", "negotiation", "other")


@dataclass
class AnalysisResult:
    path: str
    report: dict | None = None
    error: SalescoachError | None = None
    skipped: str | None = None  # reason a file found in a folder was not a transcript

    @property
    def ok(self) -> bool:
        return self.report is not None


def _is_transcript_json(p: Path) -> bool:
    try:
        kind = json_kind_of_text(p.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return True  # let the reader report the real problem
    return kind is not None  # a transcript shape, or not JSON at all (the reader will say so)


def expand_paths(paths: Iterable[str]) -> Iterator[tuple[str, str | None]]:
    """Files as given; folders -> their transcript files (sorted, recursive).

    Yields (path, skip_reason). Inside a folder, JSON files that are not transcripts (labels,
    rosters, configs) are skipped with a reason rather than reported as broken.
    """
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(x for x in p.rglob("*") if x.is_file() and x.suffix.lower() in TRANSCRIPT_SUFFIXES):
                if f.suffix.lower() == ".json" and not _is_transcript_json(f):
                    yield str(f), "not a transcript (JSON of another shape)"
                else:
                    yield str(f), None
        else:
            yield raw, None


def analyze_paths(paths: Iterable[str], *, reps: list[str] | None = None, fmt: str | None = None,
                  call_type: str | None = None, pipeline: Pipeline | None = None) -> Iterator[AnalysisResult]:
    """Analyse every transcript under `paths`; one bad file never stops the others."""
    if call_type and call_type not in CALL_TYPES:
        raise SalescoachError(f"unknown call type {call_type!r}; use one of {', '.join(CALL_TYPES)}")
    pipe = pipeline or Pipeline()
    settled = False
    with batch_gc():
        for path, skip in expand_paths(paths):
            if skip:
                yield AnalysisResult(path, skipped=skip)
                continue
            try:
                call = load_call(path, reps=reps, fmt=fmt, call_type=call_type)
                report = pipe(call)
            except TranscriptError as e:
                yield AnalysisResult(path, error=e)
                continue
            if not settled:  # the pipeline's lexicons and models are loaded now (batchgc)
                settle()
                settled = True
            yield AnalysisResult(path, report=report)


def analyze_file(path: str, *, reps: list[str] | None = None, fmt: str | None = None,
                 call_type: str | None = None) -> dict:
    """One transcript -> its call report. Raises TranscriptError on bad input."""
    return Pipeline()(load_call(path, reps=reps, fmt=fmt, call_type=call_type))
