"""Evaluation dates of a client's treatment: due reviews, milestones, capacity. No Flask, no SQL."""
import math
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from meeting.core.i18n import N_

DEFAULT_INTERVAL_MONTHS = 6
LEGAL_MINIMUM_MONTHS = 12  # WGBO: the treatment plan is evaluated at least yearly
WEEKS_PER_YEAR = 52

ACTIVE = "active"
ONE_YEAR, TWO_YEAR = "one_year", "two_year"
PROMPTS = {
    ONE_YEAR: N_("One year in treatment: why do we continue, and what do we still want to achieve?"),
    TWO_YEAR: N_("Extension after two years: invite a colleague to the evaluation to question it"
                 " critically."),
}
CAPACITY_SENTENCE = N_(
    "To evaluate all %(clients)s active clients every %(months)s months you need %(needed)s reviews"
    " a week; your regular budget of %(budget)s minutes fits %(fit)s reviews of %(minutes)s minutes."
)


@dataclass(frozen=True)
class ClientRecord:
    """What the planner needs to know about one client's treatment; `reference` is pseudonymous."""

    reference: str
    clinician_id: int
    treatment_start: date
    status: str = ACTIVE
    last_evaluation: date | None = None
    last_continuation_decision: date | None = None
    colleague_invited_at: date | None = None
    next_evaluation_on: date | None = None  # agreed at the last evaluation, when not the default


@dataclass(frozen=True)
class DueReview:
    """A client whose evaluation is due at a meeting, and by how many days it is overdue then."""

    reference: str
    clinician_id: int
    due: date
    days_overdue: int
    last_evaluation: date | None


@dataclass(frozen=True)
class MilestoneReview:
    """A client past a treatment anniversary without a continuation decision since that mark."""

    reference: str
    clinician_id: int
    milestone: str  # ONE_YEAR or TWO_YEAR
    years: int  # the anniversary crossed: 1, 2, 3, ...
    mark: date
    days_since_mark: int
    colleague_invited_at: date | None  # only an invitation on or after the mark
    prompt: str  # N_-marked


@dataclass(frozen=True)
class Capacity:
    """Whether the regular budget can keep every active client evaluated within the interval."""

    active_clients: int
    interval_months: int
    regular_budget_minutes: int
    review_minutes: int
    reviews_needed_per_week: int
    reviews_that_fit: int
    meets_norm: bool


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def next_evaluation_due(treatment_start: date, last_evaluation: date | None,
                        interval_months: int = DEFAULT_INTERVAL_MONTHS, agreed: date | None = None) -> date:
    """When the next evaluation is due: the date agreed at the last one, else one interval after it
    (or after the start)."""
    return agreed or add_months(last_evaluation or treatment_start, interval_months)


def treatment_months(treatment_start: date, today: date) -> int:
    """Whole months the treatment has run on `today` (0 before the first month is full)."""
    months = (today.year - treatment_start.year) * 12 + today.month - treatment_start.month
    if add_months(treatment_start, months) > today:
        months -= 1
    return max(months, 0)


def days_overdue(due: date, today: date) -> int:
    """Days past the due date; 0 when not yet due."""
    return max((today - due).days, 0)


def count_active(clients: Iterable[ClientRecord]) -> int:
    """How many clients are in active treatment."""
    return sum(1 for client in clients if client.status == ACTIVE)


def due_reviews(clients: Iterable[ClientRecord], meeting_date: date,
                interval_months: int = DEFAULT_INTERVAL_MONTHS) -> list[DueReview]:
    """Active clients whose next evaluation falls on or before `meeting_date`, most overdue first."""
    due = []
    for client in clients:
        when = next_evaluation_due(client.treatment_start, client.last_evaluation, interval_months,
                                   client.next_evaluation_on)
        if client.status == ACTIVE and when <= meeting_date:
            due.append(DueReview(client.reference, client.clinician_id, when,
                                 days_overdue(when, meeting_date), client.last_evaluation))
    return sorted(due, key=lambda review: (review.due, review.reference))


def milestone_kind(treatment_start: date, today: date, one_year_months: int = 12,
                   two_year_months: int = 24) -> str | None:
    """The milestone the treatment has reached on `today`: TWO_YEAR, ONE_YEAR or None."""
    months = treatment_months(treatment_start, today)
    if months >= two_year_months:
        return TWO_YEAR
    if months >= one_year_months:
        return ONE_YEAR
    return None


def milestone(client: ClientRecord, today: date) -> MilestoneReview | None:
    """The client's open milestone on `today`, or None.

    One year: the first anniversary passed without a continuation decision since. From two years
    on, every later anniversary counts as the mark ("an extension after two years"), so a long
    treatment is flagged again each year until a decision is taken after its latest anniversary.
    """
    years = treatment_months(client.treatment_start, today) // 12
    if client.status != ACTIVE or years < 1:
        return None
    mark = add_months(client.treatment_start, 12 * years)
    decided = client.last_continuation_decision
    if decided is not None and decided >= mark:
        return None
    kind = milestone_kind(client.treatment_start, today)
    invited = client.colleague_invited_at
    invited = invited if kind == TWO_YEAR and invited is not None and invited >= mark else None
    return MilestoneReview(client.reference, client.clinician_id, kind, years, mark,
                           (today - mark).days, invited, PROMPTS[kind])


def milestone_reviews(clients: Iterable[ClientRecord], today: date) -> list[MilestoneReview]:
    """Every open milestone on `today`, longest waiting since its mark first."""
    found = (milestone(client, today) for client in clients)
    return sorted((m for m in found if m is not None),
                  key=lambda m: (-m.days_since_mark, m.reference))


def capacity(active_clients: int, interval_months: int, regular_budget_minutes: int,
             review_minutes: int) -> Capacity:
    """Reviews needed a week (rounded up) to evaluate everyone in the interval, against what fits."""
    if interval_months < 1 or review_minutes < 1:
        raise ValueError("interval_months and review_minutes must be at least 1")
    if active_clients < 0 or regular_budget_minutes < 0:
        raise ValueError("active_clients and regular_budget_minutes cannot be negative")
    # Exact fraction: a float ceil could round 10.000000001 up to 11.
    weeks = Fraction(interval_months * WEEKS_PER_YEAR, 12)
    needed = math.ceil(active_clients / weeks)
    fit = regular_budget_minutes // review_minutes
    return Capacity(active_clients, interval_months, regular_budget_minutes, review_minutes,
                    needed, fit, fit >= needed)


def capacity_sentence(cap: Capacity) -> tuple[str, dict[str, int]]:
    """The capacity line as an N_ template and its named parameters; format after translating."""
    return CAPACITY_SENTENCE, {
        "clients": cap.active_clients, "months": cap.interval_months,
        "needed": cap.reviews_needed_per_week, "budget": cap.regular_budget_minutes,
        "fit": cap.reviews_that_fit, "minutes": cap.review_minutes,
    }
