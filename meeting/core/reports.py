"""The manager dashboard's pure parts: the period, shares, chart geometry, CSV. No Flask, no SQL."""
import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from meeting.core.i18n import N_

DEFAULT_WEEKS = 26
MAX_DAYS = 5 * 366


def period(raw_from: str | None, raw_to: str | None, today: date) -> tuple[date, date, str | None]:
    """The period asked for (default: the last 26 weeks), or the default and a message why not."""
    default = (today - timedelta(weeks=DEFAULT_WEEKS), today)
    if not raw_from and not raw_to:
        return *default, None
    try:
        start, end = date.fromisoformat(raw_from or ""), date.fromisoformat(raw_to or "")
    except ValueError:
        return *default, N_("Give the period as two dates (YYYY-MM-DD).")
    if start > end:
        return *default, N_("The period's start lies after its end.")
    if (end - start).days > MAX_DAYS:
        return *default, N_("Choose a period of at most five years.")
    return start, end, None


def share(part: int, whole: int) -> int | None:
    """A whole percentage, or None when there is nothing to divide by."""
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, in SVG user units."""
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str


def bars(values: list[tuple[str, float]], width: float = 600, height: float = 160) -> list[Bar]:
    """Lay out a bar per (label, value), scaled so the highest bar fills the height."""
    if not values:
        return []
    top = max(value for _, value in values) or 1
    slot = width / len(values)
    return [Bar(x=i * slot + slot * 0.1, y=height - value / top * height, width=slot * 0.8,
                height=value / top * height, value=value, label=label)
            for i, (label, value) in enumerate(values)]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """A text cell a spreadsheet would run as a formula gets a leading quote (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: list[str], rows: list[list]) -> str:
    """A CSV document with a header line; no text cell can start a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
    return out.getvalue()


def time_totals(meetings: list[dict]) -> dict:
    """Meeting time summed over the period: planned vs used per track, borrowed minutes, meetings overrun."""
    totals = {key: sum(m[key] for m in meetings) for key in (
        "acute_planned_seconds", "acute_used_seconds", "regular_planned_seconds", "regular_used_seconds",
        "borrowed_minutes")}
    totals["overrun"] = sum(1 for m in meetings if m["acute_used_seconds"] + m["regular_used_seconds"] > m["minutes"] * 60)
    totals["meetings"] = len(meetings)
    return totals
