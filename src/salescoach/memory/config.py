"""The memory bank's settings: signal thresholds and observation promotion rules.

One place per threshold. Defaults come from two framework files:
- `frameworks/coaching.json` "thresholds" (shared with the debrief's moments): talk share,
  monologue, implication, situation-overload and AECR thresholds;
- `frameworks/signals.json` "thresholds" (the rest) and "observations" (promotion rules).

Defaults (see the signal docstrings in `memory.signals` for what each one judges):

| setting | default | meaning |
| --- | --- | --- |
| talk_share_strength | 0.45 | talk_ratio strength at or under this rep share (top reps ~43%) |
| talk_share_gap | 0.55 | talk_ratio gap above this rep share (the 60/40 rule, with a margin) |
| monologue_strength_s | 60 | monologues strength when the longest rep monologue is at most this |
| monologue_gap_s | 90 | monologues gap when the longest rep monologue exceeds this |
| implication_strength | 3 | implication_questions strength at this many or more in a call |
| implication_gap_below | 2 | implication_questions gap below this many on a discovery call |
| situation_overload_count | 5 | situation_overload gap needs at least this many situation questions ... |
| situation_overload_share | 0.4 | ... making up at least this share of the rep's business questions (situation, problem, implication, need-payoff) |
| situation_ok_max / situation_ok_min_questions | 3 / 5 | strength on discovery calls with >= 5 business questions of which <= 3 situation |
| aecr_strength_steps | 3 | objection_handling strength when responses average >= this many AECR steps |
| aecr_gap_steps | 1 | objection_handling gap when they average <= this many |
| early_pitch_fraction | 0.5 | early_pitch gap when the first pitch comes before this fraction of a discovery call |
| need_payoff_strength_min | 1 | need_payoff_questions strength at this many; gap at zero on discovery calls |
| pain_funnel_strength_level | 3 | pain_funnel strength when a rep question reaches this Sandler level |
| pain_funnel_gap_max_level | 1 | pain_funnel gap on discovery calls whose deepest question is at most this level |
| question_count_strength | 10 | question_count strength at this many business questions on a discovery call |
| question_count_gap_below | 5 | question_count gap below this many on a discovery call |
| coverage_strength_min | 5 | discovery_coverage strength at this many of the six must-knows |
| coverage_gap_max | 3 | discovery_coverage gap at this many or fewer |
| observations.min_calls | 2 | a rep observation needs the same polarity in at least this many calls ... |
| observations.min_share | 0.6 | ... and in at least this share of the rep's calls where the signal applies |
| observations.floor_min_reps | 2 | a floor observation needs this many reps with the same rep observation |
| observations.window_calls | 0 | judge only the rep's N most recent applicable calls (0 = all of them) |
| observations.max_evidence | 5 | evidence quotes kept per observation (most recent first) |

Override with a TOML or JSON file (`--config FILE`, else `$SALESCOACH_CONFIG`, else
`./salescoach.toml` when present):

    [thresholds]
    talk_share_strength = 0.43
    [observations]
    min_share = 0.66
"""
from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from salescoach.errors import SalescoachError
from salescoach.frameworks import load

CONFIG_ENV = "SALESCOACH_CONFIG"
DEFAULT_CONFIG_FILE = "salescoach.toml"


@dataclass
class MemoryConfig:
    thresholds: dict = field(default_factory=dict)
    observations: dict = field(default_factory=dict)
    statements: dict = field(default_factory=dict)
    note_keywords: dict = field(default_factory=dict)
    source: str | None = None  # the override file, if any

    def t(self, name: str):
        return self.thresholds[name]

    def o(self, name: str):
        return self.observations[name]


def _read_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SalescoachError(f"{path}: cannot read the config file: {e.strerror}") from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return tomllib.loads(text)
    except json.JSONDecodeError as e:
        raise SalescoachError(f"{path}:{e.lineno}: invalid JSON: {e.msg}") from None
    except tomllib.TOMLDecodeError as e:
        raise SalescoachError(f"{path}: invalid TOML: {e}") from None


def load_config(path: str | os.PathLike | None = None) -> MemoryConfig:
    """Defaults merged with the override file (`path`, $SALESCOACH_CONFIG or ./salescoach.toml)."""
    sig = load("signals")
    cfg = MemoryConfig(thresholds={**load("coaching")["thresholds"], **sig["thresholds"]},
                       observations=dict(sig["observations"]), statements=sig["statements"],
                       note_keywords=sig["note_keywords"])
    p = path or os.environ.get(CONFIG_ENV)
    if not p and Path(DEFAULT_CONFIG_FILE).is_file():
        p = DEFAULT_CONFIG_FILE
    if p:
        data = _read_file(Path(p))
        for section in ("thresholds", "observations"):
            extra = data.get(section) or {}
            target = getattr(cfg, section)
            unknown = sorted(set(extra) - set(target))
            if unknown:
                raise SalescoachError(f"{p}: unknown {section} setting(s): {', '.join(unknown)}; "
                                      f"known: {', '.join(sorted(target))}")
            target.update(extra)
        cfg.source = str(p)
    return cfg
