"""The form that leaves a message for the support team: consent first, then
how to be contacted (phone, email or not at all), the number or address,
a good time, the message, and a summary to send or change.

Every answer is read from the text as typed (the slots' from_text mappings),
so the classifier's guess about a message never derails the form; the form's
own buttons carry a `support_choice` entity instead. "stop", red flags and
crises never reach these checks: the form is rejected and the rules answer."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.support_team import is_on, team
from base.content import label, user_country, user_language
from inbox.contact import parse_email, parse_phone
from inbox.store import MAX_BEST_TIME, MAX_TEXT

MAX_CHARS = MAX_TEXT  # what the store keeps
SURE = 0.5  # the classifier's confidence for a yes or no without the words for it
METHODS = ("phone", "email", "none")
TIMES = {"morning": "time_morning", "afternoon": "time_afternoon", "any": "time_any"}
CHANGES = {
    "change_contact": ("support_contact_method", "support_contact", "support_best_time"),
    "change_time": ("support_best_time",),
    "change_message": ("support_message",),
}
FORM_SLOTS = (
    "support_consent",
    "support_contact_method",
    "support_contact",
    "support_best_time",
    "support_message",
    "support_confirm",
)
# The fixed answers after which the form goes on (data/rules/support_message_form.yml).
ESCALATIONS = ("utter_red_flag", "utter_crisis", "utter_crisis_relative")
ESCALATION_INTENTS = ("red_flag", "crisis")
PAYLOAD = re.compile(r"^/\w+(\{.*\})?$", re.DOTALL)
# Control characters other than tab and newline (a NUL is refused by PostgreSQL).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
YES = re.compile(r"^(yes|yeah|yep|ok|okay|sure|fine|i agree|agree|ja|jawel|oke|oké|prima|goed|akkoord|is goed)\b", re.I)
NO = re.compile(r"^(no|nope|nah|nee|liever niet)\b", re.I)
NO_CONTACT = re.compile(
    r"(don'?t|do not|no|niet|geen)\s+(need to\s+)?contact|just read|only read|alleen lezen|alleen lees|hoeft niet",
    re.I,
)
BY_EMAIL = re.compile(r"e-?mail|\bmail", re.I)
BY_PHONE = re.compile(r"phone|call|ring|\bbel|telefo|mobiel|mobile|nummer|number", re.I)
CHANGE_WORDS = (
    ("change_message", re.compile(r"message|bericht|text|tekst", re.I)),
    ("change_time", re.compile(r"time|tijd|when|wanneer|moment", re.I)),
    ("change_contact", re.compile(r"contact|phone|number|mail|address|nummer|adres|telefo|bel", re.I)),
)
LABELS = {"send": "send_message"}  # a choice's label in content/messages.yml, where it differs
SEND = re.compile(r"^(send|yes|ok|okay|verstuur|versturen|ja|prima|goed)\b", re.I)


# ------------------------------------------------------------------ reading answers
def choice(tracker: Tracker) -> Optional[Text]:
    """The value of a `support_choice` button of the form, if one was pressed."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "support_choice" and isinstance(entity.get("value"), str):
            return entity["value"]
    return None


def intent(tracker: Tracker, sure: bool = False) -> Text:
    """The latest message's intent; with `sure`, only a confident one (a yes
    or no that matters, such as consent, is never a guess)."""
    found = tracker.latest_message.get("intent") or {}
    if sure and (found.get("confidence") or 0) < SURE:
        return ""
    return found.get("name") or ""


def escalated_now(tracker: Tracker) -> bool:
    """Whether a red flag or crisis answer was given since the user's last message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") in ESCALATIONS:
            return True
    return False


def typed(value: Any) -> Text:
    """A slot value as text, without control characters and outer spaces."""
    return CONTROL.sub("", value).strip() if isinstance(value, str) else ""


def yes_or_no(value: Any, tracker: Tracker) -> Optional[bool]:
    """True for yes, False for no, None when the answer is neither (a value
    already checked, when the form picks up again, stays)."""
    if isinstance(value, bool):
        return value
    text = typed(value)
    if not choice(tracker) and not PAYLOAD.match(text) and text:
        if NO.match(text):
            return False
        if YES.match(text):
            return True
    return {"affirm": True, "deny": False}.get(intent(tracker, sure=True))


def contact_method(value: Any, tracker: Tracker) -> Tuple[Optional[Text], Optional[Text]]:
    """(method, contact) from a button or the words typed; a phone number or
    email address typed straight away gives both."""
    pressed = choice(tracker)
    if pressed in METHODS:
        return pressed, None
    if value in METHODS:  # checked before: the form picks up again
        return value, tracker.get_slot("support_contact")
    text = typed(value)
    if not text or PAYLOAD.match(text):
        return None, None
    address = parse_email(text)
    if address:
        return "email", address
    number = phone_number(text, user_country(tracker))
    if number:
        return "phone", number
    if NO_CONTACT.search(text):
        return "none", None
    if BY_EMAIL.search(text):
        return "email", None
    if BY_PHONE.search(text):
        return "phone", None
    return None, None


def phone_number(text: Text, country: Text) -> Optional[Text]:
    """A Dutch or British number in international form (+31..., +44...); one
    starting with 0 is read as a number of the user's country first, then of
    the other. The team calls in these two countries only."""
    for place in (country, "UK" if country == "NL" else "NL"):
        number = parse_phone(text, place)
        if number and number.startswith(("+31", "+44")):
            return number
    return None


def confirm_choice(value: Any, tracker: Tracker) -> Optional[Text]:
    """'send', a key of CHANGES, 'which' (no, but what to change?) or None."""
    pressed = choice(tracker)
    if pressed == "send" or pressed in CHANGES:
        return pressed
    if value is True:
        return "send"
    text = typed(value)
    if text and not PAYLOAD.match(text):
        for key, words in CHANGE_WORDS:
            if words.search(text) and re.search(r"change|wijzig|verander|aanpass|anders|edit", text, re.I):
                return key
        if SEND.match(text):
            return "send"
    return {"affirm": "send", "deny": "which"}.get(intent(tracker, sure=True))


def message_text(value: Any) -> Text:
    """The message as typed (HTML, script and emoji stay text), without control characters."""
    text = typed(value)
    return "" if PAYLOAD.match(text) else text


# ------------------------------------------------------------------ the form
def needed_slots(tracker: Tracker) -> List[Text]:
    """The form's questions for this user: none when the inbox is off;
    only consent until it is given; contact and time only when wanted."""
    if not is_on(user_country(tracker)):
        return []
    if tracker.get_slot("support_consent") is not True:
        return ["support_consent"]
    slots = ["support_consent", "support_contact_method"]
    if tracker.get_slot("support_contact_method") in ("phone", "email"):
        slots += ["support_contact", "support_best_time"]
    return slots + ["support_message", "support_confirm"]


class ValidateSupportMessageForm(FormValidationAction):
    """Checks each answer; a wrong one is explained and asked again."""

    def name(self) -> Text:
        return "validate_support_message_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return needed_slots(tracker)

    async def extract_support_message(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """A message that set off a red flag or crisis answer is still the
        user's message: after that fixed answer, it is taken as typed."""
        if (
            tracker.get_slot("requested_slot") == "support_message"
            and tracker.get_slot("support_message") is None
            and intent(tracker) in ESCALATION_INTENTS
            and escalated_now(tracker)
        ):
            return {"support_message": tracker.latest_message.get("text")}
        return {}

    def validate_support_consent(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"support_consent": yes_or_no(slot_value, tracker)}

    def validate_support_contact_method(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        method, contact = contact_method(slot_value, tracker)
        if method is None:
            dispatcher.utter_message(response="utter_support_choose")
        found: Dict[Text, Any] = {"support_contact_method": method, "support_contact": contact}
        if method == "none":
            found["support_best_time"] = None
        return found

    def validate_support_contact(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text, method = typed(slot_value), tracker.get_slot("support_contact_method")
        if method == "email":
            contact = parse_email(text)
        else:
            contact = phone_number(text, user_country(tracker))
        if contact is None:
            invalid = "utter_support_email_invalid" if method == "email" else "utter_support_phone_invalid"
            dispatcher.utter_message(response=invalid)
        return {"support_contact": contact}

    def validate_support_best_time(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        pressed = choice(tracker)
        if pressed in TIMES:
            return {"support_best_time": label(TIMES[pressed], user_language(tracker))}
        text = message_text(slot_value)
        return {"support_best_time": text[:MAX_BEST_TIME] or None}

    def validate_support_message(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = message_text(slot_value)
        if len(text) > MAX_CHARS:
            language = user_language(tracker)
            dispatcher.utter_message(
                response="utter_support_message_too_long",
                length=number(len(text), language),
                max_chars=number(MAX_CHARS, language),
            )
            return {"support_message": None}
        return {"support_message": text or None}

    def validate_support_confirm(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        picked = confirm_choice(slot_value, tracker)
        if picked == "send":
            return {"support_confirm": True}
        if picked in CHANGES:
            return {"support_confirm": None, **{slot: None for slot in CHANGES[picked]}}
        dispatcher.utter_message(response="utter_support_which_change" if picked else "utter_support_choose")
        return {"support_confirm": None}


def number(value: int, language: Text) -> Text:
    """2000 as '2,000' (en) or '2.000' (nl)."""
    written = f"{value:,}"
    return written.replace(",", ".") if language == "nl" else written


# ------------------------------------------------------------------ the questions
def button(key: Text, language: Text, payload: Text) -> Dict[Text, Text]:
    return {"title": label(key, language), "payload": payload}


def chosen(value: Text) -> Text:
    """The payload of a form button: affirm, carrying the choice."""
    return '/affirm{"support_choice": "' + value + '"}'


def asked_again(tracker: Tracker, slot: Text) -> bool:
    """Whether the user's last message answered this same question (so it is asked again)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == "requested_slot":
            return event.get("value") == slot
    return False


def team_name(tracker: Tracker) -> Text:
    found = team(user_country(tracker))
    language = user_language(tracker)
    return found.name(language) if found else label("leave_message", language)


Message = Dict[Text, Any]  # the keyword arguments of one dispatcher.utter_message


class AskSupport(Action, ABC):
    """Ask one question of the form; after a red flag or crisis answer, first
    say that the message can go on and will be marked urgent."""

    slot: Text = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    @abstractmethod
    def question(self, tracker: Tracker, language: Text) -> List[Message]:
        """The messages that ask the question."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if escalated_now(tracker):
            dispatcher.utter_message(response="utter_support_go_on")
        for sent in self.question(tracker, user_language(tracker)):
            dispatcher.utter_message(**sent)
        return []


class AskConsent(AskSupport):
    slot = "support_consent"

    def question(self, tracker: Tracker, language: Text) -> List[Message]:
        found = team(user_country(tracker))
        again = asked_again(tracker, self.slot)
        return [
            {
                "response": "utter_support_consent_again" if again else "utter_support_consent",
                "team": team_name(tracker),
                "days": found.retention_days if found else "",
                "buttons": [button("consent_yes", language, "/affirm"), button("consent_no", language, "/deny")],
            }
        ]


class AskContactMethod(AskSupport):
    slot = "support_contact_method"

    def question(self, tracker: Tracker, language: Text) -> List[Message]:
        buttons = [button(f"contact_{m}", language, chosen(m)) for m in METHODS]
        return [{"response": "utter_support_ask_method", "team": team_name(tracker), "buttons": buttons}]


class AskContact(AskSupport):
    slot = "support_contact"

    def question(self, tracker: Tracker, language: Text) -> List[Message]:
        email = tracker.get_slot("support_contact_method") == "email"
        return [{"response": "utter_support_ask_email" if email else "utter_support_ask_phone"}]


class AskBestTime(AskSupport):
    slot = "support_best_time"

    def question(self, tracker: Tracker, language: Text) -> List[Message]:
        buttons = [button(key, language, chosen(value)) for value, key in TIMES.items()]
        return [{"response": "utter_support_ask_time", "buttons": buttons}]


class AskMessage(AskSupport):
    slot = "support_message"

    def question(self, tracker: Tracker, language: Text) -> List[Message]:
        return [{"response": "utter_support_ask_message", "max_chars": number(MAX_CHARS, language)}]


class AskConfirm(AskSupport):
    """The summary, sent as plain text: what the user typed is never read
    as a template."""

    slot = "support_confirm"

    def question(self, tracker: Tracker, language: Text) -> List[Message]:
        choices = ["send", "change_contact"]
        if tracker.get_slot("support_contact_method") != "none":
            choices.append("change_time")
        buttons = [
            button(c if c != "send" else "send_message", language, chosen(c)) for c in choices + ["change_message"]
        ]
        buttons.append(button("stop_message", language, "/stop"))
        return [
            {"response": "utter_support_summary", "team": team_name(tracker)},
            {"text": details(tracker, language), "buttons": buttons},
        ]


def details(tracker: Tracker, language: Text) -> Text:
    """The summary's lines: how to reach the user, when, and the message."""
    method = tracker.get_slot("support_contact_method")
    if method in ("phone", "email"):
        how = f"{label('by_' + method, language)}, {tracker.get_slot('support_contact')}"
        lines = [f"- {label('summary_contact', language)}: {how}"]
        lines.append(f"- {label('summary_time', language)}: {tracker.get_slot('support_best_time')}")
    else:
        lines = [f"- {label('summary_contact', language)}: {label('no_contact', language)}"]
    text = tracker.get_slot("support_message") or ""
    return "\n".join(lines) + f"\n\n{label('summary_message', language)}:\n{text}"
