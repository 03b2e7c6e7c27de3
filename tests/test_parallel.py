"""How kg.parallel's worker processes run: long-lived objects frozen after the first item, and the
youngest generation collected less often from then on."""

from __future__ import annotations

import gc
import os

from kg.parallel import WORKER_GC_THRESHOLD, ordered_map


def _frozen(item: int) -> tuple[int, int, int]:
    return item, os.getpid(), gc.get_freeze_count()


def _threshold(item: int) -> tuple[int, int, int]:
    return item, os.getpid(), gc.get_threshold()[0]


def test_workers_freeze_what_they_keep_after_their_first_item() -> None:
    """Full collections would rescan a worker's caches every few batches; after its first item
    a worker freezes them, so the freeze count is 0 only for each worker's first item."""
    answers = list(ordered_map(_frozen, range(6), state=None, count=6, workers=2))
    assert [item for item, _, _ in answers] == list(range(6))
    by_worker: dict[int, list[int]] = {}
    for _, pid, frozen in answers:
        by_worker.setdefault(pid, []).append(frozen)
    assert max(len(counts) for counts in by_worker.values()) >= 2  # six items, two workers
    for counts in by_worker.values():
        assert counts[0] == 0
        assert all(count > 0 for count in counts[1:]), counts


def test_warm_workers_collect_their_youngest_objects_less_often() -> None:
    """A batch makes many short-lived objects: a worker's first item runs with Python's threshold
    (700 in 3.11), the later ones with WORKER_GC_THRESHOLD (0.7 -> 0.25 ms of collections an article)."""
    answers = list(ordered_map(_threshold, range(6), state=None, count=6, workers=2))
    by_worker: dict[int, list[int]] = {}
    for _, pid, threshold in answers:
        by_worker.setdefault(pid, []).append(threshold)
    assert max(len(thresholds) for thresholds in by_worker.values()) >= 2
    for thresholds in by_worker.values():
        assert thresholds[0] != WORKER_GC_THRESHOLD
        assert set(thresholds[1:]) == {WORKER_GC_THRESHOLD}


def test_a_single_worker_runs_in_this_process_and_freezes_nothing() -> None:
    """Small inputs run in the calling process (no pool), whose objects are not the pool's to freeze."""
    before = gc.get_freeze_count()
    answers = list(ordered_map(_frozen, range(3), state=None, count=3, workers=1))
    assert {pid for _, pid, _ in answers} == {os.getpid()}
    assert gc.get_freeze_count() == before
    assert [threshold for _, _, threshold in ordered_map(_threshold, range(3), state=None, count=3, workers=1)] == [
        gc.get_threshold()[0]
    ] * 3
