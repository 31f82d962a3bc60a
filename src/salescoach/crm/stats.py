"""Pipeline figures per group (`salescoach pipeline stats`).

Definitions (per group of deals; a deal's state is taken on `as_of` when given, see `state_on`):
- won / lost / open: how many deals are closed won, closed lost, still open.
- win_rate = won / (won + lost); null when nothing closed.
- won_value: the sum of won deals' amounts; avg_won_value = won_value / won.
- median_cycle_days: the median of (close date - engage date) in days over won deals that carry both
  (engage date = the CRM's engage date, else its created date).
- open_value: open deals at their amount; where the amount is unknown, at the product's list price
  (`open_value_estimated` counts those deals, so the figure says it is partly an estimate);
  `open_unvalued` counts open deals with neither.
- stage_conversion: for each open stage in pipeline order, how many deals reached it (every deal
  reached the first stage; a deal reached every stage up to the furthest one its stage history
  shows; a won deal reached them all) and the share of those that went on to the next stage, the
  last one to "won".
Groups: rep (deal owner), manager, region (the owner's), product (the catalogue's name, so "GTXPro"
counts as "GTX Pro"), sector (the account's, spelling fixed; "(no account)" when the deal has none).

`as_of`: a deal's stage on that day is its last stage change dated on or before it (undated entries
count as before everything); deals created after it, or whose history starts after it, are left out.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from salescoach.batchgc import no_gc
from salescoach.crm import parse as P
from salescoach.store import models as m
from salescoach.store.repo import Repository

GROUPS = ("rep", "manager", "region", "product", "sector")
NONE_LABEL = {"rep": "(no owner)", "manager": "(no manager)", "region": "(no region)", "product": "(no product)",
              "sector": "(no account)"}


@dataclass(slots=True)
class DealRow:
    id: int
    external_id: str
    name: str | None
    account_id: int | None
    account: str | None
    owner_id: int | None
    owner: str | None
    manager: str | None
    region: str | None
    product: str | None
    list_price: float | None
    sector: str | None
    stage: str
    stage_raw: str | None
    amount: float | None
    currency: str | None
    probability: float | None
    forecast_category: str | None
    next_step: str | None
    next_step_date: date | None
    created_date: date | None
    engage_date: date | None
    close_date: date | None
    last_activity: date | None
    stage_changed_at: date | None
    loss_reason: str | None
    history: list = field(default_factory=list)  # [(changed_at, from, to)] oldest first

    @property
    def start(self) -> date | None:
        return self.engage_date or self.created_date

    def value(self) -> tuple[float | None, bool]:
        """(amount, estimated): the amount, else the product's list price (estimated=True)."""
        if self.amount is not None:
            return self.amount, False
        if self.list_price is not None:
            return self.list_price, True
        return None, False


def load_deals(repo: Repository, owner_ids: list[int] | None = None, with_history: bool = True) -> list[DealRow]:
    """Every CRM deal (of these owners) joined with owner, manager, region, product, account."""
    D, C = m.Deal, m.CrmDeal
    with repo.session() as s:
        reps = dict(s.execute(select(m.Rep.id, m.Rep.name)).all())
        mgrs = dict(s.execute(select(m.Manager.id, m.Manager.name)).all())
        rep_info = {r: (mgrs.get(g), reg) for r, g, reg in s.execute(select(m.CrmRep.rep_id, m.CrmRep.manager_id,
                                                                             m.CrmRep.region))}
        prods = {i: (n, p) for i, n, p in s.execute(select(m.CrmProduct.id, m.CrmProduct.name,
                                                            m.CrmProduct.list_price))}
        accs = dict(s.execute(select(m.Account.id, m.Account.name)).all())
        sectors = dict(s.execute(select(m.CrmAccount.account_id, m.CrmAccount.sector)).all())
        q = select(D.id, D.external_id, D.name, D.account_id, D.amount, C.owner_id, C.product_id, C.stage, C.stage_raw,
                   C.currency, C.probability, C.forecast_category, C.next_step, C.next_step_date, C.created_date,
                   C.engage_date, C.close_date, C.last_activity, C.stage_changed_at, C.loss_reason) \
            .join(C, C.deal_id == D.id)
        if owner_ids is not None:
            q = q.where(C.owner_id.in_(owner_ids))
        out: list[DealRow] = []
        conn = s.connection()  # Core rows: no ORM bookkeeping for up to millions of deals
        none2 = (None, None)
        for (did, ext, name, acc, amount, oid, pid, stage, raw, cur, prob, cat, nstep, ndate, cdate, edate, close,
             last, changed, loss) in conn.execute(q).all():
            mgr, reg = rep_info.get(oid, none2)
            pname, price = prods.get(pid, none2)
            out.append(DealRow(did, ext, name, acc, accs.get(acc), oid, reps.get(oid), mgr, reg, pname, price,
                               sectors.get(acc), stage, raw, amount, cur, prob, cat, nstep, ndate, cdate, edate, close,
                               last, changed, loss, []))
        if with_history and out:
            by_id = {d.id: d.history for d in out}
            H = m.CrmStageChange
            q = select(H.deal_id, H.changed_at, H.from_stage, H.to_stage).order_by(H.deal_id, H.id)
            if owner_ids is not None:
                q = q.join(C, C.deal_id == H.deal_id).where(C.owner_id.in_(owner_ids))
            for did, when, a, b in conn.execute(q).all():
                h = by_id.get(did)
                if h is not None:
                    h.append((when, a, b))
    return out


def state_on(d: DealRow, as_of: date | None) -> str | None:
    """The deal's stage on `as_of` (None: the deal did not exist yet). Without as_of: its stage now."""
    if as_of is None:
        return d.stage
    if d.created_date and d.created_date > as_of:
        return None
    if not d.history:
        return d.stage if (d.start is None or d.start <= as_of) else None
    st = None
    for when, _, to in d.history:
        if when is None or when <= as_of:
            st = to
    return st


def _reached(d: DealRow, st: str, as_of: date | None) -> int:
    """The furthest open-stage order the deal reached (won: all of them)."""
    if st == "won":
        return 99
    orders = P.stage_orders()
    best = orders.get(st, 0) if st != "lost" else 0
    for when, _, to in d.history:
        if to != "won" and to != "lost" and (as_of is None or when is None or when <= as_of):
            o = orders.get(to, 0)
            if o > best:
                best = o
    return best


def _group_key(d: DealRow, by: str) -> str:
    v = {"rep": d.owner, "manager": d.manager, "region": d.region, "product": d.product, "sector": d.sector}[by]
    return v if v else NONE_LABEL[by]


def _round(x: float | None, n: int = 2):
    return None if x is None else round(x, n)


def reached_map(live: list[tuple[DealRow, str]], as_of: date | None) -> dict[int, int]:
    """{deal id: furthest stage order reached} for deals with their stage on as_of."""
    return {d.id: _reached(d, st, as_of) for d, st in live}


def figures(deals: list[tuple[DealRow, str]], ladder: list[str], as_of: date | None,
            reached_by_id: dict[int, int] | None = None) -> dict:
    won = [d for d, st in deals if st == "won"]
    lost = sum(1 for _, st in deals if st == "lost")
    open_ = [d for d, st in deals if P.is_open(st)]
    won_value = sum(d.amount or 0.0 for d in won)
    cycles = [(d.close_date - d.start).days for d in won if d.close_date and d.start]
    ov, est, unval = 0.0, 0, 0
    for d in open_:
        v, e = d.value()
        if v is None:
            unval += 1
        else:
            ov += v
            est += e
    closed = len(won) + lost
    if reached_by_id is None:
        reached = [_reached(d, st, as_of) for d, st in deals]
    else:
        reached = [reached_by_id[d.id] for d, _ in deals]
    conv = []
    orders = [P.stage_orders().get(s, 0) for s in ladder]
    counts = [sum(1 for r in reached if r >= o) for o in orders]
    if counts:
        counts[0] = len(deals)  # every deal entered the pipeline at its first stage
    for i, s in enumerate(ladder):
        n = counts[i]
        nxt = counts[i + 1] if i + 1 < len(ladder) else len(won)
        conv.append({"stage": s, "reached": n, "next": ladder[i + 1] if i + 1 < len(ladder) else "won",
                     "conversion": _round(nxt / n, 4) if n else None})
    return {"deals": len(deals), "won": len(won), "lost": lost, "open": len(open_),
            "win_rate": _round(len(won) / closed, 4) if closed else None,
            "won_value": _round(won_value), "avg_won_value": _round(won_value / len(won)) if won else None,
            "median_cycle_days": statistics.median(cycles) if cycles else None,
            "open_value": _round(ov), "open_value_estimated": est, "open_unvalued": unval,
            "stage_conversion": conv}


def ladder_of(deals: list[DealRow]) -> list[str]:
    """The open stages this data uses, in pipeline order."""
    seen = {d.stage for d in deals if P.is_open(d.stage)} | {to for d in deals for _, _, to in d.history
                                                            if P.is_open(to)}
    return sorted(seen, key=lambda s: P.stage_info(s)["order"])


def pipeline_stats(repo: Repository, by: str = "rep", as_of: date | None = None,
                   deals: list[DealRow] | None = None) -> dict:
    if by not in GROUPS:
        raise ValueError(f"--by must be one of {', '.join(GROUPS)}")
    with no_gc():
        return _pipeline_stats(repo, by, as_of, deals)


def _pipeline_stats(repo, by, as_of, deals) -> dict:
    deals = load_deals(repo) if deals is None else deals
    ladder = ladder_of(deals)
    live = [(d, st) for d in deals if (st := state_on(d, as_of)) is not None]
    groups: dict[str, list] = {}
    for d, st in live:
        groups.setdefault(_group_key(d, by), []).append((d, st))
    currencies = sorted({d.currency for d, _ in live if d.currency})
    rm = reached_map(live, as_of)
    return {"by": by, "as_of": as_of.isoformat() if as_of else None, "stages": ladder,
            "currencies": currencies,
            "groups": [{"group": k, **figures(v, ladder, as_of, rm)} for k, v in sorted(groups.items())],
            "total": figures(live, ladder, as_of, rm)}


def current_quota(quotas: list[dict], day: date) -> dict | None:
    """The quota that applies on `day`, of quotas given as {period, start, end, amount}: the shortest period
    containing the day (a month before a quarter before a year; equal lengths: the later start), else None.
    The one rule behind pipeline coverage in the review, the coaching plan and the ramp plan."""
    cur = [q for q in quotas if q["start"] <= day <= q["end"]]
    return min(cur, key=lambda q: (q["end"] - q["start"], -q["start"].toordinal())) if cur else None
