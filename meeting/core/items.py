"""Items brought in by presenters, and the meeting states that govern them. No Flask, no SQL."""
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from meeting.core.dates import parse_date
from meeting.core.evaluations import days_overdue, next_evaluation_due
from meeting.core.i18n import N_, generated
from meeting.core.planning import DUE_REVIEW_NEED, DUE_REVIEW_TITLE, QUESTION, REGULAR, AgendaItem
from meeting.core.preparation import validate_preparation
from meeting.core.text import CONTROL_CHARACTERS, has_control_characters, length_message

TRACK_NAMES = {"acute": N_("Acute issue"), "regular": N_("Regular review")}
LABEL_NAMES = {"announcement": N_("Announcement"), "question": N_("Question"), "issue": N_("Issue")}
LABEL_EXPLANATIONS = {
    "announcement": N_("The team only needs to take note or approve."),
    "question": N_("The team must answer a concrete question."),
    "issue": N_("This needs real discussion by the team."),
}
MEETING_STATES = {"planned": N_("Planned"), "frozen": N_("Agenda frozen"), "running": N_("Running"),
                  "closed": N_("Closed"), "cancelled": N_("Cancelled")}
ITEM_STATES = {"planned": N_("On the agenda"), "withdrawn": N_("Withdrawn"), "deferred": N_("Deferred"),
               "decided": N_("Decided")}
TEXT_LIMITS = {"title": 120, "need": 500, "current_state": 1500, "request_and_start": 1000,
               "tried_towards_finishing": 1000, "finishing_hard": 1000}
SINGLE_LINE_FIELDS = ("title", "client_reference")
MAX_ITEM_MINUTES = 60


def deadline(starts_at: datetime, deadline_hours: int) -> datetime:
    """The submission deadline: so many hours before the start."""
    return starts_at - timedelta(hours=deadline_hours)


def effective_state(meeting: dict, now: datetime) -> str:
    """A planned meeting is frozen from its deadline on, even before the scheduler has marked it."""
    if meeting["state"] == "planned" and now >= datetime.fromisoformat(meeting["deadline_at"]):
        return "frozen"
    return meeting["state"]


def open_for_submission(meeting: dict, now: datetime) -> bool:
    """Presenters may add, edit and withdraw items only before the agenda freezes."""
    return effective_state(meeting, now) == "planned"


def meeting_for_submission(meetings: list[dict], now: datetime) -> dict | None:
    """The first meeting, by start, whose deadline has not passed."""
    open_meetings = [m for m in meetings if open_for_submission(m, now)]
    return min(open_meetings, key=lambda m: m["starts_at"], default=None)


@dataclass(frozen=True)
class ItemInput:
    """An item's fields as validated from the submission form."""
    track: str
    label: str
    client_id: int | None
    title: str
    need: str
    current_state: str
    request_and_start: str
    tried_towards_finishing: str
    finishing_hard: str
    minutes: int
    input_from: str = ""  # whose input the presenter wants: discipline codes and user:<id>
    input_kind: str | None = None  # advice, decision or second_opinion
    proposed_outcome: str | None = None  # 'finish': a regular announcement for the consent block
    evaluation_prep: str = ""  # the prepared evaluation with the client (JSON), regular reviews only


def validate_item(form: dict, client_ids_by_reference: dict[str, int], default_minutes: dict[str, int],
                  member_ids: AbstractSet[int] = frozenset(),
                  today: date | None = None) -> tuple[ItemInput | None, dict]:
    """Check a submitted item with its preparation; return the values, or None and a field → message dict."""
    errors = {}
    track, label = form.get("track"), form.get("label")
    if track not in TRACK_NAMES:
        errors["track"] = N_("Choose acute issue or regular review.")
    if label not in LABEL_NAMES:
        errors["label"] = N_("Choose a label: announcement, question or issue.")
    texts = {field: (form.get(field) or "").strip() for field in TEXT_LIMITS}
    if not texts["title"]:
        errors["title"] = N_("Give the item a one-line title.")
    if not texts["need"]:
        errors["need"] = N_("Say what you need from the team.")
    for field, limit in TEXT_LIMITS.items():
        if len(texts[field]) > limit:
            errors[field] = length_message(texts[field], limit)
    client_id, errors_client = _client(form, track, label, client_ids_by_reference)
    errors |= errors_client | _control_character_errors(form)
    minutes = _minutes(form.get("minutes"), default_minutes.get(label, 5))  # type: ignore[arg-type]
    if minutes is None:
        errors["minutes"] = N_("Give the minutes needed as a whole number from 1 to 60.")
    prepared, prepared_errors = validate_preparation(form, track, label, client_id, set(member_ids), today)
    errors |= prepared_errors
    if errors:
        return None, errors
    # no errors: the track, label and minutes are set
    return ItemInput(track, label, client_id, minutes=minutes, **texts, **prepared), {}  # type: ignore[arg-type]


def _control_character_errors(form: dict) -> dict:
    # Text areas may hold line breaks and tabs; one-line fields nothing invisible.
    return {field: CONTROL_CHARACTERS for field in (*TEXT_LIMITS, "client_reference")
            if has_control_characters(form.get(field) or "", multiline=field not in SINGLE_LINE_FIELDS)}


def needs_client(track: str | None, label: str | None) -> bool:
    """A regular review is about a client; a team-wide announcement (a protocol, someone's leave) is not."""
    return track == "regular" and label != "announcement"


def _client(form: dict, track: str | None, label: str | None,
            client_ids_by_reference: dict[str, int]) -> tuple[int | None, dict]:
    reference = (form.get("client_reference") or "").strip().upper()
    if not reference:
        if needs_client(track, label):
            return None, {"client_reference": N_("A regular review is about a client: give the reference.")}
        return None, {}
    if reference not in client_ids_by_reference:
        return None, {"client_reference": N_("No active client with this reference in your team.")}
    return client_ids_by_reference[reference], {}


def _minutes(raw, default: int) -> int | None:
    if raw in (None, ""):
        return default
    try:
        minutes = int(str(raw).strip())
    except ValueError:
        return None
    return minutes if 1 <= minutes <= MAX_ITEM_MINUTES else None


def agenda_item(row: dict, today, interval_months: int):
    """The planner's view of a stored item row, with how overdue its client's evaluation is."""
    overdue = 0
    if row["track"] == "regular" and row.get("client_treatment_start"):
        due = next_evaluation_due(parse_date(row["client_treatment_start"]),  # type: ignore[arg-type]
                                  parse_date(row.get("client_last_evaluation") or ""), interval_months,
                                  parse_date(row.get("client_next_evaluation_on") or ""))
        overdue = days_overdue(due, today)
    return AgendaItem(id=row["id"], track=row["track"], label=row["label"], minutes=row["minutes"],
                      position=row["position"], client_ref=row.get("client_reference"),
                      days_overdue=overdue, late=bool(row["late"]))


def due_review_item(client_id: int, reference: str, treatment_months: int, milestone_prompt: str | None,
                    minutes: int) -> ItemInput:
    """The regular review of a due client, prefilled the same way from the planner and the scheduler's freeze.

    Its label is a question (continue, adjust, step down or finish?), not an issue: the presenter
    relabels it when the treatment needs real discussion.
    """
    return ItemInput(track=REGULAR, label=QUESTION, client_id=client_id,
                     title=generated(DUE_REVIEW_TITLE, reference=reference, months=treatment_months),
                     need=generated(milestone_prompt or DUE_REVIEW_NEED), current_state="", request_and_start="",
                     tried_towards_finishing="", finishing_hard="", minutes=minutes)
