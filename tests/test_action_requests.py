"""What Rasa sends the action server: every endpoints file (the embedded
default, the one `make run`, the tests and the benchmark write, the
production profile's) turns on Rasa's selective domain, so the 117 kB of
answer texts are not encoded and parsed on every action call; only the
forms' validate_* actions, which read slots and forms, get the domain.
The end-to-end tests (tests/test_assistant_e2e.py) run the actions and the
support group form through servers configured this way."""

from __future__ import annotations

import json

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from ops.local import action_endpoint, local_endpoints
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.mark.parametrize("source", ["endpoints.yml", "local"])  # deploy/: tests/production/test_deploy_files.py
def test_every_endpoints_file_sends_the_domain_selectively(source, tmp_path) -> None:
    path = ROOT / source
    if source == "local":
        path = tmp_path / "endpoints.yml"
        path.write_text(local_endpoints("http://127.0.0.1:1"))
    endpoint = read_endpoint_config(str(path), "action_endpoint")
    assert endpoint.kwargs.get("enable_selective_domain") is True
    assert action_endpoint("http://127.0.0.1:1/webhook").kwargs == endpoint.kwargs


def test_answer_texts_stay_with_rasa_and_validators_get_the_domain(domain) -> None:
    tracker = DialogueStateTracker("s", domain.slots)
    endpoint = action_endpoint("http://127.0.0.1:1/webhook")
    custom = [name for name in domain.user_actions if not name.startswith("utter_")]
    assert "action_signpost" in custom and "validate_support_group_form" in custom
    for name in custom:
        body = RemoteAction(name, endpoint)._action_call_format(tracker, domain)
        assert body["next_action"] == name and body["tracker"]["sender_id"] == "s"
        if name.startswith("validate_"):
            assert body["domain"]["forms"] == domain.as_dict()["forms"]
        else:
            assert "domain" not in body, name
    # What is left out is most of the request: the answer texts.
    full = RemoteAction("action_signpost", None)._action_call_format(tracker, domain)
    slim = RemoteAction("action_signpost", endpoint)._action_call_format(tracker, domain)
    assert len(json.dumps(slim)) < 0.1 * len(json.dumps(full))
