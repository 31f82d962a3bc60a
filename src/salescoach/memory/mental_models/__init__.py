"""Mental models: living documents that answer the bank's two questions, versioned, with provenance.

- `discovery-playbook` (see `playbook`): which discovery questions and frameworks surface pain,
  impact and budget, and how the calls they appear in progressed.
- `coaching-themes` (see `themes`): which gaps recur across reps, which strengths are rare, and
  which logged coaching interventions measurably helped.

Versioning. Each model's inputs are hashed (playbook: the stored call ids, their deals' stage
and outcome, the settings and the embedding model; themes: reps, per-call verdicts and values,
observation ids with status and last update, interventions, settings). `refresh` writes a new
version (`mental_model_versions`: version = previous + 1, content JSON, Markdown, `based_on` =
the call / observation / intervention ids and counts it was computed from, `input_hash`,
`created_at` = generated_at) only when the hash differs from the latest version's; otherwise
it changes nothing. Consolidation calls `refresh_all` at its end; `salescoach model NAME` also
refreshes a stale model before printing (so a store built before this feature gets one).
"""
from __future__ import annotations

import warnings

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from salescoach.batchgc import no_gc
from salescoach.errors import SalescoachError
from salescoach.memory.mental_models import playbook, themes
from salescoach.store import models as m
from salescoach.store.models import utcnow
from salescoach.store.repo import Repository

MODELS = {playbook.MODEL_ID: playbook, themes.MODEL_ID: themes}

__all__ = ["MODELS", "refresh", "refresh_all", "get_version", "list_versions"]


def _iso(d) -> str | None:
    return d.isoformat(timespec="seconds") if d else None


def _floor_min_reps(cfg) -> int:
    if cfg is None:
        from salescoach.memory.config import load_config
        cfg = load_config()
    return int(cfg.o("floor_min_reps"))


def _latest(s, model_id: str) -> m.MentalModelVersion | None:
    return s.scalars(select(m.MentalModelVersion).where(m.MentalModelVersion.model_id == model_id)
                     .order_by(m.MentalModelVersion.version.desc()).limit(1)).first()


def _as_dict(v: m.MentalModelVersion, name: str | None = None) -> dict:
    return {"model": v.model_id, "name": name, "version": v.version, "generated_at": _iso(v.created_at),
            "input_hash": v.input_hash, "based_on": v.based_on, "content": v.content, "markdown": v.markdown}


def _refresh(repo: Repository, model_id: str, cfg, force: bool) -> tuple[dict, bool]:
    if model_id not in MODELS:
        raise SalescoachError(f"unknown mental model {model_id!r}; use one of {', '.join(MODELS)}")
    mod = MODELS[model_id]
    with repo.session() as s:
        if model_id == playbook.MODEL_ID:
            h, sig = playbook.input_signature(s)
        else:
            inputs = themes.load_inputs(s)
            fmr = _floor_min_reps(cfg)
            h = themes.signature(inputs, fmr)
        latest = _latest(s, model_id)
        model = s.get(m.MentalModel, model_id)
        name = model.name if model else mod.MODEL_NAME
        if latest is not None and latest.input_hash == h and not force:
            return _as_dict(latest, name), False
        if model_id == playbook.MODEL_ID:
            content, based_on = playbook.compute(s, sig, playbook.settings())
        else:
            content, based_on = themes.compute(inputs, fmr)
        if model is None:
            s.add(m.MentalModel(id=model_id, name=mod.MODEL_NAME, source_query=mod.QUERY,
                                trigger={"refresh_after_consolidation": True}))
            s.flush()
        now = utcnow()
        version = (latest.version if latest else 0) + 1
        content = dict(content, generated_at=_iso(now), version=version)
        row = m.MentalModelVersion(model_id=model_id, version=version, created_at=now, content=content,
                                   markdown=mod.render(content, version, _iso(now)), based_on=based_on,
                                   input_hash=h)
        s.add(row)
        s.flush()
        return _as_dict(row, name), True


def refresh(repo: Repository, model_id: str, cfg=None, *, force: bool = False) -> tuple[dict, bool]:
    """Bring one model up to date: (latest version as a dict, True when a new version was written).

    Runs with the cyclic garbage collector paused (`salescoach.batchgc.no_gc`): a refresh builds an object
    per stored question or verdict, and the collector re-examined them all again and again (over a third
    of the playbook's refresh time on a 100k-call store)."""
    with no_gc():
        try:
            return _refresh(repo, model_id, cfg, force)
        except IntegrityError:  # another process wrote this version (or created the model) a moment ago
            return _refresh(repo, model_id, cfg, force)


def refresh_all(repo: Repository, cfg=None) -> dict[str, bool]:
    return {mid: refresh(repo, mid, cfg)[1] for mid in MODELS}


def refresh_after_consolidation(repo: Repository, cfg=None) -> dict[str, bool]:
    """Consolidation's hook: refresh both models; a failure here warns and never undoes consolidation."""
    try:
        return refresh_all(repo, cfg)
    except Exception as e:  # noqa: BLE001 - the observations are already committed
        warnings.warn(f"mental models not refreshed: {type(e).__name__}: {e}", RuntimeWarning, stacklevel=2)
        return {}


def get_version(repo: Repository, model_id: str, version: int | None = None) -> dict | None:
    """A stored version (default: the latest) as a dict, or None."""
    if model_id not in MODELS:
        raise SalescoachError(f"unknown mental model {model_id!r}; use one of {', '.join(MODELS)}")
    with repo.session() as s:
        q = select(m.MentalModelVersion).where(m.MentalModelVersion.model_id == model_id)
        if version is None:
            v = _latest(s, model_id)
        else:
            v = s.scalars(q.where(m.MentalModelVersion.version == version)).first()
        if v is None:
            return None
        model = s.get(m.MentalModel, model_id)
        return _as_dict(v, model.name if model else MODELS[model_id].MODEL_NAME)


def list_versions(repo: Repository, model_id: str) -> list[dict]:
    with repo.session() as s:
        rows = s.execute(select(m.MentalModelVersion.version, m.MentalModelVersion.created_at,
                                m.MentalModelVersion.input_hash)
                         .where(m.MentalModelVersion.model_id == model_id)
                         .order_by(m.MentalModelVersion.version)).all()
        return [{"version": v, "generated_at": _iso(c), "input_hash": h} for v, c, h in rows]


def version_count(repo: Repository, model_id: str) -> int:
    with repo.session() as s:
        return s.scalar(select(func.count()).select_from(m.MentalModelVersion)
                        .where(m.MentalModelVersion.model_id == model_id)) or 0
