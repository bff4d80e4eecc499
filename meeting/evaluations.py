"""Evaluation dates of a client's treatment: pure date arithmetic, no Flask, no SQL."""
from calendar import monthrange
from datetime import date

DEFAULT_INTERVAL_MONTHS = 6
LEGAL_MINIMUM_MONTHS = 12  # WGBO: the treatment plan is evaluated at least yearly


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def next_evaluation_due(treatment_start: date, last_evaluation: date | None,
                        interval_months: int = DEFAULT_INTERVAL_MONTHS) -> date:
    """The date the next evaluation is due: one interval after the last one, or after the start."""
    return add_months(last_evaluation or treatment_start, interval_months)


def treatment_months(treatment_start: date, today: date) -> int:
    """Whole months the treatment has run on `today` (0 before the first month is full)."""
    months = (today.year - treatment_start.year) * 12 + today.month - treatment_start.month
    if add_months(treatment_start, months) > today:
        months -= 1
    return max(months, 0)


def days_overdue(due: date, today: date) -> int:
    """Days past the due date; 0 when not yet due."""
    return max((today - due).days, 0)
