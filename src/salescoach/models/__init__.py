"""Shipped model weights (JSON), produced by the training scripts in tools/."""
from __future__ import annotations

import json
import math
import os
from importlib import resources


def load_model(name: str, env: str) -> dict | None:
    """The model file `name` shipped in this package, or the file the environment variable `env` names
    (the training tools point it at a candidate); None when `env` is "none" or the file cannot be read."""
    path = os.environ.get(env)
    if path == "none":
        return None
    try:
        if path:
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))
    except OSError:
        return None


def logistic(m: dict, features: dict[str, float]) -> float:
    """Probability of a binary logistic model ({weights, bias}) on sparse features (name -> value)."""
    w = m["weights"]
    z = m["bias"] + sum(w.get(k, 0.0) * v for k, v in features.items())
    return 1.0 / (1.0 + math.exp(-z))
