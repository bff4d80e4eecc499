"""What a decision records beyond its outcome: the evaluation with the client and an external consultation;
and the decision the consent block records for an announced finish. Pure: no Flask, no SQL.

Kept apart from `closing.validate_decision` so that any form that decides an item adds these in one line.
"""
from collections.abc import Mapping
from datetime import date
from typing import Any

from meeting.core import client_evaluation, consultation
from meeting.core.closing import counts_as_evaluation, needs_review
from meeting.core.dates import parse_date


def records_client_evaluation(item: Mapping, form: Mapping) -> bool:
    """Whether this decision records an evaluation with the client: a decided review of a client."""
    return bool(item.get("client_id")) and counts_as_evaluation(item, form)


def records_consultation(item: Mapping, form: Mapping) -> bool:
    """Whether this decision asks for external consultation (any track, any client or none)."""
    return needs_review(item, form) and consultation.asks_consultation(form)


def validate_decision_extras(item: Mapping, form: Mapping, today: date) -> dict[str, str]:
    """Field -> message for the evaluation with the client and the consultation request; {} when valid."""
    errors: dict[str, str] = {}
    if records_client_evaluation(item, form):
        errors |= client_evaluation.validate(form, today, parse_date(item.get("treatment_start")))[1]
    if needs_review(item, form):
        errors |= consultation.validate_request(form)
    return errors


def finishes_by_consent(item: Mapping) -> bool:
    """A regular review's announcement that the treatment finishes, client and clinician agreeing."""
    return (item["track"] == "regular" and item["label"] == "announcement" and bool(item.get("client_id"))
            and item.get("proposed_outcome") == "finish")


def consent_form(item: Mapping) -> dict:
    """The decision the consent block records for an approved announcement.

    An announced finish is decided like a review (outcome finish, an evaluation) with its prepared
    evaluation with the client; any other announcement is only approved.
    """
    form: dict[str, Any] = {"announcement_outcome": "approved"}
    if finishes_by_consent(item):
        form |= {"outcome": "finish", "needs_met": "yes", "actions": [],
                 "decision": item.get("need") or item.get("title") or ""}
        form |= client_evaluation.from_preparation(item.get("evaluation_prep"))
    return form
