"""Issue 5 commands (coaches): filled in by the module's owner."""
from __future__ import annotations
