"""Garbage-collector settings for batch work: one home for the two ways the project tunes the collector.

CPython's cyclic collector re-examines every live container object each time enough new ones have
piled up. Work that builds or keeps very many objects pays for that again and again, for nothing:
the objects here hold no reference cycles (or few), and reference counting frees them.

- `no_gc()`: the collector paused for a bounded step that builds many small objects at once (loading
  every deal, every stored verdict or playbook question); cycles made meanwhile are collected after.
  Used by the CRM import, pipeline review and forecast, consolidation and the mental-model refreshes.
- `batch_gc()`: for a batch of any length (ingest, `analyze`), where pausing the collector would let
  cycles pile up without bound. Analysing a call allocates many short-lived objects, nearly all freed
  at once by reference counting, while the lexicons, compiled patterns and model weights loaded on
  first use live as long as the process; with the default settings about a tenth of an analysis
  worker's CPU went to collections that freed nothing. For the length of the batch the youngest
  generation is collected after 10,000 net allocations instead of 700 (the older generations keep
  their default ratios), and once the pipeline is loaded `settle()` moves every object that exists
  then into the collector's permanent generation (`gc.freeze`), so later collections skip it; worker
  processes forked after that inherit it (and share those pages with the parent instead of copying
  them). Cycles are still collected, only less often. The previous settings come back when the
  batch ends.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

GEN0_THRESHOLD = 10_000


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bounded step (see the module docstring); nests."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def settle() -> None:
    """Move every object alive now out of the collector's sight (call it once the pipeline is loaded)."""
    gc.freeze()


@contextmanager
def batch_gc() -> Iterator[None]:
    old = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.set_threshold(max(old[0], GEN0_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if not frozen_before:
            gc.unfreeze()
