"""Meeting / deal prep: `salescoach prep --deal ID | --account NAME [--meeting TYPE] [--icp FILE]`.

`build_prep(repo, deal=None, account=None, meeting=None, icp=None) -> dict` answers the seed's deal-prep
questions (objective, what the buyer needs to hear, our ask, the three most likely objections with an
AECR plan) and adds the strategic lenses: belief stack, ecosystem map with enhancement framing and the
guardrail reframe, ideal-customer fit, and Socratic question sets aimed at what is still unknown.
`render_prep(brief) -> str` gives the Markdown.

Where each rule lives (each module's docstring defines it; numbers, lexicons and templates are in
frameworks/prep.json):
- facts.py: the target, its calls, buyer-side evidence, the floor's objection history;
- beliefs.py: belief ratings (counting rule) and the weakest link;
- objections.py: the likely objections, AECR lines, the floor's best real handling;
- ecosystem.py: tool stack, enhancement framing, guardrail reframe, rip-and-replace check;
- icp.py: the fit profile (and --icp validation) and the axis scores;
- questions.py: the Socratic question sets;
- brief.py: meeting type, objective, need-to-hear, ask, and the assembled brief.
Every section carries a status; "unknown" comes with what data would settle it. A deal with no call
gets a brief from its CRM fields and the floor's history.
"""
from __future__ import annotations

from salescoach.prep.brief import build_prep
from salescoach.prep.render import render_prep

__all__ = ["build_prep", "render_prep"]
