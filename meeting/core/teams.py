"""A team's meeting settings and their rules. No Flask, no SQL."""
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo
from zoneinfo import available_timezones

from meeting.core.i18n import N_
from meeting.core.text import CONTROL_CHARACTERS, has_control_characters

ORDER_POLICIES = {
    "acute_first": N_("Acute first, strictly time-boxed"),
    "regular_first": N_("Regular reviews first"),
}
ROLES = {"member": N_("Member"), "chair": N_("Chair"), "manager": N_("Manager")}
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
            N_("Saturday"), N_("Sunday"))
DEFAULTS = {
    "meeting_weekday": 1, "meeting_start": "13:30", "meeting_minutes": 90,
    "acute_budget": 30, "regular_budget": 60, "order_policy": "acute_first",
    "evaluation_interval_months": 6, "submission_deadline_hours": 24,
    "timezone": "Europe/Amsterdam", "minutes_announcement": 2, "minutes_question": 5,
    "minutes_issue": 10, "auto_add_due_reviews": 0,
}
_WHOLE_NUMBER_LIMITS = {  # field: (lowest, highest)
    "meeting_minutes": (15, 480), "acute_budget": (0, 480), "regular_budget": (0, 480),
    "evaluation_interval_months": (1, 12), "submission_deadline_hours": (0, 168),
    "minutes_announcement": (1, 60), "minutes_question": (1, 60), "minutes_issue": (1, 120),
}
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def team_name_error(name: str) -> str | None:
    """Why `name` cannot name a team, or None."""
    if has_control_characters(name):
        return CONTROL_CHARACTERS
    if not 2 <= len(name) <= 80:
        return N_("A team name has 2 to 80 characters.")
    return None


def validate_settings(form: dict) -> tuple[dict | None, dict]:
    """Check a team settings form; return the values, or None and a field → message dict."""
    values, errors = {}, {}
    for field, (lowest, highest) in _WHOLE_NUMBER_LIMITS.items():
        number = _whole_number(form.get(field))
        if number is None or not lowest <= number <= highest:
            errors[field] = N_("Give a whole number from %(lowest)s to %(highest)s.")
        values[field] = number
    weekday = _whole_number(form.get("meeting_weekday"))
    if weekday is None or not 0 <= weekday <= 6:
        errors["meeting_weekday"] = N_("Choose a weekday.")
    start = (form.get("meeting_start") or "").strip()
    if not _TIME.fullmatch(start):
        errors["meeting_start"] = N_("Give the start time as HH:MM, for example 13:30.")
    if form.get("order_policy") not in ORDER_POLICIES:
        errors["order_policy"] = N_("Choose an order policy.")
    if form.get("timezone") not in available_timezones():
        errors["timezone"] = N_("Choose a time zone such as Europe/Amsterdam.")
    if not errors and values["acute_budget"] + values["regular_budget"] > values["meeting_minutes"]:
        errors["regular_budget"] = N_("The acute and regular budgets together exceed the meeting length.")
    values |= {"meeting_weekday": weekday, "meeting_start": start, "order_policy": form.get("order_policy"),
               "timezone": form.get("timezone"), "auto_add_due_reviews": int(bool(form.get("auto_add_due_reviews")))}
    return (None, errors) if errors else (values, {})


def limits(field: str) -> dict:
    """The placeholders for a whole-number field's message."""
    lowest, highest = _WHOLE_NUMBER_LIMITS.get(field, (0, 0))
    return {"lowest": lowest, "highest": highest}


def _whole_number(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def upcoming_meeting_starts(team: dict, now: datetime, count: int = 1) -> list[datetime]:
    """The next `count` meeting starts after `now` from the weekly schedule, in the team's zone (DST-safe)."""
    zone = ZoneInfo(team["timezone"])
    local_now = now.astimezone(zone)
    hour, minute = (int(part) for part in team["meeting_start"].split(":"))
    day = local_now.date() + timedelta(days=(team["meeting_weekday"] - local_now.weekday()) % 7)
    starts = []
    while len(starts) < count:
        start = datetime.combine(day, time(hour, minute), tzinfo=zone)
        if start > local_now:
            starts.append(start)
        day += timedelta(days=7)
    return starts
