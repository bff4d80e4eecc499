"""Reading dates the one way: from a form, a stored column or a timestamp. Pure."""
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo


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


@lru_cache(maxsize=16384)  # a register's dates repeat: five years hold fewer than 2,000 days
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
        return datetime.combine(parsed, time.fromisoformat(str(at or "")), tzinfo=ZoneInfo(timezone))
    except (TypeError, ValueError):
        return None
