"""The topic menu, and topic suggestions when the assistant is unsure."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.signpost_actions import offer_person
from base.content import label, message, topics, user_country, user_language

SUGGESTIONS = 2
# Ways in for relatives and bereaved people: their topic and the label of
# content/messages.yml used when the assistant is unsure. The menu lists these
# topics last, after the topics for survivors, and its text mentions them.
WAYS_IN = {"carers": "caring_for_someone", "bereavement": "lost_someone"}


def topic_button(topic_id: Text, language: Text) -> Dict[Text, Text]:
    """A button that asks about a topic as if its intent had been recognised."""
    return {"title": topics()[topic_id]["title"][language], "payload": f"/{topic_id}"}


def way_in_button(topic_id: Text, language: Text) -> Dict[Text, Text]:
    """A way in for relatives or bereaved people ('I lost someone')."""
    return {"title": label(WAYS_IN[topic_id], language), "payload": f"/{topic_id}"}


def menu_topics() -> List[Text]:
    """The menu's topics: those marked `menu: true`, survivors' topics first
    (in catalogue order), then the ways in for relatives and bereaved people."""
    first = [t for t, spec in topics().items() if spec.get("menu") and t not in WAYS_IN]
    return first + [t for t in WAYS_IN if t in topics()]


def likeliest_topics(intent_ranking: List[Dict[Text, Any]], count: int) -> List[Text]:
    """The `count` information topics ranked highest by the classifier."""
    ranked = sorted(intent_ranking or [], key=lambda i: i.get("confidence") or 0, reverse=True)
    found = [i["name"] for i in ranked if i.get("name") in topics()]
    return found[:count]


class ActionShowMenu(Action):
    """Offer the main topics as buttons, including the ways in for relatives
    and bereaved people."""

    def name(self) -> Text:
        return "action_show_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = user_language(tracker)
        buttons = [topic_button(t, language) for t in menu_topics()]
        dispatcher.utter_message(text=message("menu", language), buttons=buttons)
        return []


class ActionSuggestTopics(Action):
    """Unsure what the user means: offer the two likeliest topics and the ways
    in for relatives and bereaved people, or admit it (utter_dont_know, which
    has the ways in as buttons) and offer a person to talk to."""

    def name(self) -> Text:
        return "action_suggest_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = user_language(tracker)
        candidates = likeliest_topics(tracker.latest_message.get("intent_ranking"), SUGGESTIONS)
        if not candidates:
            dispatcher.utter_message(response="utter_dont_know")
            offer_person(dispatcher, language, user_country(tracker))
            return []
        buttons = [topic_button(t, language) for t in candidates]
        buttons += [way_in_button(t, language) for t in WAYS_IN if t not in candidates]
        buttons.append({"title": label("none_of_these", language), "payload": "/deny"})
        dispatcher.utter_message(text=message("suggest_topics", language), buttons=buttons)
        return []
