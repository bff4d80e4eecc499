"""Agreed actions and the look back: only "done" closes an action; "not done" and "moved" keep it open.

Seed 001, ch. 2: a conversation looks back at what was agreed and ahead at what comes next. Pure:
no Flask, no SQL.
"""
from datetime import date

from meeting.core.dates import BEYOND_HORIZON, PLANNING_HORIZON, parse_date
from meeting.core.i18n import N_

REVIEWS = {"done": N_("Done"), "not_done": N_("Not done"), "moved": N_("Moved")}
REVIEW_TEXTS = {  # how the look back reads once reviewed (the minutes, the projector)
    "done": N_("done"),
    "not_done": N_("not done, stays open"),
    "moved": N_("moved to %(day)s"),
}


def status_after(review: str) -> str:
    """The action's status after a look back: closed only when done."""
    if review not in REVIEWS:
        raise ValueError(f"unknown review {review!r}")
    return "done" if review == "done" else "open"


def validate_review(review: str | None, new_due: str | None, today: date) -> dict[str, str]:
    """A review is one of REVIEWS; a move needs a new due date after today, at most about two years ahead.
    Field -> message."""
    if review not in REVIEWS:
        return {"status": N_("Choose done, not done or moved.")}
    if review != "moved":
        return {}
    due = parse_date(new_due)
    if not (new_due or "").strip():
        return {"due": N_("A moved action needs a new due date.")}
    if due is None:
        return {"due": N_("Enter a date as YYYY-MM-DD.")}
    if due <= today:
        return {"due": N_("The new due date must be after today.")}
    if due > today + PLANNING_HORIZON:
        return {"due": BEYOND_HORIZON}
    return {}
