"""Turn organisations of content/contacts.yml into lines of text, and say
whether a line with opening hours is open right now."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

from base.content import label, organisations
from base.opening_hours import DAY_KEYS, opening_status


def describe_hours(hours: Dict[Text, Any], language: Text) -> Text:
    """'Monday-Friday 09:30-16:30 UK time' in the given language."""
    days = hours["days"]
    first, last = label(days[0], language), label(days[-1], language)
    span = first if len(days) == 1 else f"{first}-{last}"
    zone = f" {label('uk_time', language)}" if hours["timezone"] == "Europe/London" else ""
    return f"{span} {hours['open']}-{hours['close']}{zone}"


def render_organisation(org_id: Text, language: Text) -> Text:
    """One list line: name, what it is for, phone (with hours) and link."""
    org = organisations()[org_id]
    parts = [f"- {org['name'][language]}: {org['what'][language]}"]
    if org.get("phone"):
        phones = org["phone"]
        if org.get("phone_alt"):
            phones = f"{phones} {label('or', language)} {org['phone_alt']}"
        line = f"{label('phone', language)}: {phones}"
        if org.get("hours"):
            line += f" ({describe_hours(org['hours'], language)})"
        parts.append(line + ".")
    for key in ("url", "chat_url"):
        if org.get(key):
            parts.append(org[key])
    return " ".join(parts)


def card(org_id: Text, language: Text) -> Dict[Text, Text]:
    """One organisation as a compact link card for the widget: its name, what
    it is for, its number(s) and hours, and its link (only the fields it has)."""
    org = organisations()[org_id]
    found = {"id": org_id, "name": org["name"][language], "what": org["what"][language]}
    if org.get("phone"):
        found["phone"] = str(org["phone"])
        if org.get("phone_alt"):
            found["phone_alt"] = str(org["phone_alt"])
        if org.get("hours"):
            found["hours"] = describe_hours(org["hours"], language)
    for key in ("url", "chat_url"):
        if org.get(key):
            found[key] = org[key]
    return found


def render_list(org_ids: Iterable[Text], language: Text) -> Text:
    """A bullet list of organisations, one per line."""
    return "\n".join(render_organisation(org_id, language) for org_id in org_ids)


def describe_moment(moment: datetime, now: datetime, language: Text) -> Text:
    """'today at 09:30', 'tomorrow at 09:30' or 'Monday at 09:30'."""
    local_now = now.astimezone(moment.tzinfo)
    if moment.date() == local_now.date():
        day = label("today", language)
    elif moment.date() == local_now.date() + timedelta(days=1):
        day = label("tomorrow", language)
    else:
        day = label(DAY_KEYS[moment.weekday()], language)
    return f"{day} {label('at', language)} {moment:%H:%M}"


def line_status(org_id: Text, now: datetime, language: Text) -> Optional[Tuple[Text, Dict[Text, Text]]]:
    """For an organisation with hours: the message key to send and its values."""
    org = organisations()[org_id]
    if not org.get("hours"):
        return None
    status = opening_status(org["hours"], now)
    values = {"line_name": org["name"][language]}
    if status.is_open:
        values["closes"] = f"{status.closes_at:%H:%M}"
        return "line_open_now", values
    values["next_open"] = describe_moment(status.next_open, now, language) if status.next_open else "?"
    return "line_closed_now", values


def orgs_with_hours(org_ids: Iterable[Text]) -> List[Text]:
    """The ids among `org_ids` that have opening hours."""
    return [org_id for org_id in org_ids if organisations()[org_id].get("hours")]
