"""The production rate limit suits people behind one shared address (a
hospital ward, a library): a second nginx with the production defaults
(ops/profile.py's Settings: rate_per_second, burst), in front of the test
profile's two Rasa servers, answers 20 conversations from one address at a
human pace without a 429, and still turns a flood from one address away."""

from __future__ import annotations

import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator, List

import pytest

from ops.local import free_port, stop_group
from ops.profile import Settings
from ops.ready import wait_until_ready
from ops.services import nginx, nginx_config
from tests.production.conftest import MEASURED, chat

PEOPLE, TURNS, THINK_SECONDS = 20, 3, 4.0  # a person reads and types for a few seconds at least
QUESTIONS = {
    "en": ["what is sepsis", "my hair is falling out", "thank you"],
    "nl": ["wat is sepsis", "mijn haar valt uit", "dank je"],
}


@pytest.fixture(scope="module")
def shared_address(profile) -> Iterator[str]:
    """nginx with the production rate limit, on a free port: its URL."""
    state = Path(tempfile.mkdtemp(prefix="sepsis-rate-limit-"))
    (state / "logs").mkdir()
    port = free_port()
    env = {
        **profile.procfile_env(),
        "NGINX_LISTEN": f"127.0.0.1:{port}",
        "NGINX_RATE": str(Settings.rate_per_second),  # the production defaults
        "NGINX_BURST": str(Settings.burst),
    }
    config = nginx_config(state, env)
    process = subprocess.Popen(
        [nginx(), "-p", str(config.parent), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{url}/health", "nginx with the production rate limit", 30, process=process)
        yield url
    finally:
        stop_group(process)


def test_twenty_people_behind_one_address_are_all_answered(shared_address) -> None:
    def person(index: int) -> List[int]:
        language = ("en", "nl")[index % 2]
        sender = f"ward-{index}-{uuid.uuid4().hex[:8]}"
        time.sleep(index * 0.1)  # people do not start in the same tenth of a second
        statuses = []
        for turn, text in enumerate(QUESTIONS[language]):
            if turn:
                time.sleep(THINK_SECONDS)
            status, answer, _ = chat(shared_address, sender, text, language=language)
            statuses.append(status if isinstance(answer, list) and answer else -status)
        return statuses

    start = time.monotonic()
    with ThreadPoolExecutor(PEOPLE) as pool:
        results = list(pool.map(person, range(PEOPLE)))
    statuses = [s for result in results for s in result]
    MEASURED[f"{PEOPLE} people x {TURNS} turns from one address, production limit"] = (
        f"{statuses.count(200)}/{len(statuses)} answered in {time.monotonic() - start:.1f} s"
    )
    assert statuses == [200] * PEOPLE * TURNS


def test_a_flood_from_one_address_is_turned_away(shared_address) -> None:
    flood = Settings.burst * 3

    def one(index: int) -> int:
        return chat(shared_address, f"flood-{index}", "hello", language="en")[0]

    with ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(one, range(flood)))
    assert statuses.count(429) > 0
    assert statuses.count(200) >= Settings.burst // 2
    assert set(statuses) <= {200, 429}
