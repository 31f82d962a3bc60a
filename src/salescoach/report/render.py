"""Markdown renderers (being written): scorecard and debrief."""
from __future__ import annotations


def render_scorecard(report: dict) -> str:
    m = report["metrics"]
    return f"# {report['call']['id']}\n\nrep talk share: {m['rep_talk_share']}\n"


def render_debrief(report: dict, rep: str | None = None) -> str:
    return render_scorecard(report)
