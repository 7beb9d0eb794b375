"""After the urgent check ("is this happening now?") the answer "no: the
past, or it has gone on for a while": the information topic the message
was about (slot pending_topic, set by the safety detector), with its
signposts; the menu when there was none."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.menu_actions import menu_topics, topic_button
from actions.signpost_actions import send_signposts
from base.content import message, topics, user_country, user_language


class ActionAnswerPendingTopic(Action):
    """Answer the topic held back by the urgent check, then forget it."""

    def name(self) -> Text:
        return "action_answer_pending_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language, country = user_language(tracker), user_country(tracker)
        topic_id = tracker.get_slot("pending_topic")
        topic = topics().get(topic_id)
        if topic is None:
            buttons = [topic_button(t, language) for t in menu_topics()]
            dispatcher.utter_message(text=message("not_now_no_topic", language), buttons=buttons)
        else:
            dispatcher.utter_message(response=f"utter_{topic_id}")
            send_signposts(dispatcher, topic["signposts"][country], language, country)
        return [SlotSet("pending_topic", None)]
