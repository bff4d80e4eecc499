"""Closing an item: what a decision must record per label and track, deferral, next evaluation,
treatment milestones, carry-over labels and the bell's rate limit. Pure: no Flask, no SQL.

Validators return a dict field -> N_ message (empty: valid), like every form in Belletje.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from meeting.core.dates import parse_date
from meeting.core.evaluations import (
    DEFAULT_INTERVAL_MONTHS,
    LEGAL_MINIMUM_MONTHS,
    add_months,
    milestone_kind,
    next_evaluation_due,
)
from meeting.core.i18n import N_
from meeting.core.text import TextField, text_error

OUTCOMES = {
    "continue_adjusted": N_("Continue with adjusted goals"),
    "continue_unchanged": N_("Continue unchanged (reason required)"),
    "step_down": N_("Step down to lower-intensity care "
                    "(basic mental-health care, GP with mental-health nurse)"),
    "finish": N_("Finish the treatment"),
    "consultation": N_("Ask for external consultation"),
    "other": N_("Other"),
}
ANNOUNCEMENT_OUTCOMES = {
    "approved": N_("Approved"),
    "noted": N_("Noted"),
    "not_agreed": N_("Not agreed: becomes an issue next meeting"),
}
EXEMPLARY_SITUATIONS = {  # seed 000: 83% of consultations on stuck treatments
    "self_harm": N_("Self-harm"),
    "aggression": N_("Aggression"),
    "self_neglect": N_("Self-neglect"),
    "socially_transgressive": N_("Socially transgressive behaviour"),
    "other": N_("Other"),
}
BELL_REASONS = {
    "long_story": N_("Long story"),
    "not_answering": N_("Not answering the question"),
    "off_point": N_("Off the point"),
    "no_decision": N_("No decision"),
    "over_time": N_("Over time"),
}
NEEDS_MET = {"yes": N_("Yes"), "partly": N_("Partly"), "no": N_("No")}
YES_NO = {"yes": N_("Yes"), "no": N_("No")}
WORDED_BY = {"presenter": N_("Presenter"), "chair": N_("Chair")}
MILESTONES = {
    "one_year": N_("One year of treatment: why continue, what do we still want to achieve?"),
    "two_year": N_("Two years of treatment: invite a colleague to question the extension."),
}
LEAVING_OUTCOMES = ("finish", "step_down")
ONE_YEAR_MONTHS = 12
TWO_YEAR_MONTHS = 24
BELL_INTERVAL = timedelta(seconds=10)  # one ring per person per 10 seconds

_BAD_DATE = N_("Enter a date as YYYY-MM-DD.")


@dataclass(frozen=True)
class Phrase:
    """A translatable text with values: render as gettext(msgid, **params)."""
    msgid: str
    values: tuple[tuple[str, int], ...] = ()

    @property
    def params(self) -> dict[str, int]:
        """The values as keyword arguments for gettext."""
        return dict(self.values)

    def __str__(self) -> str:
        return self.msgid % self.params


def _text(form: Mapping, name: str) -> str:
    """The stripped text of a form field; '' when absent."""
    value = form.get(name)
    return "" if value is None else str(value).strip()


def _choice(form: Mapping, name: str, choices: Mapping, message: str) -> dict[str, str]:
    """{name: message} unless the field holds one of `choices`."""
    return {} if _text(form, name) in choices else {name: message}


def _required(form: Mapping, name: str, message: str) -> dict[str, str]:
    """{name: message} when the text field is blank."""
    return {} if _text(form, name) else {name: message}


def _label_errors(label: str, form: Mapping) -> dict[str, str]:
    """What the label itself needs: an announcement outcome, or a question's answer (a session's close has no label)."""
    if label is None:
        return {}
    if label == "announcement":
        return _choice(form, "announcement_outcome", ANNOUNCEMENT_OUTCOMES,
                       N_("Choose whether the announcement was approved, noted or not agreed."))
    if label == "question":
        return _required(form, "answer", N_("Record the team's answer to the question."))
    if label == "issue":
        return {}
    raise ValueError(f"unknown label {label!r}")


def needs_review(item: Mapping, form: Mapping) -> bool:
    """Whether the decision needs an outcome: every issue, and every regular review.

    A regular announcement the team did not agree with is no decision yet: it comes back
    as an issue, so it records no outcome and is not an evaluation.
    """
    if comes_back_as_issue(item, form):
        return False
    if item["label"] == "announcement" and not item.get("client_id"):
        return False  # a team-wide announcement is taken note of, it reviews no treatment
    return item["label"] == "issue" or item["track"] == "regular"


def counts_as_evaluation(item: Mapping, form: Mapping) -> bool:
    """Whether this (valid) decision is an evaluation of the client: a decided regular review."""
    return item["track"] == "regular" and needs_review(item, form)


def next_date_errors(form: Mapping, today: date) -> dict[str, str]:
    """An optional next-evaluation date must be a valid future date, and not after finishing."""
    raw = _text(form, "next_evaluation_on")
    if not raw:
        return {}
    if _text(form, "outcome") == "finish":
        return {"next_evaluation_on": N_("A finished treatment has no next evaluation.")}
    chosen = parse_date(raw)
    if chosen is None:
        return {"next_evaluation_on": _BAD_DATE}
    if chosen <= today:
        return {"next_evaluation_on": N_("The next evaluation must be after today.")}
    if chosen > add_months(today, LEGAL_MINIMUM_MONTHS):
        return {"next_evaluation_on": N_("The next evaluation must be within 12 months (the legal minimum).")}
    return {}


def _review_errors(item: Mapping, form: Mapping, today: date) -> dict[str, str]:
    """Outcome, the decision's wording, whether the presenter got what they needed."""
    errors = _choice(form, "outcome", OUTCOMES, N_("Choose an outcome."))
    errors |= _required(form, "decision", N_("Word the decision: what happens next?"))
    errors |= _choice(form, "needs_met", NEEDS_MET,
                      N_("Did the presenter get what they needed? Choose yes, partly or no."))
    if _text(form, "worded_by"):
        errors |= _choice(form, "worded_by", WORDED_BY, N_("Choose who worded the decision."))
    if _text(form, "outcome") == "continue_unchanged":
        errors |= _required(form, "reason", N_("Give the reason to continue unchanged."))
    if item["track"] == "regular":
        errors |= next_date_errors(form, today)
    return errors


def _milestone_errors(item: Mapping, form: Mapping, today: date, settings: Mapping) -> dict[str, str]:
    """After one year the continuation question; after two, whether a colleague was invited."""
    start = parse_date(item.get("treatment_start"))
    if item["track"] != "regular" or start is None or _text(form, "outcome") in LEAVING_OUTCOMES:
        return {}  # "why continue?" is no question for a treatment that ends here
    milestone = milestone_kind(start, today, settings.get("one_year_months", ONE_YEAR_MONTHS),
                               settings.get("two_year_months", TWO_YEAR_MONTHS))
    errors: dict[str, str] = {}
    if milestone in ("one_year", "two_year"):
        errors |= _required(form, "continuation_answer", N_(
            "After a year of treatment: why continue, and what do we still want to achieve?"))
    if milestone == "two_year":
        errors |= _choice(form, "colleague_invited", YES_NO, N_(
            "After two years: was a colleague invited to question the extension? Yes or no."))
    return errors


def _situation_errors(item: Mapping, form: Mapping) -> dict[str, str]:
    """The optional exemplary-situation tag, on any item (seed 000 is about stuck long treatments): one of the list."""
    if not _text(form, "exemplary_situation"):
        return {}
    return _choice(form, "exemplary_situation", EXEMPLARY_SITUATIONS,
                   N_("Choose one of the exemplary situations."))


def _action_errors(index: int, action: Mapping, today: date) -> dict[str, str]:
    """A started action needs a description, an owner and a due date not in the past."""
    if not any(_text(action, name) for name in ("description", "owner", "due")):
        return {}  # a blank row of the form is no action
    key = f"actions.{index}."
    errors = {key + name: message for name, message in (
        ("description", N_("Describe the action.")),
        ("owner", N_("Name who will do it.")),
        ("due", N_("Give a due date."))) if not _text(action, name)}
    due = parse_date(action.get("due"))
    if _text(action, "due") and due is None:
        errors[key + "due"] = _BAD_DATE
    elif due is not None and due < today:
        errors[key + "due"] = N_("The due date is in the past.")
    return errors


def validate_decision(item: Mapping, form: Mapping, today: date,
                      settings: Mapping | None = None) -> dict[str, str]:
    """Field -> message for a decision on `item` (track, label, treatment_start); {} when valid."""
    settings = settings or {}
    errors = _label_errors(item["label"], form)
    if needs_review(item, form):
        errors |= _review_errors(item, form, today)
        errors |= _milestone_errors(item, form, today, settings)
    errors |= _situation_errors(item, form)
    for index, action in enumerate(form.get("actions") or ()):
        errors |= _action_errors(index, action, today)
    return errors


def comes_back_as_issue(item: Mapping, form: Mapping) -> bool:
    """An announcement the team did not agree with is no decision: it returns next meeting as an issue."""
    return item["label"] == "announcement" and _text(form, "announcement_outcome") == "not_agreed"


def client_changes(form: Mapping, today: date) -> dict[str, date | str | None]:
    """What a decided regular review changes in the client's record (column -> new value).

    The review is the last evaluation; an agreed date is the next one; a continuation answer
    and an invited colleague are dated today. Finishing opens a handover, whose last-contact date
    ends the treatment (meeting.core.handover.leaving).
    """
    changes: dict[str, date | str | None] = {"last_evaluation": today,
                                             "next_evaluation_on": parse_date(form.get("next_evaluation_on"))}
    if _text(form, "continuation_answer"):
        changes["last_continuation_decision"] = today
    if _text(form, "colleague_invited") == "yes":
        changes["colleague_invited_at"] = today
    return changes


NOT_REACHED = N_("Not reached in the meeting")  # the reason an item still open when the meeting ends is deferred
DEFERRAL_REASON = TextField(300)  # one line, shown in the agenda and the minutes


def validate_deferral(reason) -> dict[str, str]:
    """A deferral needs a reason that fits DEFERRAL_REASON (one line, no control characters); field -> message."""
    if reason is None or not str(reason).strip():
        return {"reason": N_("Give the reason for deferring this item.")}
    message = text_error(str(reason).strip(), DEFERRAL_REASON)
    return {"reason": message} if message else {}


def next_evaluation_date(outcome: str, decided_on: date,
                         interval_months: int = DEFAULT_INTERVAL_MONTHS,
                         override: date | None = None) -> date | None:
    """When the client is evaluated next: None after finish, else the override or one interval on."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    if outcome == "finish":
        return None
    if override is not None:
        if override <= decided_on:
            raise ValueError("the next evaluation must be after the decision")
        return override
    if interval_months < 1:
        raise ValueError("interval_months must be at least 1")
    return next_evaluation_due(decided_on, decided_on, interval_months)


def carry_over(count: int) -> Phrase | None:
    """The "carried over ×N" label of an item deferred `count` times; None when never."""
    if count < 0:
        raise ValueError("count must not be negative")
    return Phrase(N_("carried over ×%(count)d"), (("count", count),)) if count else None


def ring_wait_seconds(last_ring_at: datetime | None, now: datetime) -> float:
    """Seconds this person must still wait before ringing again (0.0: may ring now)."""
    if last_ring_at is None:
        return 0.0
    wait = (last_ring_at + BELL_INTERVAL - now).total_seconds()
    return min(max(wait, 0.0), BELL_INTERVAL.total_seconds())


def may_ring(last_ring_at: datetime | None, now: datetime) -> bool:
    """Whether a person whose last ring was at `last_ring_at` may ring at `now`."""
    return ring_wait_seconds(last_ring_at, now) == 0.0
