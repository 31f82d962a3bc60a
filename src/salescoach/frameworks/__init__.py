"""Framework data (lexicons, cue phrases, patterns) kept apart from the code that uses them.

Each framework is a JSON file in this folder. Users extend them without forking, like Gong's
trackers: put a JSON file of the same name in a folder named by `SALESCOACH_FRAMEWORKS`; its
lists are appended to ours and its other values replace ours, key by key.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for k, v in extra.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return base + [x for x in extra if x not in base]
    return extra


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """The framework `name` (file `name.json`), with the user's extensions merged in."""
    data = json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8"))
    user_dir = os.environ.get("SALESCOACH_FRAMEWORKS")
    if user_dir:
        p = Path(user_dir) / f"{name}.json"
        if p.is_file():
            try:
                data = _merge(data, json.loads(p.read_text(encoding="utf-8")))
            except json.JSONDecodeError as e:
                raise ValueError(f"{p}:{e.lineno}: invalid JSON in framework extension: {e.msg}") from None
    return data
