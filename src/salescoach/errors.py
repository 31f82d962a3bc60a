"""Errors that tell the user what happened, where, and what to do."""
from __future__ import annotations


class SalescoachError(Exception):
    """Base class for every error salescoach raises on purpose."""


class TranscriptError(SalescoachError):
    """A transcript could not be read. Carries the file and (when known) the 1-based line."""

    def __init__(self, path: str, message: str, line: int | None = None, hint: str | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        self.hint = hint
        where = f"{self.path}:{line}" if line else self.path
        text = f"{where}: {message}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)
