"""Issue 5 commands (prep): filled in by the module's owner."""
from __future__ import annotations
