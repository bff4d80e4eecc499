"""Who is reminded of what by e-mail, and when. Pure: every rule takes `now` (or a moment) and plain values.

Each reminder kind is one a person can turn off; the team's chair sets the team's defaults; a person's own
choice wins. Nothing is sent in the evening or at the weekend (quiet hours, the recipient's team's local
time) unless the person chose mail at any time: a mail then waits for the next working morning.
"""
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meeting.core.evaluations import add_months
from meeting.core.i18n import N_

KINDS = ("deadline", "actions", "evaluations", "minutes", "rating", "session")
KIND_LABELS = {
    "deadline": N_("The submission deadline of a meeting, a day before (it concerns me when I have a client due for"
                   " review or an item still to prepare)"),
    "actions": N_("My actions due before the next meeting (two days before it)"),
    "evaluations": N_("My clients' evaluations with the client due within four weeks (weekly, on Monday)"),
    "minutes": N_("The minutes of a meeting are ready"),
    "rating": N_("A reminder to rate a meeting I have not rated yet (the day after)"),
    "session": N_("A complex-case session I present in or am invited to, while its preparation is open"),
}
CHOICES = {kind: ("on", "off") for kind in KINDS} | {"deadline": ("relevant", "always", "off")}
CHOICE_LABELS = {
    "on": N_("Send"),
    "off": N_("Do not send"),
    "relevant": N_("When it concerns me"),
    "always": N_("Always"),
}
BUILT_IN = {kind: "on" for kind in KINDS} | {"deadline": "relevant"}
WORKDAY_STARTS, EVENING_STARTS = time(8, 0), time(18, 0)
EVALUATION_HORIZON_DAYS = 28
LEGAL_MINIMUM_MONTHS = 12
DEFAULT_REMINDER_TIME = "09:00"
REMINDER_TIME_INVALID = N_("Give a time between 08:00 and 17:59 (hours and minutes), outside the quiet hours.")


def choice(kind: str, own: str | None, team_default: str | None) -> str:
    """A person's effective choice for `kind`: their own, else the team's default, else the built-in one."""
    for candidate in (own, team_default):
        if candidate in CHOICES[kind]:
            return candidate  # type: ignore[return-value]  # the choices are strings, so never None
    return BUILT_IN[kind]


def wants(choice_made: str, relevant: bool) -> bool:
    """Whether a person with this choice gets the reminder (only 'always' reaches someone it does not concern)."""
    return choice_made == "always" or (choice_made in ("on", "relevant") and relevant)


def recipients(kind: str, concerned: Mapping[int, bool], own: Mapping[int, str], team_default: str | None) -> list[int]:
    """The user ids who get a reminder of `kind`: `concerned` maps each candidate to whether it concerns them."""
    return sorted(user_id for user_id, relevant in concerned.items()
                  if wants(choice(kind, own.get(user_id), team_default), relevant))


def is_quiet(moment: datetime, timezone: str) -> bool:
    """Evenings, nights and weekends in `timezone`."""
    local = moment.astimezone(ZoneInfo(timezone))
    return local.weekday() >= 5 or not WORKDAY_STARTS <= local.time() < EVENING_STARTS


def first_moment_allowed(moment: datetime, timezone: str | None) -> datetime:
    """`moment`, or when it falls in the quiet hours of `timezone` the next working morning (None: any time)."""
    if timezone is None or not is_quiet(moment, timezone):
        return moment
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    day = local.date() if local.time() < WORKDAY_STARTS else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, WORKDAY_STARTS, tzinfo=zone).astimezone(moment.tzinfo)


def reminder_time_error(text: str) -> str | None:
    """A team's reminder time must be HH:MM within working hours (else every reminder would wait anyway)."""
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        return REMINDER_TIME_INVALID
    if len(text) != 5 or not WORKDAY_STARTS <= parsed < EVENING_STARTS:
        return REMINDER_TIME_INVALID
    return None


def at_local_time(day: date, reminder_time: str, timezone: str) -> datetime:
    """The moment `reminder_time` (HH:MM) on `day` in `timezone`, in UTC."""
    local = datetime.combine(day, time.fromisoformat(reminder_time), tzinfo=ZoneInfo(timezone))
    return local.astimezone(ZoneInfo("UTC"))


def days_before(moment: datetime, days: int, reminder_time: str, timezone: str) -> datetime:
    """The reminder time on the local day `days` before the local day of `moment`."""
    day = moment.astimezone(ZoneInfo(timezone)).date() - timedelta(days=days)
    return at_local_time(day, reminder_time, timezone)


def deadline_reminder_at(deadline_at: datetime, reminder_time: str, timezone: str) -> datetime:
    """A day before the submission deadline's day, at the team's reminder time."""
    return days_before(deadline_at, 1, reminder_time, timezone)


def actions_reminder_at(meeting_start: datetime, reminder_time: str, timezone: str) -> datetime:
    """Two days before the meeting's day, at the team's reminder time."""
    return days_before(meeting_start, 2, reminder_time, timezone)


def session_reminder_at(session_start: datetime, reminder_time: str, timezone: str) -> datetime:
    """Two days before a complex-case session's day, at the team's reminder time."""
    return days_before(session_start, 2, reminder_time, timezone)


def rating_reminder_at(ended_at: datetime, reminder_time: str, timezone: str) -> datetime:
    """The day after the meeting ended, at the team's reminder time."""
    return days_before(ended_at, -1, reminder_time, timezone)


def digest_week(now: datetime, reminder_time: str, timezone: str) -> tuple[str, datetime]:
    """This week's digest: its period key (ISO year and week) and its moment, Monday at the reminder time."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    monday = today - timedelta(days=today.weekday())
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", at_local_time(monday, reminder_time, timezone)


def is_due(at: datetime, now: datetime, until: datetime) -> bool:
    """A reminder is sent once its moment has come, and only while what it reminds of is still ahead."""
    return at <= now < until


def evaluation_with_client_due(treatment_start: date, last_with_client: date | None) -> date:
    """The day by which the next evaluation with the client must take place: 12 months after the last one (or the
    start)."""
    return add_months(last_with_client or treatment_start, LEGAL_MINIMUM_MONTHS)


def evaluations_falling_due(clients: Iterable[tuple[date, date | None]], today: date) -> int:
    """How many of (treatment start, last evaluation with the client) are due within four weeks or overdue."""
    horizon = today + timedelta(days=EVALUATION_HORIZON_DAYS)
    return sum(evaluation_with_client_due(start, last) <= horizon for start, last in clients)


def missing_preparation(item: Mapping) -> bool:
    """A question or issue brought in with nothing prepared beyond its need."""
    prepared = ("current_state", "request_and_start", "tried_towards_finishing", "finishing_hard", "evaluation_prep")
    return item["label"] != "announcement" and not any(item.get(field) for field in prepared)
