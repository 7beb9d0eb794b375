"""The collector of a message's answers, each answer kept whole."""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa.core.channels.channel import CollectingOutputChannel

# What an answer may carry for the widget besides its text, and where it
# comes from: a response's `metadata` in the domain (the two-sentence
# summary of a topic answer) or a custom action's message (link cards).
FROM_METADATA = ("summary",)
FROM_MESSAGE = ("cards",)


class WholeMessageOutputChannel(CollectingOutputChannel):
    """Collects bot messages without splitting texts on blank lines, each
    tagged with the response it came from (`response`, e.g. utter_red_flag),
    so a client can show escalations distinctly. A topic answer also carries
    its `summary` and a list of organisations its `cards`."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        self.messages.append({"recipient_id": recipient_id, "text": text.strip()})

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        before = len(self.messages)
        extra = extras(message)
        await super().send_response(recipient_id, message)
        for sent in self.messages[before:]:
            if message.get("utter_action"):
                sent["response"] = message["utter_action"]
            sent.update(extra)


def extras(message: Dict[Text, Any]) -> Dict[Text, Any]:
    """The summary and link cards of a bot message, where it has them."""
    metadata = message.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    found = {key: metadata[key] for key in FROM_METADATA if metadata.get(key)}
    found.update({key: message[key] for key in FROM_MESSAGE if message.get(key)})
    return found
