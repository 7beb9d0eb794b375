"""The collector of a message's answers, each answer kept whole."""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa.core.channels.channel import CollectingOutputChannel


class WholeMessageOutputChannel(CollectingOutputChannel):
    """Collects bot messages without splitting texts on blank lines, each
    tagged with the response it came from (`response`, e.g. utter_red_flag),
    so a client can show escalations distinctly."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        self.messages.append({"recipient_id": recipient_id, "text": text.strip()})

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        before = len(self.messages)
        await super().send_response(recipient_id, message)
        if message.get("utter_action"):
            for sent in self.messages[before:]:
                sent["response"] = message["utter_action"]
