"""Ideal-customer fit: score the account against a profile (default frameworks/prep.json `icp`; `--icp FILE`
JSON or YAML of the same shape overrides it: top-level keys replace ours, and inside `axes` each axis's
keys replace that axis's keys).

Axis rules (evidence: buyer speech in the calls, the ecosystem map, CRM account fields and contacts):
- multi_axis_complexity: cue groups (products, personas, territories) matched in buyer speech;
  strong when at least `strong_min` groups match, partial with one, unvalidated with none.
- volume: CRM employees / revenue (revenue as stored: the data set's accounts.csv gives millions).
  Strong when either reaches `strong`; partial when either reaches `partial`, or the buyer put a number
  on the activity (a number followed by one of `units`); weak when the CRM figures are below `partial`
  and no buyer volume quote; unvalidated when neither CRM figures nor a quote exist.
- adjacent_tools: confirmed tool categories of the ecosystem map; strong >= `strong_min`,
  partial >= `partial_min`, else unvalidated.
- pain_scales: a growth cue in buyer speech while the calls also show pain / problem evidence -> strong;
  only one of the two -> partial; neither -> unvalidated.
- executive_visibility: economic-buyer evidence, an executive cue in buyer speech, or a CRM contact whose
  title has an executive cue; economic buyer plus one of the others -> strong; any one -> partial;
  none -> unvalidated.
Points: strong 2, partial 1, weak 0, unvalidated 0. Total = sum(weight x points) / sum(weight x 2);
band top_fit / good_fit / stretch by `bands`, "unknown" when every axis is unvalidated.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from salescoach.errors import SalescoachError
from salescoach.frameworks import load
from salescoach.prep.facts import Facts, buyer_segments
from salescoach.prep.text import compile_terms

AXES = ("multi_axis_complexity", "volume", "adjacent_tools", "pain_scales", "executive_visibility")
POINTS = {"strong": 2, "partial": 1, "weak": 0, "unvalidated": 0}
_AXIS_KEYS = {
    "multi_axis_complexity": {"label": str, "weight": (int, float), "strong_min": int, "cues": dict},
    "volume": {"label": str, "weight": (int, float), "strong": dict, "partial": dict, "units": list},
    "adjacent_tools": {"label": str, "weight": (int, float), "strong_min": int, "partial_min": int},
    "pain_scales": {"label": str, "weight": (int, float), "cues": list},
    "executive_visibility": {"label": str, "weight": (int, float), "cues": list, "case_sensitive_cues": list},
}


def load_profile(path: str | None) -> dict:
    """The default profile, overridden by the file at `path` (validated; SalescoachError names the problem)."""
    base = copy.deepcopy(load("prep")["icp"])
    if not path:
        return base
    p = Path(path)
    if not p.is_file():
        raise SalescoachError(f"--icp {path}: no such file (give a JSON or YAML ideal-customer profile)")
    text = p.read_text(encoding="utf-8")
    if not text.strip():
        raise SalescoachError(f"--icp {path}: the file is empty (expected a profile with an 'axes' mapping)")
    try:
        if p.suffix.lower() in (".yaml", ".yml"):
            import yaml
            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SalescoachError(f"--icp {path}:{e.lineno}: invalid JSON: {e.msg}") from None
    except Exception as e:  # yaml.YAMLError
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise SalescoachError(f"--icp {path}{where}: invalid YAML: {getattr(e, 'problem', None) or e}") from None
    errors = _validate(data)
    if errors:
        raise SalescoachError(f"--icp {path}: " + "; ".join(errors) + " (see the 'icp' section of "
                              "frameworks/prep.json for the expected shape)")
    for k, v in data.items():
        if k == "axes":
            for ax, spec in v.items():
                base["axes"].setdefault(ax, {}).update(spec)
        else:
            base[k] = v
    base["source"] = str(path)
    return base


def _validate(data) -> list[str]:
    if not isinstance(data, dict):
        return [f"expected a mapping at the top level, got {type(data).__name__}"]
    errs = []
    for k in data:
        if k not in ("name", "axes", "bands", "_doc"):
            errs.append(f"unknown key {k!r} (allowed: name, axes, bands)")
    bands = data.get("bands", {})
    if not isinstance(bands, dict) or any(k not in ("top_fit", "good_fit") or not isinstance(v, (int, float))
                                          or not 0 <= v <= 1 for k, v in bands.items()):
        errs.append("bands must map top_fit / good_fit to numbers between 0 and 1")
    axes = data.get("axes", {})
    if not isinstance(axes, dict):
        return errs + ["axes must be a mapping of axis name to settings"]
    for ax, spec in axes.items():
        if ax not in _AXIS_KEYS:
            errs.append(f"unknown axis {ax!r} (axes: {', '.join(AXES)})")
            continue
        if not isinstance(spec, dict):
            errs.append(f"axes.{ax} must be a mapping")
            continue
        for k, v in spec.items():
            typ = _AXIS_KEYS[ax].get(k)
            if typ is None:
                errs.append(f"axes.{ax}: unknown setting {k!r} (allowed: {', '.join(_AXIS_KEYS[ax])})")
            elif isinstance(v, bool) or not isinstance(v, typ):
                errs.append(f"axes.{ax}.{k}: expected {getattr(typ, '__name__', 'a number')}, got {v!r}")
            elif k == "weight" and v < 0:
                errs.append(f"axes.{ax}.weight must not be negative")
            elif k in ("strong", "partial") and any(kk not in ("employees", "revenue") or isinstance(vv, bool)
                                                    or not isinstance(vv, (int, float)) for kk, vv in v.items()):
                errs.append(f"axes.{ax}.{k}: map employees / revenue to numbers")
            elif k in ("cues", "units", "case_sensitive_cues"):
                groups = v.values() if isinstance(v, dict) else [v]
                for g in groups:
                    if not isinstance(g, list) or not all(isinstance(x, str) for x in g):
                        errs.append(f"axes.{ax}.{k}: expected lists of strings")
                        break
                    for x in g:
                        try:
                            re.compile(x)
                        except re.error as e:
                            errs.append(f"axes.{ax}.{k}: bad pattern {x!r}: {e}")
    return errs


def _first_match(f: Facts, rx) -> dict | None:
    for c, idx, sp, st, text in buyer_segments(f):
        mt = rx.search(text)
        if mt:
            return {**c.ref(st, text[:240], sp, "buyer"), "matched": mt.group(0)}
    return None


def score_icp(f: Facts, profile: dict, tools: list[dict]) -> dict:
    axes = profile["axes"]
    out = {}
    # multi-axis complexity
    a = axes["multi_axis_complexity"]
    ev = []
    for group, pats in a["cues"].items():
        hit = _first_match(f, compile_terms(pats)) if pats else None
        if hit:
            ev.append({"group": group, **hit})
    n = len(ev)
    out["multi_axis_complexity"] = (("strong" if n >= a["strong_min"] else "partial" if n else "unvalidated"), ev,
                                    f"{n} of {len(a['cues'])} complexity dimensions mentioned by the buyer")
    # volume
    a = axes["volume"]
    ev, crm = [], f.crm_account or {}
    level = None
    for fld in ("employees", "revenue"):
        v = crm.get(fld)
        if v is None:
            continue
        ev.append({"crm": f"crm_accounts.{fld}", "value": v})
        lv = "strong" if v >= a["strong"].get(fld, float("inf")) else \
            "partial" if v >= a["partial"].get(fld, float("inf")) else "weak"
        level = lv if level is None or POINTS[lv] > POINTS[level] else level
    units = "|".join(a["units"])
    num = r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|" \
          r"fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|dozens?)"
    q = _first_match(f, re.compile(rf"\b{num}(?:[ -]\w+)?\s+(?:{units})\b", re.I)) if units else None
    if q:
        ev.append(q)
        level = "partial" if level in (None, "weak") else level
    out["volume"] = (level or "unvalidated", ev, "CRM size fields and the buyer's own volume figures")
    # adjacent tools
    a = axes["adjacent_tools"]
    cats = sorted({t["category"] for t in tools if t["status"] == "confirmed"})
    ev = [t["buyer_quote"] | {"tool": t["tool"], "category": t["category"]}
          for t in tools if t["status"] == "confirmed"]
    out["adjacent_tools"] = (("strong" if len(cats) >= a["strong_min"] else "partial" if len(cats) >= a["partial_min"]
                              else "unvalidated"), ev, f"{len(cats)} tool categories confirmed by the buyer")
    # pain that scales
    a = axes["pain_scales"]
    grow = _first_match(f, compile_terms(a["cues"])) if a["cues"] else None
    pain = f.pain_item
    ev = [x for x in (grow, pain) if x]
    lv = "strong" if grow and pain else "partial" if grow or pain else "unvalidated"
    out["pain_scales"] = (lv, ev, "a growth cue in buyer speech and stated pain")
    # executive visibility
    a = axes["executive_visibility"]
    cs = set(a.get("case_sensitive_cues", []))
    rx_ci, rx_cs = compile_terms([c for c in a["cues"] if c not in cs]), compile_terms(sorted(cs), True)
    eb = (f.elements.get("economic_buyer") or [None])[0]
    said = next((h for h in (_first_match(f, r) for r in (rx_cs, rx_ci) if r) if h), None)
    titled = next(({"crm": "contacts.title", "value": f"{c['name']}: {c['title']}"} for c in f.contacts
                   if c.get("title") and any(r and r.search(c["title"]) for r in (rx_cs, rx_ci))), None)
    ev = [x for x in (eb, said, titled) if x]
    lv = "strong" if eb and (said or titled) else "partial" if ev else "unvalidated"
    out["executive_visibility"] = (lv, ev, "economic buyer evidence, executives mentioned, executive contacts")

    axes_out, num_, den = [], 0.0, 0.0
    for ax in AXES:
        lv, ev, basis = out[ax]
        ev = _dedupe(ev)
        w = float(axes[ax].get("weight", 1.0))
        num_ += w * POINTS[lv]
        den += w * 2
        item = {"axis": ax, "label": axes[ax].get("label", ax), "score": lv, "weight": w, "basis": basis,
                "evidence": ev}
        if lv == "unvalidated":
            item["settle"] = _SETTLE[ax]
        axes_out.append(item)
    total = round(num_ / den, 3) if den else 0.0
    b = profile.get("bands", {})
    every_unknown = all(x["score"] == "unvalidated" for x in axes_out)
    band = "unknown" if every_unknown else "top_fit" if total >= b.get("top_fit", 0.7) else \
        "good_fit" if total >= b.get("good_fit", 0.45) else "stretch"
    return {"status": "unknown" if every_unknown else "scored", "profile": profile.get("name", "default"),
            "profile_source": profile.get("source", "frameworks/prep.json"), "axes": axes_out, "score": total,
            "band": band, "strong": [x["axis"] for x in axes_out if x["score"] == "strong"],
            "unvalidated": [x["axis"] for x in axes_out if x["score"] == "unvalidated"],
            **({"settle": "no call or CRM account field speaks to any fit criterion yet"} if every_unknown else {})}


def _dedupe(ev: list[dict]) -> list[dict]:
    seen, out = set(), []
    for e in ev:
        k = (e.get("call"), e.get("start"), e.get("quote"), e.get("crm"), e.get("group"), e.get("tool"))
        if k not in seen:
            seen.add(k)
            out.append(e)
    return out


_SETTLE = {
    "multi_axis_complexity": "ask how many products, customer types and regions the process spans",
    "volume": "import the account's size (employees, revenue) or ask how many times a week the activity happens",
    "adjacent_tools": "ask which systems the team already uses for this work",
    "pain_scales": "ask what happens to the problem as the business grows",
    "executive_visibility": "find out which executive owns this problem and whether they have asked about it",
}
