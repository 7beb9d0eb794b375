"""Check the action server's answers without re-checking Rasa's schema.

Rasa 3.6 checks every custom action's answer with `jsonschema.validate`,
which first validates Rasa's constant answer schema itself against the JSON
Schema meta-schema, on every call. Profiling `rasa run` under load showed
that meta-schema check as the largest single cost of a message (about 40%
of the server's time per message; docs/performance.md). This module checks
the schema once and reuses the validator: the same schema, the same
validator class, the same error (jsonschema's best match, with Rasa's own
message) for a bad answer. The `action_validation` piece of rasa_ext.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def answer_validator() -> Any:
    """A validator for Rasa's action-answer schema, the schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with a reused validator."""
    error = best_match(answer_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


STOCK = RemoteAction._validate_action_result


def switch(on: bool) -> None:
    """Use the reused validator for every remote action, or Rasa's own
    again (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result if on else STOCK
