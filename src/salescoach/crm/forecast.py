"""Forecast snapshots and forecast accuracy (`salescoach forecast snapshot | accuracy`).

Snapshot (per rep, for the period — month by default, or quarter — that contains `as_of`): every
deal open on `as_of` with a close date inside the period gets a category:
1. the CRM's forecast category when the export carries one (commit, best_case, pipeline, omitted);
2. else the evidence rules: **commit** needs all three of an economic buyer found on a call, the
   decision process found on a call, and a dated next step (a CRM next step dated on/after `as_of`,
   or a committed next step with a date on the latest call); **best_case** has two of the three, or
   is at proposal or later; everything else is **pipeline**.
Stored per rep: commit_value, best_case_value (commit + best case: what could close),
pipeline_value (all open deals in the period except omitted), closed_value (already won in the
period on `as_of`), and each deal's category with the basis for it.

Accuracy (per rep, per period that has ended on `as_of`): the rep's forecast is closed_value +
commit_value of the period's FIRST snapshot (the call made earliest; `pick="last"` for the latest);
the actual is what the rep won with a close date in the period.
- error = forecast - actual; pct_error = error / actual (null when nothing was won; then a zero
  forecast is exact and any other is a miss);
- within_10 = |pct_error| <= 10%;
- per rep: accuracy_within_10 = share of periods within 10%, mape = mean |pct_error|,
  bias = mean pct_error; over-forecaster when bias > +5%, under-forecaster when bias < -5%,
  else balanced.
"""
from __future__ import annotations

import calendar
import statistics
from datetime import date

from sqlalchemy import delete, insert, select

from salescoach.batchgc import no_gc
from salescoach.crm import parse as P
from salescoach.crm.evidence import gather
from salescoach.crm.stats import load_deals, state_on
from salescoach.store import models as m
from salescoach.store.repo import Repository

BIAS_BAND = 0.05


def period_of(d: date, kind: str = "month") -> tuple[str, date, date]:
    if kind == "quarter":
        q = (d.month - 1) // 3
        start = date(d.year, 3 * q + 1, 1)
        end_m = 3 * q + 3
        return f"{d.year}Q{q + 1}", start, date(d.year, end_m, calendar.monthrange(d.year, end_m)[1])
    if kind != "month":
        raise ValueError("period must be month or quarter")
    return f"{d.year}-{d.month:02d}", date(d.year, d.month, 1), date(d.year, d.month,
                                                                     calendar.monthrange(d.year, d.month)[1])


def categorise(d, st: str, ev, as_of: date) -> tuple[str, str]:
    """(category, basis) of one open deal (see the module doc)."""
    if d.forecast_category and d.forecast_category != "closed":
        return d.forecast_category, f"CRM forecast category {d.forecast_category}"
    if d.forecast_category == "closed":
        return "commit", "CRM says closed but the deal is open: counted as commit"
    eb = "economic_buyer" in ev.elements
    dp = "decision_process" in ev.elements
    dated = bool(d.next_step and d.next_step_date and d.next_step_date >= as_of) or \
        bool(ev.next_step and ev.next_step["committed"] and ev.next_step["has_date"])
    have = [n for n, ok in (("economic buyer", eb), ("decision process", dp), ("dated next step", dated)) if ok]
    missing = [n for n, ok in (("economic buyer", eb), ("decision process", dp), ("dated next step", dated)) if not ok]
    if not missing:
        return "commit", "evidence: economic buyer, decision process and a dated next step"
    if len(have) == 2 or P.stage_info(st)["order"] >= 4:
        return "best_case", "evidence: missing " + ", ".join(missing)
    return "pipeline", "evidence: missing " + ", ".join(missing)


def snapshot(repo: Repository, as_of: date | None = None, period: str = "month") -> list[dict]:
    """Record every rep's forecast for the period containing `as_of` (replacing a snapshot of the same
    rep, day and period). Returns the snapshots written."""
    as_of = as_of or date.today()
    label, start, end = period_of(as_of, period)
    with no_gc():
        deals = load_deals(repo)
    per_rep: dict[int, dict] = {}
    in_period = []
    for d in deals:
        if d.owner_id is None:
            continue
        st = state_on(d, as_of)
        if st is None:
            continue
        if P.is_open(st) and d.close_date and start <= d.close_date <= end:
            in_period.append((d, st))
        elif st == "won" and d.close_date and start <= d.close_date <= as_of:
            per_rep.setdefault(d.owner_id, {"closed": 0.0, "deals": []})["closed"] += d.amount or 0.0
    with repo.session() as s:
        evs = gather(s, [d for d, _ in in_period], with_segments=False)
        for d, st in in_period:
            cat, basis = categorise(d, st, evs[d.id], as_of)
            v, _ = d.value()
            per_rep.setdefault(d.owner_id, {"closed": 0.0, "deals": []})["deals"].append((d, cat, v, basis))
        names = dict(s.execute(select(m.Rep.id, m.Rep.name)).all())
        out = []
        for rid, info in sorted(per_rep.items()):
            crm_based = sum(1 for d, *_ in info["deals"] if d.forecast_category)
            method = "crm" if crm_based == len(info["deals"]) and info["deals"] else \
                "evidence" if crm_based == 0 else "mixed"
            val = lambda cats: sum(v or 0.0 for _, c, v, _ in info["deals"] if c in cats)  # noqa: E731
            row = {"rep_id": rid, "as_of": as_of, "period": label, "period_start": start, "period_end": end,
                   "commit_value": val({"commit"}), "best_case_value": val({"commit", "best_case"}),
                   "pipeline_value": val({"commit", "best_case", "pipeline"}), "closed_value": info["closed"],
                   "method": method}
            old = s.scalar(select(m.ForecastSnapshot.id).where(m.ForecastSnapshot.rep_id == rid,
                                                                m.ForecastSnapshot.as_of == as_of,
                                                                m.ForecastSnapshot.period == label))
            if old is not None:
                s.execute(delete(m.ForecastSnapshot).where(m.ForecastSnapshot.id == old))
            snap = m.ForecastSnapshot(**row)
            s.add(snap)
            s.flush()
            if info["deals"]:
                s.execute(insert(m.ForecastSnapshotDeal.__table__),
                          [{"snapshot_id": snap.id, "deal_id": d.id, "category": c, "amount": v,
                            "close_date": d.close_date, "basis": b} for d, c, v, b in info["deals"]])
            out.append({"rep": names.get(rid), **{k: (v.isoformat() if isinstance(v, date) else v)
                                                  for k, v in row.items() if k != "rep_id"},
                        "deals": len(info["deals"])})
    return out


def accuracy(repo: Repository, rep: str | None = None, as_of: date | None = None, pick: str = "first") -> dict:
    as_of = as_of or date.today()
    with repo.session() as s:
        q = select(m.ForecastSnapshot, m.Rep.name).join(m.Rep, m.Rep.id == m.ForecastSnapshot.rep_id)
        if rep:
            r = repo.find_rep(s, rep)
            if r is None:
                from salescoach.crm.review import ReviewError
                raise ReviewError(f"no rep named {rep!r} in the store")
            q = q.where(m.ForecastSnapshot.rep_id == r.id)
        snaps = s.execute(q.order_by(m.ForecastSnapshot.as_of, m.ForecastSnapshot.id)).all()
        chosen: dict[tuple, tuple] = {}
        for snap, name in snaps:
            k = (snap.rep_id, snap.period)
            if k not in chosen or pick == "last":
                chosen[k] = (snap, name)
        won: dict[tuple, float] = {}
        periods: dict[int, list] = {}
        for (rid, per), (snap, _) in chosen.items():
            periods.setdefault(rid, []).append((per, snap.period_start, snap.period_end))
        rep_ids = {k[0] for k in chosen}
        if rep_ids:
            for oid, amount, cd in s.execute(select(m.CrmDeal.owner_id, m.Deal.amount, m.CrmDeal.close_date)
                                             .join(m.Deal, m.Deal.id == m.CrmDeal.deal_id)
                                             .where(m.CrmDeal.stage == "won", m.CrmDeal.owner_id.in_(rep_ids))):
                if cd is None:
                    continue
                for per, start, end in periods.get(oid, ()):
                    if start <= cd <= end:
                        won[(oid, per)] = won.get((oid, per), 0.0) + (amount or 0.0)
    reps: dict[str, dict] = {}
    for (rid, per), (snap, name) in sorted(chosen.items(), key=lambda kv: (kv[1][1], kv[1][0].period_start)):
        forecast = snap.closed_value + snap.commit_value
        actual = won.get((rid, per), 0.0)
        done = snap.period_end < as_of
        err = forecast - actual
        pct = err / actual if actual else (0.0 if forecast == 0 else None)
        rec = {"period": per, "snapshot_as_of": snap.as_of.isoformat(), "closed_at_snapshot": snap.closed_value,
               "commit": snap.commit_value, "best_case": snap.best_case_value, "pipeline": snap.pipeline_value,
               "forecast": round(forecast, 2), "actual": round(actual, 2), "error": round(err, 2),
               "pct_error": None if pct is None else round(pct, 4),
               "within_10": None if not done else (pct is not None and abs(pct) <= 0.10),
               "best_case_covered": None if not done else actual <= snap.closed_value + snap.best_case_value,
               "complete": done, "method": snap.method}
        reps.setdefault(name, {"rep": name, "periods": []})["periods"].append(rec)
    for r in reps.values():
        done = [p for p in r["periods"] if p["complete"]]
        pcts = [p["pct_error"] for p in done if p["pct_error"] is not None]
        r["completed_periods"] = len(done)
        r["accuracy_within_10"] = round(sum(1 for p in done if p["within_10"]) / len(done), 4) if done else None
        r["mape"] = round(statistics.fmean(abs(x) for x in pcts), 4) if pcts else None
        r["bias"] = round(statistics.fmean(pcts), 4) if pcts else None
        r["misses_with_nothing_won"] = sum(1 for p in done if p["pct_error"] is None)
        b = r["bias"]
        r["tendency"] = None if b is None else "over-forecaster" if b > BIAS_BAND else \
            "under-forecaster" if b < -BIAS_BAND else "balanced"
    return {"as_of": as_of.isoformat(), "pick": pick, "reps": sorted(reps.values(), key=lambda r: r["rep"])}
