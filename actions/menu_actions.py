"""The topic menu, and topic suggestions when the assistant is unsure."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.content import label, message, topics, user_language

SUGGESTIONS = 2


def topic_button(topic_id: Text, language: Text) -> Dict[Text, Text]:
    """A button that asks about a topic as if its intent had been recognised."""
    return {"title": topics()[topic_id]["title"][language], "payload": f"/{topic_id}"}


def likeliest_topics(intent_ranking: List[Dict[Text, Any]], count: int) -> List[Text]:
    """The `count` information topics ranked highest by the classifier."""
    ranked = sorted(intent_ranking or [], key=lambda i: i.get("confidence") or 0, reverse=True)
    found = [i["name"] for i in ranked if i.get("name") in topics()]
    return found[:count]


class ActionShowMenu(Action):
    """Offer the main topics as buttons."""

    def name(self) -> Text:
        return "action_show_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = user_language(tracker)
        buttons = [topic_button(t, language) for t, spec in topics().items() if spec.get("menu")]
        dispatcher.utter_message(text=message("menu", language), buttons=buttons)
        return []


class ActionSuggestTopics(Action):
    """Unsure what the user means: offer the two likeliest topics, or admit it."""

    def name(self) -> Text:
        return "action_suggest_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = user_language(tracker)
        candidates = likeliest_topics(tracker.latest_message.get("intent_ranking"), SUGGESTIONS)
        if not candidates:
            dispatcher.utter_message(response="utter_dont_know")
            return []
        buttons = [topic_button(t, language) for t in candidates]
        buttons.append({"title": label("none_of_these", language), "payload": "/deny"})
        dispatcher.utter_message(text=message("suggest_topics", language), buttons=buttons)
        return []
