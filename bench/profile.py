"""Where a message's time goes: the conversation scripts run through a
loaded Agent (in-process, so pyinstrument sees everything), with the action
server running beside it.

    python -m bench.profile MODEL [--messages 300] [--html out.html]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

import rasa_ext
from bench import conversations
from bench.paths import WORK
from bench.processes import PeakRss
from bench.servers import ActionServer


async def _talk(agent, messages: int) -> float:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    sent, started = 0, time.perf_counter()
    for script in conversations.build(count=messages, turns=4):
        sender = f"profile-{uuid.uuid4().hex[:8]}"
        for turn in script["turns"]:
            await agent.handle_message(
                UserMessage(turn["text"], CollectingOutputChannel(), sender, metadata={"language": script["language"]})
            )
            sent += 1
            if sent >= messages:
                return (time.perf_counter() - started) / sent
    return (time.perf_counter() - started) / max(sent, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--html", help="also write pyinstrument's HTML report here")
    args = parser.parse_args()

    from pyinstrument import Profiler
    from rasa.core.agent import Agent

    from ops.local import action_endpoint
    from staff.heldout import quiet_logs

    quiet_logs()
    memory = PeakRss()
    (WORK / "logs").mkdir(parents=True, exist_ok=True)
    actions = ActionServer(memory, WORK / "logs" / "actions-profile.log")
    try:
        rasa_ext.install()  # as the Rasa server runs
        agent = Agent.load(args.model, action_endpoint=action_endpoint(f"{actions.url}/webhook"))
        asyncio.run(_talk(agent, 20))  # warm-up
        profiler = Profiler(interval=0.001)
        profiler.start()
        per_message = asyncio.run(_talk(agent, args.messages))
        profiler.stop()
    finally:
        actions.stop()
        memory.stop()
    print(f"{per_message * 1000:.1f} ms per message (wall, one at a time)")
    print(profiler.output_text(unicode=False, color=False))
    from pyinstrument.renderers import ConsoleRenderer

    for mode in ("total", "self"):
        flat = profiler.output(ConsoleRenderer(flat=True, flat_time=mode, show_all=True))
        print(f"Functions by {mode} time:\n" + "\n".join(flat.splitlines()[8:90]))
    if args.html:
        with open(args.html, "w") as out:
            out.write(profiler.output_html())


if __name__ == "__main__":
    main()
