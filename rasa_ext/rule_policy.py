"""Rasa's RulePolicy, with its rule lookup indexed.

For every prediction Rasa's RulePolicy tests each of its rules (330 here,
parsing each rule's JSON key again) against the conversation's latest
state, then the survivors against earlier states. Most rules can be ruled
out from the latest turn alone: a rule whose last state requires a previous
action (and a user intent) applies only when the conversation's latest
state has exactly those. This subclass groups the rules by that pair once,
so a prediction tests only the handful that could apply, with Rasa's own
check. The set of applicable rules, and so every prediction, is the same
(tests/test_rule_policy.py compares the two on every state the test stories
reach). The `rule_index` piece of rasa_ext: until it is on, the policy is
Rasa's own.
"""

from __future__ import annotations

import json
from typing import Dict, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import State

import rasa_ext

Bucket = Tuple[Optional[Text], Optional[Text]]


def _required(sub_state: Dict, name: Text) -> Optional[Text]:
    """The value a rule's sub-state requires for `name`, if it requires one."""
    value = sub_state.get(name)
    return value if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET else None


def rule_bucket(rule_states: List[State]) -> Bucket:
    """(previous action, intent) that the rule's last state requires; None
    where it requires nothing the index can use."""
    if not rule_states or not rule_states[-1].get(PREVIOUS_ACTION):
        return None, None  # conversation-start rules are checked every time
    last = rule_states[-1]
    action = _required(last[PREVIOUS_ACTION], "action_name")
    return action, _required(last.get(USER, {}), "intent") if action else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class IndexedRulePolicy(RulePolicy):
    """RulePolicy that tests only the rules the latest turn allows."""

    _indexes: Dict[int, Tuple[Dict, Set[Text], Dict[Bucket, Set[Text]]]]

    def _index(self, lookup: Dict[Text, Text]) -> Dict[Bucket, Set[Text]]:
        """The rules of `lookup` by bucket (rebuilt if the lookup changed)."""
        indexes = self.__dict__.setdefault("_indexes", {})
        cached = indexes.get(id(lookup))
        if cached is None or cached[0] is not lookup or cached[1] != lookup.keys():
            buckets: Dict[Bucket, Set[Text]] = {}
            for key in lookup:
                buckets.setdefault(rule_bucket(json.loads(key)), set()).add(key)
            cached = indexes[id(lookup)] = (lookup, set(lookup), buckets)
        return cached[2]

    def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
        """Rasa's answer, from the rules whose bucket fits the latest state."""
        if not states or not rasa_ext.active("rule_index"):
            return super()._get_possible_keys(lookup, states)
        buckets = self._index(lookup)
        latest = states[-1]
        action = _required(latest.get(PREVIOUS_ACTION) or {}, "action_name")
        intent = _required(latest.get(USER) or {}, "intent")
        candidates = set(buckets.get((None, None), ()))
        if action:
            candidates |= buckets.get((action, None), set()) | buckets.get((action, intent), set())
        for i, state in enumerate(reversed(states)):
            candidates = {key for key in candidates if self._is_rule_applicable(key, i, state)}
        return candidates
