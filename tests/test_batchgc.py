"""batch_gc: the collector settings of a batch apply inside it and the previous ones come back after."""
import gc

from salescoach.batchgc import GEN0_THRESHOLD, batch_gc, settle
from salescoach.service import analyze_paths


def test_batch_gc_restores_settings():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with batch_gc():
        assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
        settle()
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_analyze_paths_restores_settings(tmp_path):
    before = gc.get_threshold()
    (tmp_path / "a.txt").write_text("Ann: How does that work today?\nBo: It breaks a lot.\n", encoding="utf-8")
    out = list(analyze_paths([str(tmp_path)], reps=["Ann"]))
    assert out[0].report["questions"]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_analyze_paths_closed_early_restores_settings(tmp_path):
    before = gc.get_threshold()
    for n in range(2):
        (tmp_path / f"{n}.txt").write_text("Ann: How does that work today?\nBo: It breaks a lot.\n", encoding="utf-8")
    it = analyze_paths([str(tmp_path)], reps=["Ann"])
    next(it)
    assert gc.get_threshold() != before  # inside the batch
    it.close()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_nested_batches_unfreeze_once():
    with batch_gc():
        settle()
        with batch_gc():
            settle()
        assert gc.get_freeze_count() > 0  # the inner batch leaves the outer one's frozen objects alone
    assert gc.get_freeze_count() == 0
