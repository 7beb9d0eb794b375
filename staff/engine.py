"""What the assistant would answer to one message, without a conversation.

The one engine of the staff console and the batch check. A message is run
through the loaded agent's processor the way the REST channel would run the
first message of a conversation (session start, the metadata's language and
country, the parsed user message, then the policies' action loop), but on a
fresh in-memory tracker that is never given to the tracker store: no
conversation is created or changed. Custom actions run on the configured
action server as usual.

Running a message without saving it needs Rasa internals: that is the
dry_run piece of rasa_ext (rasa_ext/dry_run.py), and the metadata's
language and country become the conversation's through its session_locale
piece.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Text

import aiohttp
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted

from base.locale import COUNTRY_FOR_LANGUAGE, normalise_country, normalise_language
from chat.output import WholeMessageOutputChannel
from rasa_ext.dry_run import answer_unsaved

INPUT_CHANNEL = "staff_console"
SENDER_PREFIX = "staff-check-"
SAFETY_KINDS = ("red_flag", "crisis")
URL = re.compile(r"https?://[^\s<>()\"']+[^\s<>()\"'.,;:!?]")


@dataclass
class Check:
    """What the assistant made of one message and what it answered."""

    text: Text
    language: Text
    country: Text
    sender_id: Text  # the throw-away conversation id, never stored
    detected_language: Optional[Text]
    answer_language: Optional[Text]
    topic: Optional[Text]
    confidence: float
    candidates: List[Dict[Text, Any]]
    safety_fired: Optional[Text]
    safety_words: List[Dict[Text, Any]]
    safety_ignored: List[Dict[Text, Any]]
    classifier_topic: Optional[Text]
    messages: List[Dict[Text, Any]]
    actions: List[Text]
    action_server: Dict[Text, Any] = field(default_factory=dict)

    def as_dict(self) -> Dict[Text, Any]:
        return asdict(self)

    @property
    def answer_text(self) -> Text:
        """All answer messages as plain text, buttons as [title -> payload]."""
        parts = []
        for message in self.messages:
            buttons = " ".join(f"[{b['title']} -> {b['payload']}]" for b in message["buttons"])
            parts.append(" ".join(p for p in (message["text"], buttons) if p))
        return "\n---\n".join(parts)


def locale(language: Any, country: Any = None) -> tuple:
    """The checked (language, country); country defaults from the language.
    Raises ValueError with a message for staff on a bad value."""
    lang = normalise_language(language)
    if lang is None or len(str(language).strip()) > 5:
        raise ValueError(f"language must be nl or en, not {language!r}")
    if country in (None, ""):
        return lang, COUNTRY_FOR_LANGUAGE[lang]
    checked = normalise_country(country)
    if checked is None:
        raise ValueError(f"country must be NL or UK, not {country!r}")
    return lang, checked


def shown_message(message: Dict[Text, Any]) -> Dict[Text, Any]:
    """One bot message as staff see it: text, buttons (title, payload), links."""
    text = message.get("text") or ""
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in message.get("buttons") or []
    ]
    links = URL.findall(text) + [b["payload"] for b in buttons if URL.fullmatch(b["payload"])]
    shown = {"text": text, "buttons": buttons, "links": links, "response": message.get("response")}
    for extra in ("image", "attachment", "custom"):
        if message.get(extra):
            shown[extra] = message[extra]
    return shown


async def action_server_status(agent: Agent) -> Dict[Text, Any]:
    """The configured action server's URL and whether its /health answers."""
    endpoint = agent.action_endpoint
    if endpoint is None or not endpoint.url:
        return {"url": None, "reachable": False, "error": "no action server is configured"}
    base = endpoint.url.rsplit("/webhook", 1)[0]
    try:
        timeout = aiohttp.ClientTimeout(total=3)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(f"{base}/health") as reply:
                ok = reply.status == 200
                return {
                    "url": endpoint.url,
                    "reachable": ok,
                    "error": None if ok else f"/health answered {reply.status}",
                }
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        return {
            "url": endpoint.url,
            "reachable": False,
            "error": f"cannot reach the action server ({type(error).__name__})",
        }


async def check_message(
    agent: Agent, text: Text, language: Text, country: Optional[Text] = None, server: Optional[Dict[Text, Any]] = None
) -> Check:
    """Run `text` as the first message of a new conversation in `language`
    (and `country`) on a throw-away tracker; what the assistant made of it.
    `server` is a known action-server status (to check it once per batch)."""
    language, country = locale(language, country)
    processor = agent.processor
    if processor is None:
        raise RuntimeError("no model is loaded")
    domain = processor.domain
    sender = SENDER_PREFIX + uuid.uuid4().hex
    collector = WholeMessageOutputChannel()
    metadata = {"language": language, "country": country}
    message = UserMessage(text, collector, sender, input_channel=INPUT_CHANNEL, metadata=metadata)
    tracker, answered_from = await answer_unsaved(processor, message)
    parse = dict(tracker.latest_message.parse_data)

    actions = [
        e.action_name
        for e in list(tracker.events)[answered_from:]
        if isinstance(e, ActionExecuted) and e.action_name != "action_listen"
    ]
    custom = set(domain.user_actions) - set(domain.responses)
    status = dict(server or await action_server_status(agent))
    status["used_by"] = [a for a in actions if a in custom and not a.startswith("utter_")]
    return Check(
        text=text,
        language=language,
        country=country,
        sender_id=sender,
        detected_language=next((e["value"] for e in parse.get("entities", []) if e.get("entity") == "language"), None),
        answer_language=tracker.get_slot("language"),
        topic=(parse.get("intent") or {}).get("name"),
        confidence=float((parse.get("intent") or {}).get("confidence") or 0.0),
        candidates=ranking_after_top(parse),
        safety_fired=(parse.get("safety") or {}).get("fired"),
        safety_words=[
            {"sign": e["value"], "text": e.get("text"), "start": e.get("start"), "end": e.get("end")}
            for e in parse.get("entities", [])
            if e.get("entity") == "safety_sign"
        ],
        safety_ignored=(parse.get("safety") or {}).get("ignored", []),
        classifier_topic=(parse.get("safety") or {}).get("classifier_intent"),
        messages=[shown_message(m) for m in collector.messages],
        actions=actions,
        action_server=status,
    )


def ranking_after_top(parse: Dict[Text, Any], n: int = 2) -> List[Dict[Text, Any]]:
    """The next `n` candidate topics after the chosen one, with confidence."""
    top = (parse.get("intent") or {}).get("name")
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != top]
    return [{"name": r["name"], "confidence": float(r.get("confidence") or 0.0)} for r in ranking[:n]]
