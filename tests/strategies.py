"""Hypothesis strategies and settings shared by the fuzz tests: requests as
clients might send them (any JSON, any bytes, any content type)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))


def fuzz(examples: int = EXAMPLES) -> settings:
    """Derandomised settings (CI runs the same cases each time), no deadline."""
    return settings(
        max_examples=max(examples, 20),
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


FUZZ = fuzz()
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "image/png",
        "",
        ";;;",
    ]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
REQUESTS = st.fixed_dictionaries(
    {},
    optional={
        "sender": JSON_VALUES | st.text(max_size=200),
        "message": JSON_VALUES | st.text(max_size=300),
        "metadata": JSON_VALUES,
    },
)
