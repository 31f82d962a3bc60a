"""Coaching deliverables built on the memory bank and the CRM (issue 5).

- `coaching.context`: one rep's facts, read once from the store (calls with per-signal verdicts and
  quality measurements, discovery findings, observations, CRM deals, quota, forecast accuracy).
- `coaching.skills`, `coaching.plan`: the six-competency assessment and the rep coaching plan.
- `coaching.ramp`, `coaching.agenda`, `coaching.programme`: ramp plans, weekly 1:1 agendas, the
  coaching cadence (iCalendar), workshop topics and coaching impact.
"""
