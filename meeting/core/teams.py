"""A team's meeting settings and their rules. No Flask, no SQL."""
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from meeting.core.i18n import N_
from meeting.core.items import deadline
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
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
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
    starts: list[datetime] = []
    while len(starts) < count:
        start = datetime.combine(day, time(hour, minute), tzinfo=zone)
        if start > local_now:
            starts.append(start)
        day += timedelta(days=7)
    return starts


# A meeting keeps its own copy of these team settings (meeting column -> team column), so that a frozen,
# running or closed meeting never changes under the chair; meetings not yet frozen follow the team.
MEETING_SETTINGS = {"minutes": "meeting_minutes", "acute_budget": "acute_budget",
                    "regular_budget": "regular_budget", "order_policy": "order_policy"}
SETTING_NAMES = {
    "meeting_minutes": N_("length"), "acute_budget": N_("acute budget"), "regular_budget": N_("regular budget"),
    "order_policy": N_("order"), "submission_deadline_hours": N_("submission deadline"),
}
SCHEDULE_FIELDS = ("meeting_weekday", "meeting_start", "timezone")


def override_column(column: str) -> str:
    """The meeting column that holds a chair's value for this meeting only (NULL: follow the team)."""
    return f"{column}_override"


def meeting_settings(team: Mapping, meeting: Mapping) -> dict:
    """What a meeting not yet frozen holds: per setting its own override, else the team's value; and its
    deadline from the team's submission deadline."""
    values: dict[str, Any] = {}
    for column, team_column in MEETING_SETTINGS.items():
        own = meeting[override_column(column)]
        values[column] = own if own is not None else team[team_column]
    values["deadline_at"] = deadline(datetime.fromisoformat(meeting["starts_at"]), team["submission_deadline_hours"])
    return values


def overrides(team: Mapping, values: Mapping) -> dict:
    """The override columns for a chair's values for one meeting: NULL where the value is the team's."""
    return {override_column(column): None if values[column] == team[team_column] else values[column]
            for column, team_column in MEETING_SETTINGS.items()}


def validate_meeting_times(form: Mapping) -> tuple[dict | None, dict]:
    """Check one meeting's length, budgets and order; return the values, or None and field → message."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for column, team_column in MEETING_SETTINGS.items():
        if column == "order_policy":
            continue
        number = _whole_number(form.get(column))
        lowest, highest = _WHOLE_NUMBER_LIMITS[team_column]
        if number is None or not lowest <= number <= highest:
            errors[column] = N_("Give a whole number from %(lowest)s to %(highest)s.")
        values[column] = number
    if form.get("order_policy") not in ORDER_POLICIES:
        errors["order_policy"] = N_("Choose an order policy.")
    values["order_policy"] = form.get("order_policy")
    if not errors and values["acute_budget"] + values["regular_budget"] > values["minutes"]:
        errors["regular_budget"] = N_("The acute and regular budgets together exceed the meeting length.")
    return (None, errors) if errors else (values, {})


def meeting_limits(column: str) -> dict:
    """The placeholders for a meeting field's message."""
    return limits(MEETING_SETTINGS.get(column, column))


@dataclass(frozen=True)
class SettingChange:
    """One changed team setting that meetings follow: field (team column), old and new value."""

    field: str
    old: object
    new: object


def setting_changes(team: Mapping, values: Mapping) -> list[SettingChange]:
    """The settings that meetings follow and that `values` change, in the order of SETTING_NAMES."""
    return [SettingChange(field, team[field], values[field]) for field in SETTING_NAMES
            if field in values and values[field] != team[field]]


def schedule_changed(team: Mapping, values: Mapping) -> bool:
    """Whether the weekday, start time or time zone changes (meetings created later follow it)."""
    return any(field in values and values[field] != team[field] for field in SCHEDULE_FIELDS)
