"""Reading dates the one way: from a form, a stored column or a timestamp. Pure."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meeting.core.i18n import N_

PLANNING_HORIZON = timedelta(days=2 * 366)  # meetings and sessions are planned at most about two years ahead
BEYOND_HORIZON = N_("Plan it at most two years ahead.")


def beyond_horizon(moment: datetime, now: datetime) -> bool:
    """Whether a meeting or session planned at `moment` lies further ahead than anyone plans one."""
    return moment > now + PLANNING_HORIZON


def parse_date(value) -> date | None:
    """A date from a date, a datetime or ISO text (a stored timestamp counts by its date part);
    None when blank or not a valid date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _parse_text(value)
    return _parse_text(str(value or ""))


def _parse_text(value: str) -> date | None:
    text = value.strip()
    if len(text) > 10 and text[10] in "T ":
        text = text[:10]
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def local_moment(day, at, timezone: str) -> datetime | None:
    """A posted day (YYYY-MM-DD) and time (HH:MM) as a moment in `timezone`; None when either is missing or wrong."""
    parsed = parse_date(day)
    try:
        # a missing day (None) raises the TypeError caught below
        return datetime.combine(parsed, time.fromisoformat(str(at or "")), tzinfo=ZoneInfo(timezone))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
