"""channels/memory.py: start-up objects leave the collector's generations,
and objects that lose their last reference are still freed."""

from __future__ import annotations

import gc
import weakref

from channels.memory import freeze_startup_objects


class Thing:
    pass


def test_freeze_moves_live_objects_out_and_refcounting_still_frees() -> None:
    kept = [Thing() for _ in range(1000)]
    try:
        frozen = freeze_startup_objects()
        assert frozen >= 1000 and gc.get_freeze_count() == frozen
        assert not any(any(obj is k for obj in gc.get_objects()) for k in kept[:3])
        probe = weakref.ref(kept[0])
        del kept[0]
        assert probe() is None  # freed by its reference count, frozen or not
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
