"""Keep Python's garbage collector away from the loaded model.

After `rasa run` has loaded the model, the process holds about 600,000
objects that live as long as it does (TensorFlow's and Rasa's modules, the
domain, the classifier). Python's full collections walk all of them: under
load the benchmark saw one every 20-30 s, each stopping every conversation
for 190-350 ms. Moving them to the permanent generation once the server
has started (`gc.freeze`) leaves the collector only what messages create,
mostly the trackers the embedded store keeps (rasa_ext/tracker_store.py):
the full collections fell to 15-30 ms (docs/performance.md). Objects still
go away as soon as nothing refers to them; only cycles among the frozen
start-up objects are never collected, and those live for the whole process
anyway.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Collect once, then exempt everything alive from later collections;
    returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
