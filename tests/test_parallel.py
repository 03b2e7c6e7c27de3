"""How kg.parallel's worker processes run: long-lived objects frozen after the first item."""

from __future__ import annotations

import gc
import os

from kg.parallel import ordered_map


def _frozen(item: int) -> tuple[int, int, int]:
    return item, os.getpid(), gc.get_freeze_count()


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


def test_a_single_worker_runs_in_this_process_and_freezes_nothing() -> None:
    """Small inputs run in the calling process (no pool), whose objects are not the pool's to freeze."""
    before = gc.get_freeze_count()
    answers = list(ordered_map(_frozen, range(3), state=None, count=3, workers=1))
    assert {pid for _, pid, _ in answers} == {os.getpid()}
    assert gc.get_freeze_count() == before
