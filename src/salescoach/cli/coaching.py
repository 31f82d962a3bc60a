"""Issue 5 commands (coaching): filled in by the module's owner."""
from __future__ import annotations
