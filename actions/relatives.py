"""Is a message about someone close to the writer, and which note for
relatives follows a topic's answer then (content/relatives.yml)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, Optional, Pattern, Text

from base.content import relatives, topics


@lru_cache(maxsize=None)
def _cues() -> Pattern:
    """Every language's cues as one case-insensitive pattern."""
    cues = [cue for per_language in relatives()["cues"].values() for cue in per_language]
    return re.compile("|".join(f"(?:{cue})" for cue in cues), re.IGNORECASE)


def about_someone_close(text: Optional[Text]) -> bool:
    """Does the message speak of a partner, parent, child or friend?"""
    return bool(text) and _cues().search(text) is not None


def note_response(topic_id: Text, entry: Optional[Dict[Text, Any]], spec: Dict[Text, Any]) -> Optional[Text]:
    """The response for relatives after a topic's answer, by the topic's
    catalogue entry (`relatives_note`: own, none or unset) and
    content/relatives.yml (`spec`); None for none. The content check uses
    this too."""
    kind = (entry or {}).get("relatives_note")
    if kind == "none":
        return None
    return spec["topic_note"].format(topic=topic_id) if kind == "own" else spec["general_note"]


def note_for(topic_id: Text) -> Optional[Text]:
    """The response for relatives after this topic's answer, or None."""
    return note_response(topic_id, topics().get(topic_id), relatives())
