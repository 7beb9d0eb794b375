"""What the user gets when a custom action fails (the action server is down,
unreachable or answers with an error): plain responses still arrive, but
the part of an answer that the action would have sent (signposts, the
menu, the helpline's opening hours, the support-group form) is missing.
The REST channel learns which actions failed from rasa_ext.action_failures
and then adds `outage_notice()`: a short apology with the helpline and the
emergency number of the user's country, from content/contacts.yml, in the
conversation's language (content/messages.yml, `action_server_down`).
"""

from __future__ import annotations

from typing import Any, Dict, Text

from base.content import message, user_country, user_language
from base.signposts import render_list

NOTICE_RESPONSE = "action_server_unavailable"
# Who to turn to per country when the assistant cannot answer in full.
OUTAGE_SIGNPOSTS = {
    "UK": ("sepsis_trust_helpline", "emergency_uk"),
    "NL": ("sepsis_en_daarna", "emergency_nl"),
}


def outage_notice(recipient_id: Text, tracker: Any) -> Dict[Text, Any]:
    """The message that tells the user part of the answer is missing and
    where to turn instead, in the conversation's language and country."""
    language = user_language(tracker) if tracker else "en"
    country = user_country(tracker) if tracker else "UK"
    text = message("action_server_down", language, signposts=render_list(OUTAGE_SIGNPOSTS[country], language))
    return {"recipient_id": recipient_id, "text": text, "response": NOTICE_RESPONSE}
