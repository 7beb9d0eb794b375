"""The staff console on its own, for the inbox tests: a Sanic server with
the console channel mounted as `rasa run` mounts it (credentials.yml's
/webhooks/ prefix, `app.ctx.agent` with the embedded default's tracker
store) but no model, so no training is needed. Conversations to show with
the messages are put in the tracker store at the start. Also the tests'
environment (passwords, an inbox on SQLite) and their demo messages.

    python -m tests.inbox_app --port 5099 --conversations conversations.json

conversations.json: {"conversation id": [["user", "text"], ["bot", "text"], ...]}.
The console's passwords and the inbox's settings come from the environment.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from ops.local import free_port, stop_group
from ops.ready import NotReady, wait_until_ready
from tests.conftest import ROOT, rasa_env

Conversations = Dict[str, List[Tuple[str, str]]]

STAFF_PASSWORD = "staff password for the inbox tests"
READER_PASSWORD = "reader password for the inbox tests"
SCRIPT_TEXT = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> <b>help</b> & thanks'
CONVERSATIONS: Conversations = {
    "conv-nl": [
        ("user", "mijn vader is zo moe sinds de ic"),
        ("bot", "Veel mensen zijn na sepsis lang erg moe."),
        ("user", "kan ik iemand spreken?"),
        ("bot", "Je kunt een bericht achterlaten voor het supportteam."),
    ],
    "conv-urgent": [
        ("user", "my mum is confused again and breathing fast"),
        ("bot", "Call 999 now."),
        ("user", "<i>talk to someone</i>"),
    ],
}
MESSAGES = (  # left in this order: the list shows the urgent one, then the newest first
    dict(
        conversation_id="conv-nl",
        country="NL",
        language="nl",
        contact_method="phone",
        contact="06 12345678",
        best_time="'s ochtends",
        text="Mijn vader is vorige maand thuisgekomen van de IC.\nHij is erg moe en somber."
        " Kunnen jullie mij bellen over nazorg?",
    ),
    dict(
        conversation_id="conv-urgent",
        country="UK",
        language="en",
        contact_method="email",
        contact="sam@example.org",
        best_time="after 6 pm",
        urgent=True,
        text="My mum came home from hospital last week and I am scared she is getting worse again.",
    ),
    dict(conversation_id="conv-gone", country="UK", language="en", contact_method="none", text=SCRIPT_TEXT),
)


def inbox_env(directory: Path, **extra: str) -> Dict[str, str]:
    """The environment of a console with both passwords and an inbox on SQLite in `directory`."""
    from inbox.crypto import new_key

    return {
        "STAFF_CONSOLE_PASSWORD": STAFF_PASSWORD,
        "STAFF_CONSOLE_READONLY_PASSWORD": READER_PASSWORD,
        "SUPPORT_INBOX_URL": f"sqlite:///{directory / 'inbox.db'}",
        "SUPPORT_INBOX_KEY": new_key(),
        **extra,
    }


def leave_messages(env: Dict[str, str]) -> Dict[str, str]:
    """Leave the demo MESSAGES in the inbox of `env`: {conversation id: reference}."""
    from inbox.store import InboxStore, NewMessage

    store = InboxStore.from_env(env)
    try:
        return {fields["conversation_id"]: store.leave(NewMessage(**fields)) for fields in MESSAGES}
    finally:
        store.dispose()


async def seed(store, conversations: Conversations) -> None:
    """Save each conversation as the Rasa server would have: user and bot turns."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    for sender, said in conversations.items():
        events = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
        for who, text in said:
            events.append(UserUttered(text) if who == "user" else BotUttered(text))
        await store.save(DialogueStateTracker.from_events(sender, events))


def serve(port: int, conversations: Conversations) -> None:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import register
    from rasa.shared.core.domain import Domain
    from sanic import Sanic

    import rasa_ext
    from rasa_ext.tracker_store import LiveInMemoryTrackerStore
    from staff.console import StaffConsoleInput

    rasa_ext.install()  # as the Rasa server runs
    domain = Domain.empty()
    store = LiveInMemoryTrackerStore(domain)
    app = Sanic("inbox_console_test")
    app.ctx.agent = Agent(domain, tracker_store=store)
    register([StaffConsoleInput()], app, route="/webhooks/")

    @app.listener("before_server_start")
    async def fill(app, loop) -> None:
        await seed(store, conversations)

    app.run(host="127.0.0.1", port=port, access_log=False, workers=1)


class InboxConsole:
    """The console server above on a free port, with extra environment."""

    def __init__(self, env: Dict[str, str], conversations: Optional[Conversations] = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/webhooks/console"
        self._dir = tempfile.TemporaryDirectory()
        path = Path(self._dir.name) / "conversations.json"
        path.write_text(json.dumps(conversations or {}), encoding="utf-8")
        self._log = open(Path(self._dir.name) / "server.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.inbox_app", "--port", str(self.port), "--conversations", str(path)],
            cwd=ROOT,
            env={**rasa_env(), **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_ready(f"tcp://127.0.0.1:{self.port}", "the inbox console", 120, process=self.process)
        except NotReady as error:
            log = self.log()
            self.stop()
            raise RuntimeError(f"the console did not start ({error}):\n{log[-4000:]}") from None

    def log(self) -> str:
        self._log.flush()
        return (Path(self._dir.name) / "server.log").read_text(errors="replace")

    def stop(self) -> None:
        stop_group(self.process)
        self._log.close()
        self._dir.cleanup()


@contextmanager
def demo_inbox(directory: Path) -> Iterator[Tuple[InboxConsole, Dict[str, str]]]:
    """The console with the demo messages left in a store under `directory`:
    (server, {conversation id: reference}); stopped afterwards."""
    env = inbox_env(directory)
    references = leave_messages(env)
    server = InboxConsole(env, CONVERSATIONS)
    try:
        yield server, references
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--conversations", type=Path, required=True)
    args = parser.parse_args()
    serve(args.port, json.loads(args.conversations.read_text(encoding="utf-8")))
