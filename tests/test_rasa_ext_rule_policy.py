"""Contract of the rule_index piece (rasa_ext/rule_policy.py): the indexed
RulePolicy finds exactly the rules Rasa's RulePolicy finds:
on every state of every training rule and test story, for both of its
lookups, and a rule is always found for its own states."""

from __future__ import annotations

import json
from typing import List

import pytest
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.importers.importer import TrainingDataImporter

import rasa_ext
from rasa_ext.rule_policy import IndexedRulePolicy, rule_bucket
from tests.conftest import ROOT, rasa_ext_as_before


@pytest.fixture(scope="module", autouse=True)
def piece_on():
    with rasa_ext_as_before():
        rasa_ext.install(["rule_index"])
        yield


@pytest.fixture(scope="module")
def policy(agent) -> IndexedRulePolicy:
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    found = [n._component for n in nodes if isinstance(getattr(n, "_component", None), IndexedRulePolicy)]
    assert len(found) == 1, "config.yml should use rasa_ext.rule_policy.IndexedRulePolicy"
    return found[0]


@pytest.fixture(scope="module")
def conversation_states(policy) -> List[list]:
    """The states the policy sees at every turn of the training rules and the test stories."""
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain"), [str(ROOT / "data"), str(ROOT / "eval" / "stories")]
    )
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0).generate()
    rule_only = policy._get_rule_only_data()
    states = []
    for tracker in trackers:
        for prior, _ in tracker.generate_all_prior_trackers():
            for use_text in (False, True):
                states.append(policy._prediction_states(prior, domain, use_text, rule_only_data=rule_only))
    return states


def test_same_rules_as_rasa_on_every_conversation_state(policy, conversation_states) -> None:
    assert len(conversation_states) > 1000
    applicable = 0
    for states in conversation_states:
        for name in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
            lookup = policy.lookup[name]
            ours = IndexedRulePolicy._get_possible_keys(policy, lookup, states)
            assert ours == RulePolicy._get_possible_keys(policy, lookup, states), states
            applicable += bool(ours)
    assert applicable > len(conversation_states) / 2, "most states should have an applicable rule"


def as_conversation(rule_key: str) -> list:
    """A rule's states as a conversation has them (slot values as tuples)."""
    return [
        {part: {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()} for part, values in state.items()}
        for state in json.loads(rule_key)
    ]


def test_every_rule_is_found_for_its_own_states(policy) -> None:
    for name in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
        lookup = policy.lookup[name]
        for key in lookup:
            states = as_conversation(key)
            ours = IndexedRulePolicy._get_possible_keys(policy, lookup, states)
            assert key in ours and ours == RulePolicy._get_possible_keys(policy, lookup, states), key


def test_the_index_narrows_the_search(policy) -> None:
    buckets = policy._index(policy.lookup[RULES])
    assert sum(map(len, buckets.values())) == len(policy.lookup[RULES]) > 100
    assert len(buckets.get((None, None), ())) < len(policy.lookup[RULES]) / 5


def test_rule_bucket() -> None:
    assert rule_bucket([]) == (None, None)
    assert rule_bucket([{"user": {"intent": "greet"}}]) == (None, None)
    assert rule_bucket([{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}]) == (
        "action_listen",
        "greet",
    )
    assert rule_bucket([{"prev_action": {"action_name": "utter_x"}}]) == ("utter_x", None)
    assert rule_bucket([{"prev_action": {"action_text": "hi"}, "user": {"intent": "greet"}}]) == (None, None)
