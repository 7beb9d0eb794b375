"""The production profile against its real services (PostgreSQL, Redis, two
Rasa servers, the action server, nginx): shared conversations across
servers, concurrency through nginx, a killed Rasa server, the action server
down, and Redis and PostgreSQL restarts. The profile is started once per
session (tests/production/conftest.py); the Rasa server is killed last."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

import pytest
import yaml

from channels.action_outage import NOTICE_RESPONSE
from staff.heldout import heldout_examples
from tests.conftest import ROOT
from tests.production.conftest import MEASURED, chat, responses, stored_events
from tests.servers import http

# Information topics answered by one plain response (utter_<topic>).
TOPICS = [
    "what_is_sepsis",
    "sepsis_causes",
    "risk_groups",
    "sepsis_treatment",
    "recovery_after_hospital",
    "sepsis_again",
    "finances",
    "exercise",
    "cognitive_effects",
    "mental_health",
    "post_sepsis_syndrome",
    "aftercare",
    "icu_aftercare",
    "bereavement",
    "information_resources",
]
# 200 people chatting at once, 6 messages each, through nginx (bounded in count and time).
CONVERSATIONS, TURNS, TIME_LIMIT = 200, 6, 600.0
RECOVERY_LIMIT = 30.0


def new_sender(what: str) -> str:
    return f"{what}-{uuid.uuid4().hex[:10]}"


def first_positive(language: str, kind: str) -> str:
    cases = yaml.safe_load((ROOT / "eval" / "safety" / f"cases_{language}.yml").read_text())
    return next(case["text"] for case in cases["positives"] if case["kind"] == kind)


@pytest.fixture(scope="module")
def examples(profile) -> Dict[Tuple[str, str], List[str]]:
    """Per (topic, language): held-out questions the model answers with that
    topic and does not take for the other language (asked on server 1's
    authenticated /model/parse), so the tests below check routing and
    state, not NLU accuracy."""
    import json

    chosen: Dict[Tuple[str, str], List[str]] = {}
    for language in ("en", "nl"):
        for text, intent in heldout_examples(language):
            key = (intent, language)
            if intent not in TOPICS or len(chosen.get(key, [])) >= TURNS:
                continue
            status, parsed = http(
                "POST",
                f"{profile.rasa_url(0)}/model/parse?token={profile.settings.auth_token}",
                json.dumps({"text": text}).encode(),
            )
            detected = {e["value"] for e in parsed.get("entities", []) if e["entity"] == "language"}
            if status == 200 and parsed["intent"]["name"] == intent and detected <= {language}:
                chosen.setdefault(key, []).append(text)
    assert len(chosen) >= 20, sorted(chosen)
    return chosen


def test_a_conversation_alternating_between_two_servers_continues(profile):
    sender = new_sender("alternate")
    servers = [profile.rasa_url(0), profile.rasa_url(1)]
    turns = [
        ("ik ben zo moe sinds de ic", {"language": "nl"}, "utter_ask_fatigue_since"),
        ("/duration_medium", {}, "utter_ask_fatigue_trend"),  # needs the pending question
        ("/trend_better", {}, "utter_ask_fatigue_step"),
        ("mijn haar valt uit sinds de sepsis", {}, "utter_hair_loss"),
    ]
    bot_messages = 0
    for number, (text, metadata, expected) in enumerate(turns):
        status, answer, _ = chat(servers[number % 2], sender, text, **metadata)
        assert status == 200, answer
        assert expected in responses(answer), (number, responses(answer))
        assert {message["language"] for message in answer} == {"nl"}  # kept across servers
        bot_messages += len(answer)

    events = stored_events(profile, sender)
    users = [event for event in events if event["event"] == "user"]
    bots = [event for event in events if event["event"] == "bot"]
    assert [event["text"] for event in users] == [text for text, _, _ in turns]
    assert len(bots) == bot_messages  # nothing lost, nothing twice
    assert len({event["id"] for event in events}) == len(events)
    stamps = [event["timestamp"] for event in events]
    assert stamps == sorted(stamps)
    # The authenticated API of either server shows the same conversation.
    token = profile.settings.auth_token
    trackers = [http("GET", f"{url}/conversations/{sender}/tracker?token={token}")[1] for url in servers]
    assert [len(t["events"]) for t in trackers] == [len(events)] * 2
    assert trackers[0]["slots"]["language"] == trackers[1]["slots"]["language"] == "nl"
    assert http("GET", f"{servers[0]}/conversations/{sender}/tracker")[0] == 401  # no token


def test_many_conversations_through_nginx_get_their_own_answers(profile, examples):
    # Each conversation keeps one language and asks its own sequence of topics.
    plans = []
    for index in range(CONVERSATIONS):
        language = ("en", "nl")[index % 2]
        topics = sorted(topic for topic, lang in examples if lang == language)
        turns = []
        for turn in range(TURNS):
            topic = topics[(index // 2 + 3 * turn) % len(topics)]
            texts = examples[(topic, language)]
            turns.append((topic, language, texts[(index + turn) % len(texts)]))
        plans.append((new_sender(f"load{index}"), turns))

    latencies: List[float] = []

    def converse(plan) -> List[str]:
        sender, turns = plan
        problems, slowest = [], 0.0
        for topic, language, text in turns:
            status, answer, seconds = chat(profile.url, sender, text, language=language)
            latencies.append(seconds)
            slowest = max(slowest, seconds)
            if status != 200:
                problems.append(f"{sender}: HTTP {status} {answer}")
                continue
            if f"utter_{topic}" not in responses(answer):
                problems.append(f"{sender}: asked {topic}, got {responses(answer)}")
            if any(m["recipient_id"] != sender for m in answer):
                problems.append(f"{sender}: got an answer meant for another conversation")
            if any(m["language"] != language for m in answer):
                problems.append(f"{sender}: asked in {language}, answered in {answer[0]['language']}")
        return problems + [f"slowest {slowest:.2f}"]

    start = time.monotonic()
    with ThreadPoolExecutor(CONVERSATIONS) as pool:
        results = list(pool.map(converse, plans))
    elapsed = time.monotonic() - start
    problems = [p for result in results for p in result if not p.startswith("slowest")]
    slowest = max(float(result[-1].split()[1]) for result in results)
    p50, p95 = statistics.median(latencies), statistics.quantiles(latencies, n=20)[-1]
    MEASURED[f"{CONVERSATIONS} concurrent conversations x {TURNS} turns via nginx"] = (
        f"{elapsed:.1f} s, {len(latencies) / elapsed:.1f} msg/s, p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"slowest {slowest:.2f} s, {len(problems)} errors or cross-talk"
    )
    assert problems == []
    assert elapsed < TIME_LIMIT

    for sender, turns in plans[:: max(1, CONVERSATIONS // 10)]:  # the stored conversations
        users = [e for e in stored_events(profile, sender) if e["event"] == "user"]
        assert [e["text"] for e in users] == [text for _, _, text in turns]


def test_action_server_down_escalations_answer_and_the_rest_degrades(profile):
    profile.stop("actions")
    assert not profile.ready("actions") and not profile.alive("actions")
    try:
        for language in ("en", "nl"):
            sender = new_sender(f"down-{language}")
            status, answer, _ = chat(profile.url, sender, first_positive(language, "red_flag"), language=language)
            assert status == 200 and "utter_red_flag" in responses(answer)
            assert NOTICE_RESPONSE not in responses(answer)  # escalations need no action
            status, answer, _ = chat(
                profile.url, new_sender("crisis"), first_positive(language, "crisis"), language=language
            )
            # A crisis escalation: the first Dutch case is about a relative.
            assert status == 200 and {"utter_crisis", "utter_crisis_relative"} & set(responses(answer))

        # A topic answer arrives, with the notice instead of the missing signposts.
        status, answer, _ = chat(
            profile.url, new_sender("down-topic"), "I am so tired since intensive care", language="en"
        )
        assert status == 200
        assert "utter_fatigue" in responses(answer)
        notice = answer[-1]
        assert notice["response"] == NOTICE_RESPONSE and notice["language"] == "en"
        assert "0808 800 0029" in notice["text"] and "999" in notice["text"]
        # An answer that is only an action: the notice alone, in Dutch for NL.
        status, answer, _ = chat(profile.url, new_sender("down-menu"), "menu", language="nl")
        assert status == 200 and responses(answer) == [NOTICE_RESPONSE]
        assert "112" in answer[0]["text"] and "https://www.sepsis-en-daarna.nl/" in answer[0]["text"]
        assert answer[0]["language"] == "nl"
    finally:
        profile.start_service("actions")

    status, answer, _ = chat(profile.url, new_sender("recovered"), "menu", language="nl")
    assert status == 200 and answer and NOTICE_RESPONSE not in responses(answer)
    assert all(profile.ready(name) for name in ("rasa1", "rasa2"))  # nothing crashed


def recover(profile, sender: str, text: str) -> Tuple[float, int, Any]:
    """Send a message until it is answered: (seconds taken, failed attempts, answer)."""
    start, failures = time.monotonic(), 0
    while time.monotonic() - start < RECOVERY_LIMIT:
        status, answer, _ = chat(profile.url, sender, text, language="en")
        if status == 200:
            return time.monotonic() - start, failures, answer
        failures += 1
        time.sleep(0.5)
    raise AssertionError(f"no answer within {RECOVERY_LIMIT} s after the restart")


def outage(profile, sender: str, text: str) -> Tuple[int, Any, str]:
    """What a user gets while a store is down: (status, answer, description)."""
    status, answer, seconds = chat(profile.url, sender, text, language="nl")
    what = (
        answer.get("error")
        if isinstance(answer, dict)
        else (", ".join(map(str, responses(answer))) if isinstance(answer, list) else str(answer)[:60])
    )
    return status, answer, f"HTTP {status} after {seconds:.2f} s ({what})"


def start_fatigue_flow(profile) -> str:
    """A Dutch conversation waiting for the answer to 'how long ago...?'."""
    sender = new_sender("flow")
    status, answer, _ = chat(profile.url, sender, "ik ben zo moe sinds de ic", language="nl")
    assert status == 200 and "utter_ask_fatigue_since" in responses(answer)
    return sender


def test_redis_restart_servers_recover_without_help(profile):
    sender = start_fatigue_flow(profile)
    profile.stop("redis")
    status, _, during = outage(profile, sender, "/duration_long")
    MEASURED["while Redis is down"] = during
    assert status == 503  # a clear JSON error from the REST channel, at once: try again
    profile.start_service("redis")
    seconds, failures, answer = recover(profile, sender, "/duration_long")
    MEASURED["after Redis is back"] = f"answered after {seconds:.2f} s, {failures} failed attempts"
    assert "utter_ask_fatigue_trend" in responses(answer)  # the conversation went on


def test_postgres_down_the_conversation_goes_on_and_is_stored_when_back(profile):
    sender = start_fatigue_flow(profile)
    profile.stop("postgres")
    status, answer, during = outage(profile, sender, "/duration_long")
    MEASURED["while PostgreSQL is down"] = during + ": the conversation goes on from its server's copy"
    # nginx sent it to the server that answered it before: the pending
    # question is answered; the events wait in that server's journal.
    assert status == 200 and "utter_ask_fatigue_trend" in responses(answer)
    status, answer, _ = outage(profile, new_sender("pg-down"), first_positive("nl", "red_flag"))
    assert status == 200 and "utter_red_flag" in responses(answer)
    profile.start_service("postgres")
    seconds, failures, answer = recover(profile, sender, "/trend_same")
    MEASURED["after PostgreSQL is back"] = f"answered after {seconds:.2f} s, {failures} failed attempts"
    assert "utter_ask_fatigue_step" in responses(answer)
    # Either server, reading PostgreSQL, sees the whole conversation.
    for server in (0, 1):
        status, answer, _ = chat(profile.rasa_url(server), sender, "/affirm")
        assert status == 200 and {"utter_fatigue_step_1", "utter_fatigue_step_2"} & set(responses(answer))
        assert {m["language"] for m in answer} == {"nl"}
    users = [e["text"] for e in stored_events(profile, sender) if e["event"] == "user"]
    assert users == ["ik ben zo moe sinds de ic", "/duration_long", "/trend_same", "/affirm", "/affirm"]


OUTAGE_SECONDS, OUTAGE_PEOPLE = 30.0, 20
OUTAGE_TEXTS = {
    "en": ["hello", "my hair is falling out", "yes", "what is sepsis", "thank you", "I am so tired"],
    "nl": ["hallo", "mijn haar valt uit", "ja", "wat is sepsis", "dank je", "ik ben zo moe"],
}


def test_a_30_second_postgres_outage_under_load_loses_nothing(profile):
    """20 people keep chatting while PostgreSQL is down for 30 s: every
    message is answered, and afterwards every message of every conversation
    is in the database, in order, none twice."""
    stop = threading.Event()
    sent: Dict[str, List[str]] = {}
    statuses: List[int] = []
    down = threading.Event()
    during: List[int] = []

    def person(index: int) -> None:
        language = ("en", "nl")[index % 2]
        sender = new_sender(f"outage{index}")
        sent[sender] = []
        for turn in itertools.count():
            if stop.is_set():
                return
            text = OUTAGE_TEXTS[language][turn % len(OUTAGE_TEXTS[language])]
            status, _, _ = chat(profile.url, sender, text, language=language)
            statuses.append(status)
            sent[sender].append(text)
            if down.is_set():
                during.append(status)
            time.sleep(1.0)

    threads = [threading.Thread(target=person, args=(i,)) for i in range(OUTAGE_PEOPLE)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(4)
        profile.stop("postgres")
        down.set()
        time.sleep(OUTAGE_SECONDS)
        down.clear()
        profile.start_service("postgres")
        time.sleep(6)  # people go on; each server writes its journal at its next message
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    MEASURED[f"{OUTAGE_PEOPLE} people chatting through a {OUTAGE_SECONDS:.0f} s PostgreSQL outage"] = (
        f"{len(statuses)} messages ({len(during)} during the outage), "
        f"{statuses.count(200)} answered; lost and duplicated: see the assertions"
    )
    assert during and set(statuses) == {200}
    for sender, texts in sent.items():
        events = stored_events(profile, sender)
        assert [e["text"] for e in events if e["event"] == "user"] == texts, sender  # nothing lost, in order
        keys = [(e["event"], e["timestamp"]) for e in events]
        assert len(keys) == len(set(keys)), sender  # nothing twice


def test_a_killed_rasa_server_is_skipped_and_the_conversation_continues(profile):
    sender = new_sender("killed")
    status, answer, _ = chat(profile.url, sender, "ik ben zo moe sinds de ic", language="nl")
    assert status == 200 and "utter_ask_fatigue_since" in responses(answer)
    profile.kill("rasa1")
    assert not profile.alive("rasa1")
    took = []
    for text, expected in (("/duration_long", "utter_ask_fatigue_trend"), ("/trend_same", "utter_ask_fatigue_step")):
        status, answer, seconds = chat(profile.url, sender, text)
        took.append(seconds)
        assert status == 200, answer
        assert expected in responses(answer)  # the pending flow step was kept
        assert {m["language"] for m in answer} == {"nl"}  # and the language
    MEASURED["messages after SIGKILL of a Rasa server"] = ", ".join(f"HTTP 200 in {seconds:.2f} s" for seconds in took)
    assert profile.ready("rasa2") and profile.ready("nginx")
