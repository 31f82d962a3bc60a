"""Coach networks (Miller Heiman Strategic Selling): who on an account wants us to win, has standing
with the buying influences and guides us — rated from what each person said on the calls, with the
CRM's contact roles. See `coaches.network` for every rule and frameworks/coaches.json for the
vocabulary; contact roles are imported by `salescoach.crm.contacts`.
"""
from __future__ import annotations

from salescoach.coaches.network import network
from salescoach.coaches.render import render_md

__all__ = ["network", "render_md"]
