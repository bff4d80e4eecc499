"""Agenda planning for one meeting: order, times, budgets and what to defer. Pure: no Flask, no SQL.

The chair's planner and the members' phone agenda both render what `plan()` and `schedule()`
return. Items are plain frozen values; the storage layer builds them from rows.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from meeting.core.evaluations import DEFAULT_INTERVAL_MONTHS, LEGAL_MINIMUM_MONTHS
from meeting.core.i18n import N_

ACUTE, REGULAR = "acute", "regular"
TRACKS = (ACUTE, REGULAR)
ANNOUNCEMENT, QUESTION, ISSUE = "announcement", "question", "issue"
LABELS = (ANNOUNCEMENT, QUESTION, ISSUE)
ACUTE_FIRST, REGULAR_FIRST = "acute_first", "regular_first"
ORDER_POLICIES = (ACUTE_FIRST, REGULAR_FIRST)

REASON_OVER_ACUTE_BUDGET = N_("Does not fit the acute budget after the items before it.")
REASON_OVER_REGULAR_BUDGET = N_("Does not fit the regular budget; more overdue reviews go first.")
REASON_ANNOUNCEMENTS_OVER_BUDGET = N_("The announcements alone exceed the regular budget.")
DUE_REVIEW_TITLE = N_("Evaluation %(reference)s (%(months)s months in treatment)")
DUE_REVIEW_NEED = N_("Evaluate the treatment plan: continue, adjust, step down or finish?")


@dataclass(frozen=True)
class TeamSettings:
    """A team's meeting agreements: length, the two budgets, order and default minutes per label."""

    meeting_minutes: int = 90
    acute_budget_minutes: int = 30
    regular_budget_minutes: int = 60
    order_policy: str = ACUTE_FIRST
    evaluation_interval_months: int = DEFAULT_INTERVAL_MONTHS
    announcement_minutes: int = 2
    question_minutes: int = 5
    issue_minutes: int = 10


@dataclass(frozen=True)
class AgendaItem:
    """One item brought in: `position` is the chair's order within its track."""

    id: int
    track: str
    label: str
    minutes: int
    position: int
    client_ref: str | None = None
    days_overdue: int = 0  # regular reviews: how overdue the client's evaluation is
    late: bool = False

    def __post_init__(self):
        # The web layer validates user input; reaching here with bad values is a programming error.
        if self.track not in TRACKS:
            raise ValueError(f"unknown track: {self.track!r}")
        if self.label not in LABELS:
            raise ValueError(f"unknown label: {self.label!r}")
        if self.minutes < 0 or self.days_overdue < 0:
            raise ValueError("minutes and days_overdue cannot be negative")


@dataclass(frozen=True)
class Slot:
    """An item with its planned start and end time."""

    item: AgendaItem
    start: datetime
    end: datetime


@dataclass(frozen=True)
class TrackFit:
    """One budget bar: planned minutes against the budget, and which items fit."""

    budget_minutes: int
    planned_minutes: int
    over_by: int
    fits: tuple[AgendaItem, ...]
    does_not_fit: tuple[AgendaItem, ...]


@dataclass(frozen=True)
class Deferral:
    """An item proposed for the next meeting, with the reason shown to the chair (N_-marked)."""

    item: AgendaItem
    reason: str


@dataclass(frozen=True)
class DeferralProposal:
    """Which regular items to keep and which to defer so the rest fits the budget."""

    keep: tuple[AgendaItem, ...]
    defer: tuple[Deferral, ...]


@dataclass(frozen=True)
class Plan:
    """Everything the chair's planner renders for one meeting."""

    agenda: tuple[AgendaItem, ...]
    consent_block: tuple[AgendaItem, ...]
    acute: TrackFit
    regular: TrackFit
    deferrals: tuple[Deferral, ...]
    proposed_agenda: tuple[AgendaItem, ...]
    planned_minutes: int
    proposed_minutes: int
    meeting_minutes: int
    over_meeting_by: int


def default_minutes(label: str, settings: TeamSettings) -> int:
    """The minutes an item with `label` gets unless the presenter estimates otherwise."""
    by_label = {ANNOUNCEMENT: settings.announcement_minutes,
                QUESTION: settings.question_minutes,
                ISSUE: settings.issue_minutes}
    if label not in by_label:
        raise ValueError(f"unknown label: {label!r}")
    return by_label[label]


def settings_errors(settings: TeamSettings) -> dict[str, str]:
    """Field → N_-marked message for settings a team cannot meet with; empty when valid."""
    errors = {}
    if settings.order_policy not in ORDER_POLICIES:
        errors["order_policy"] = N_("Choose acute first or regular first.")
    for field in ("acute_budget_minutes", "regular_budget_minutes"):
        if getattr(settings, field) < 0:
            errors[field] = N_("A budget cannot be negative.")
    for field in ("announcement_minutes", "question_minutes", "issue_minutes"):
        if getattr(settings, field) < 1:
            errors[field] = N_("Give at least 1 minute.")
    if not 1 <= settings.evaluation_interval_months <= LEGAL_MINIMUM_MONTHS:
        errors["evaluation_interval_months"] = N_(
            "Evaluate at least once a year: choose 1 to 12 months.")
    if settings.meeting_minutes < 1:
        errors["meeting_minutes"] = N_("Give the meeting a length in minutes.")
    elif settings.acute_budget_minutes + settings.regular_budget_minutes > settings.meeting_minutes:
        errors["meeting_minutes"] = N_(
            "The meeting is shorter than the acute and regular budgets together.")
    return errors


def _agenda_key(policy: str):
    """Sort key for agenda order under `policy`: the policy's track first, then position."""
    if policy not in ORDER_POLICIES:
        raise ValueError(f"unknown order policy: {policy!r}")
    first = ACUTE if policy == ACUTE_FIRST else REGULAR
    return lambda item: (item.track != first, item.position, item.id)


def consent_block(items: Iterable[AgendaItem], policy: str) -> list[AgendaItem]:
    """All announcements, approved in one go at the start: policy's first track first, then position."""
    return sorted((i for i in items if i.label == ANNOUNCEMENT), key=_agenda_key(policy))


def order_agenda(items: Iterable[AgendaItem], policy: str) -> list[AgendaItem]:
    """The consent block, then the two tracks in the policy's order, each by position."""
    items = list(items)
    rest = sorted((i for i in items if i.label != ANNOUNCEMENT), key=_agenda_key(policy))
    return consent_block(items, policy) + rest


def schedule(items: Iterable[AgendaItem], policy: str, meeting_start: datetime) -> list[Slot]:
    """Back-to-back slots in agenda order from `meeting_start` (pass an aware UTC datetime)."""
    slots, start = [], meeting_start
    for item in order_agenda(items, policy):
        end = start + timedelta(minutes=item.minutes)
        slots.append(Slot(item, start, end))
        start = end
    return slots


def _track_order(items: Iterable[AgendaItem]) -> list[AgendaItem]:
    """One track's items in the order taken: its announcements (consent block), then by position."""
    return sorted(items, key=lambda i: (i.label != ANNOUNCEMENT, i.position, i.id))


def track_fit(items: Iterable[AgendaItem], budget_minutes: int) -> TrackFit:
    """Walk one track in the order it is taken; from the first item past the budget on, nothing fits.

    The chair's order is respected as is: a later, smaller item is not pulled forward into a gap
    (that is what `propose_deferrals` suggests for regular reviews).
    """
    fits: list[AgendaItem] = []
    does_not_fit: list[AgendaItem] = []
    used = 0
    for item in _track_order(items):
        if not does_not_fit and used + item.minutes <= budget_minutes:
            fits.append(item)
            used += item.minutes
        else:
            does_not_fit.append(item)
    planned = used + sum(i.minutes for i in does_not_fit)
    return TrackFit(budget_minutes, planned, max(planned - budget_minutes, 0),
                    tuple(fits), tuple(does_not_fit))


def _deferral_priority(item: AgendaItem):
    """Keep first: announcements (approved in one go), then most overdue, then earlier position."""
    return (item.label != ANNOUNCEMENT, -item.days_overdue, item.position, item.id)


def propose_deferrals(regular_items: Iterable[AgendaItem], budget_minutes: int) -> DeferralProposal:
    """Regular items to defer so the rest fits, keeping the most overdue evaluations in.

    Greedy in priority order (`_deferral_priority`): an item that does not fit in what is left is
    deferred, and a later, smaller one may still fill the gap. Announcements are only deferred
    when the announcements alone exceed the budget. Both lists come back in track order.
    """
    regular_items = list(regular_items)
    if any(item.track != REGULAR for item in regular_items):
        raise ValueError("propose_deferrals takes regular items only")
    keep, defer, left = [], [], budget_minutes
    for item in sorted(regular_items, key=_deferral_priority):
        if item.minutes <= left:
            keep.append(item)
            left -= item.minutes
        else:
            defer.append(item)
    return DeferralProposal(tuple(_track_order(keep)),
                            tuple(Deferral(i, _regular_reason(i)) for i in _track_order(defer)))


def _regular_reason(item: AgendaItem) -> str:
    """Why a regular item is proposed for deferral."""
    if item.label == ANNOUNCEMENT:
        return REASON_ANNOUNCEMENTS_OVER_BUDGET
    return REASON_OVER_REGULAR_BUDGET


def plan(items: Iterable[AgendaItem], settings: TeamSettings) -> Plan:
    """The planner's view: agenda, both budget bars, proposed deferrals and totals against the meeting.

    Acute items past the acute budget (in the chair's order) and regular items from
    `propose_deferrals` are proposed for deferral; `proposed_agenda` is the agenda without them.
    """
    items = list(items)
    agenda = order_agenda(items, settings.order_policy)
    acute = track_fit([i for i in items if i.track == ACUTE], settings.acute_budget_minutes)
    regular_items = [i for i in items if i.track == REGULAR]
    proposal = propose_deferrals(regular_items, settings.regular_budget_minutes)
    deferred = {i.id: Deferral(i, REASON_OVER_ACUTE_BUDGET) for i in acute.does_not_fit}
    deferred.update((d.item.id, d) for d in proposal.defer)
    proposed = tuple(i for i in agenda if i.id not in deferred)
    planned = sum(i.minutes for i in items)
    return Plan(
        agenda=tuple(agenda),
        consent_block=tuple(consent_block(items, settings.order_policy)),
        acute=acute,
        regular=track_fit(regular_items, settings.regular_budget_minutes),
        deferrals=tuple(deferred[i.id] for i in agenda if i.id in deferred),
        proposed_agenda=proposed,
        planned_minutes=planned,
        proposed_minutes=sum(i.minutes for i in proposed),
        meeting_minutes=settings.meeting_minutes,
        over_meeting_by=max(planned - settings.meeting_minutes, 0),
    )


def plain_text(message: str, **params) -> str:
    """Fill a marked message without translating it (for text stored where no reader language is known)."""
    return message % params if params else message
