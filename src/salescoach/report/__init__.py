"""Call-report contract (JSON Schema) and renderers (debrief, scorecard)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


def schema_text() -> str:
    return resources.files(__package__).joinpath("call-report.schema.json").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(schema_text())
