"""Actions that point the user to organisations: after a topic answer, and
when an answer did not help."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import clock
from actions.relatives import about_someone_close, note_for
from actions.support_team import offer_buttons
from base.content import label, message, topics, user_country, user_language
from base.signposts import card, line_status, orgs_with_hours, render_list

# After "did this help? - no", and in the fallback: who to talk to.
PERSON_TO_TALK_TO = {"UK": ["sepsis_trust_helpline"], "NL": ["sepsis_en_daarna"]}
# When the line is closed: who else can help meanwhile.
WHILE_CLOSED = {"UK": ["nhs_111", "samaritans"], "NL": ["huisarts", "zelfmoordpreventie_113"]}


def send_signposts(
    dispatcher: CollectingDispatcher,
    org_ids: List[Text],
    language: Text,
    country: Text,
    buttons: Sequence[Dict[Text, Text]] = (),
    opening_status: bool = True,
) -> None:
    """Send the organisations as one message: a text list, and the same as
    link cards (`cards`) for the widget, which draws them inside the answer
    above. With `opening_status`, then say whether each line is open now;
    only answers about reaching a person do (a topic's `opening_status`)."""
    if not org_ids:
        return
    dispatcher.utter_message(
        text=message("signposts", language, signposts=render_list(org_ids, language)),
        buttons=list(buttons),
        cards=[card(org_id, language) for org_id in org_ids],
    )
    if not opening_status:
        return
    for org_id in orgs_with_hours(org_ids):
        status = line_status(org_id, clock.now(), language)
        if status is None:
            continue
        key, values = status
        if key == "line_closed_now":
            values["alternatives"] = render_list(WHILE_CLOSED[country], language)
        dispatcher.utter_message(text=message(key, language, **values))


def offer_person(dispatcher: CollectingDispatcher, language: Text, country: Text, message_button: bool = True) -> None:
    """A person to talk to (the helpline in the UK, Sepsis en daarna in the
    Netherlands) and, when the support team's inbox is on, a button to leave
    the team a message."""
    buttons = offer_buttons(country, language) if message_button else []
    send_signposts(dispatcher, PERSON_TO_TALK_TO[country], language, country, buttons)


class ActionSignpost(Action):
    """After a topic answer: a note for relatives when the user writes about
    someone close to them, then the organisations for that topic in the
    user's country (whether a line is open now only for topics marked
    `opening_status` in content/topics.yml)."""

    def name(self) -> Text:
        return "action_signpost"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        topic_id = (tracker.latest_message.get("intent") or {}).get("name") or ""
        topic = topics().get(topic_id)
        if topic is None:
            return []
        language, country = user_language(tracker), user_country(tracker)
        note = note_for(topic_id)
        if note and about_someone_close(tracker.latest_message.get("text")):
            dispatcher.utter_message(response=note)
        buttons = []
        if topic_id == "support_groups" and country == "UK":
            buttons = [{"title": label("find_group", language), "payload": "/find_support_group"}]
        elif topic_id == "helpline":
            buttons = offer_buttons(country, language)
        send_signposts(
            dispatcher,
            topic["signposts"][country],
            language,
            country,
            buttons,
            opening_status=bool(topic.get("opening_status")),
        )
        return []


class ActionOfferHelpline(Action):
    """Offer a person to talk to: the helpline (UK) or Sepsis en daarna (NL),
    and a message for the support team when its inbox is on."""

    def name(self) -> Text:
        return "action_offer_helpline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        offer_person(dispatcher, user_language(tracker), user_country(tracker))
        return []
