"""A decision as one command: the posted form as a typed value, checked against what it closes (an agenda item of a
weekly meeting, or a complex-case session), giving every effect the store then writes in one transaction.

`decide` returns either a `Refusal` (field -> message) or a `Decision` holding everything the decision does: its
record and actions, the team review it counts as, what changes for the client, the evaluation with the client, the
handover it opens, the consultation it asks, the item that comes back as an issue, and the announcements it puts on
coming agendas. Pure: no Flask, no SQL, `today` passed in.
"""
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date

from meeting.core import client_evaluation, closing, decision_extras
from meeting.core.dates import parse_date
from meeting.core.evaluations import add_months
from meeting.core.handover import initial_last_contact, opens_handover
from meeting.core.i18n import N_
from meeting.core.text import TextField, text_error, whole_number

MAX_ACTIONS = 3  # the form's action rows
LONG_TEXT_LIMIT = 2000
SHORT_TEXT_LIMIT = 300
TEXT_LIMITS = {"decision": LONG_TEXT_LIMIT, "answer": LONG_TEXT_LIMIT, "continuation_answer": LONG_TEXT_LIMIT,
               "reason": SHORT_TEXT_LIMIT}
ACTION_LIMIT = SHORT_TEXT_LIMIT
ACTION_DUE_MONTHS = 24  # an action falls due within two years, or it is no action of this meeting
CHOICES = {"announcement_outcome": (closing.ANNOUNCEMENT_OUTCOMES, N_("Choose one of the options.")),
           "outcome": (closing.OUTCOMES, N_("Choose an outcome.")),
           "needs_met": (closing.NEEDS_MET, N_("Did the presenter get what they needed? Choose yes, partly or no.")),
           "worded_by": (closing.WORDED_BY, N_("Choose who worded the decision.")),
           "colleague_invited": (closing.YES_NO, N_("Choose one of the options.")),
           "exemplary_situation": (closing.EXEMPLARY_SITUATIONS, N_("Choose one of the exemplary situations."))}
# the decision's stored columns, in the order of the decisions table's
RECORD_FIELDS = ("announcement_outcome", "answer", "outcome", "decision", "reason", "needs_met", "worded_by",
                 "next_evaluation_on", "continuation_answer", "colleague_invited", "exemplary_situation")
ALREADY_CLOSED = N_("This item was closed already, by someone else. Nothing was changed.")
NOT_RUNNING = N_("Start the session first.")


def _text(form: Mapping, name: str) -> str:
    value = form.get(name)
    return "" if value is None else str(value).strip()


@dataclass(frozen=True)
class ActionInput:
    """One action row as posted: what, by whom (a member's id as text), due when (YYYY-MM-DD)."""
    description: str = ""
    owner: str = ""
    due: str = ""


@dataclass(frozen=True)
class DecisionInput:
    """A posted decision, every field as typed (stripped); the evaluation with the client as its own fields."""
    announcement_outcome: str = ""
    answer: str = ""
    outcome: str = ""
    decision: str = ""
    reason: str = ""
    needs_met: str = ""
    worded_by: str = ""
    next_evaluation_on: str = ""
    continuation_answer: str = ""
    colleague_invited: str = ""
    exemplary_situation: str = ""
    consultation_question: str = ""
    consultation_asked_of: str = ""
    with_client: tuple[tuple[str, str], ...] = ()  # the evaluation with the client: (field, value), filled ones
    actions: tuple[ActionInput, ...] = ()

    @classmethod
    def from_form(cls, form: Mapping) -> "DecisionInput":
        """The decision form as posted: named fields and the action rows `action-<n>-description|owner|due`."""
        actions = [{name: _text(form, f"action-{i}-{name}") for name in ("description", "owner", "due")}
                   for i in range(MAX_ACTIONS)]
        return cls.from_values(form, actions)

    @classmethod
    def from_values(cls, values: Mapping, actions=None) -> "DecisionInput":
        """A decision given as values (the consent block, the store's callers): actions as a list of mappings."""
        rows = values.get("actions") if actions is None else actions
        named = {f.name: _text(values, f.name) for f in fields(cls) if f.name not in ("with_client", "actions")}
        return cls(**named, with_client=tuple((name, _text(values, name)) for name in client_evaluation.FIELDS
                                              if _text(values, name)),
                   actions=tuple(ActionInput(_text(row, "description"), _text(row, "owner"), _text(row, "due"))
                                 for row in rows or ()))

    def as_form(self) -> dict:
        """The values as the form shows them again (and as the closing rules read a form): actions as a list."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("with_client", "actions")}
        return values | dict(self.with_client) | {"actions": [asdict(a) for a in self.actions]}


@dataclass(frozen=True)
class Subject:
    """What a decision closes: an agenda item of a weekly meeting, or a complex-case session.

    A session's decision closes its options step (`item_id`); it reviews the running treatment of its client, so it
    is on the regular track and has no label.
    """
    kind: str  # item | session
    item_id: int
    meeting_id: int
    meeting_starts_at: str
    meeting_state: str
    state: str  # the item's (or step's) state: only a planned one can be decided
    track: str
    label: str | None
    client_id: int | None
    presenter_id: int
    treatment_start: date | None = None
    named_colleague: bool = False  # a session planned with the colleague the two-year rule asks for
    handover_id: int | None = None  # an item announcing a handover

    def rules_item(self) -> dict:
        """The subject as the closing rules read it."""
        return {"track": self.track, "label": self.label, "client_id": self.client_id,
                "treatment_start": self.treatment_start}


@dataclass(frozen=True)
class Action:
    """An agreed action: what, who, due when."""
    description: str
    owner_id: int
    due_on: date


@dataclass(frozen=True)
class TeamReview:
    """The team review a decided regular review counts as, dating the client's next one (none after finishing)."""
    held_on: date
    outcome: str
    next_evaluation_on: date | None


@dataclass(frozen=True)
class HandoverOpening:
    """A step-down or finish opens a handover, every point open; finishing makes today the last contact."""
    outcome: str
    opened_on: date
    last_contact_on: date | None


@dataclass(frozen=True)
class ConsultationRequest:
    """External consultation asked in the decision: what, of whom, when."""
    question: str
    asked_of: str
    asked_on: date


@dataclass(frozen=True)
class Refusal:
    """Why the decision cannot be recorded: field -> message (N_ texts)."""
    errors: dict


@dataclass(frozen=True)
class Decision:
    """Every effect of one decision, for the store to write in one transaction."""
    subject: Subject
    record: dict  # the decision's columns (RECORD_FIELDS): texts as '', choices as None when not given
    actions: tuple[Action, ...] = ()
    review: TeamReview | None = None
    client_changes: dict = field(default_factory=dict)  # client column -> new value
    with_client: dict | None = None  # the evaluation with the client's columns, when recorded
    handover: HandoverOpening | None = None
    consultation: ConsultationRequest | None = None
    returns_to_meeting_id: int | None = None  # an announcement not agreed comes back there as an issue
    announce_after: str | None = None  # open handovers go on the first weekly agenda after this start (ISO)


def decide(subject: Subject, posted: DecisionInput, today: date, member_ids: Collection[int],
           interval_months: int, next_meeting_id: int | None = None,
           settings: Mapping | None = None) -> Decision | Refusal:
    """The decision that closes `subject` on `today` (the day of its meeting), or why it cannot be recorded."""
    if refused := subject_errors(subject):
        return Refusal(refused)
    if subject.named_colleague:  # the colleague was named when the session was planned: invited
        posted = replace(posted, colleague_invited="yes")
    form, item = posted.as_form(), subject.rules_item()
    errors = (closing.validate_decision(item, form, today, settings) | decision_extras.validate_decision_extras(
        item, form, today) | input_errors(posted, today, member_ids))
    if errors:
        return Refusal(errors)
    return _effects(subject, posted, form, today, interval_months, next_meeting_id)


def input_errors(posted: DecisionInput, today: date, member_ids: Collection[int]) -> dict[str, str]:
    """What every decision is checked for, whatever it closes: its texts, its choices, its dates, the owners."""
    errors: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        errors |= _text_errors(name, getattr(posted, name), limit, multiline=True)
    for name, (choices, message) in CHOICES.items():
        if getattr(posted, name) and getattr(posted, name) not in choices:
            errors[name] = message
    if posted.next_evaluation_on:
        errors |= closing.next_date_errors(posted.as_form(), today)
    for index, action in enumerate(posted.actions):
        errors |= _action_errors(index, action, today, member_ids)
    return errors


def _text_errors(name: str, text: str, limit: int, multiline: bool) -> dict[str, str]:
    message = text_error(text, TextField(limit, multiline))
    return {name: message} if message else {}


def _action_errors(index: int, action: ActionInput, today: date, member_ids: Collection[int]) -> dict[str, str]:
    """An action's text is one line within its limit; its owner a member of the team; its due date within two years."""
    key = f"actions.{index}."
    errors = {key + k: v for k, v in _text_errors("description", action.description, ACTION_LIMIT, False).items()}
    if action.owner and whole_number(action.owner) not in member_ids:
        errors[key + "owner"] = N_("Choose a team member as owner.")
    due = parse_date(action.due)
    if due is not None and due > add_months(today, ACTION_DUE_MONTHS):
        errors[key + "due"] = N_("The due date must be within two years.")
    return errors


def _effects(subject: Subject, posted: DecisionInput, form: dict, today: date, interval_months: int,
             next_meeting_id: int | None) -> Decision:
    """What a valid decision does, each effect by the core's rules."""
    item = subject.rules_item()
    record = {name: (getattr(posted, name) if name in TEXT_LIMITS else getattr(posted, name) or None)
              for name in RECORD_FIELDS}
    actions = tuple(Action(a.description, int(a.owner), parse_date(a.due))  # type: ignore[arg-type]  # checked above
                    for a in posted.actions if a.description)
    review = changes = handover = None
    if subject.client_id and closing.counts_as_evaluation(item, form):
        next_on = closing.next_evaluation_date(posted.outcome, today, interval_months,
                                               parse_date(posted.next_evaluation_on))
        review = TeamReview(today, posted.outcome, next_on)
        changes = closing.client_changes(form, today)
        if opens_handover(posted.outcome):
            handover = HandoverOpening(posted.outcome, today, initial_last_contact(posted.outcome, today))
    with_client = None
    if decision_extras.records_client_evaluation(item, form):
        values = client_evaluation.validate(form, today)[0]
        with_client = None if client_evaluation.is_blank(values) else client_evaluation.columns(values)
    asked = None
    if decision_extras.records_consultation(item, form):
        asked = ConsultationRequest(posted.consultation_question, posted.consultation_asked_of, today)
    returns = next_meeting_id if closing.comes_back_as_issue(item, form) else None
    announce = subject.meeting_starts_at if handover or subject.handover_id else None
    return Decision(subject, record, actions, review, changes or {}, with_client, handover, asked, returns, announce)


def subject_errors(subject: Subject) -> dict[str, str]:
    """Why nothing can be decided on `subject` now ({} when it can): closed already, or a session not running."""
    if subject.state != "planned":
        return {"item": ALREADY_CLOSED}
    if subject.kind == "session" and subject.meeting_state != "running":
        return {"item": NOT_RUNNING}
    return {}
