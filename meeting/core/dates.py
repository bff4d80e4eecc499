"""Reading dates the one way: from a form, a stored column or a timestamp. Pure."""
from datetime import date, datetime


def parse_date(value) -> date | None:
    """A date from a date, a datetime or ISO text (a stored timestamp counts by its date part);
    None when blank or not a valid date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if len(text) > 10 and text[10] in "T ":
        text = text[:10]
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
