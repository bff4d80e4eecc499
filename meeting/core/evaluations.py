"""The one calendar of a client's treatment: due dates, "within N months", the order reviews are taken,
milestones, and the reviews a week the norm needs. No Flask, no SQL.

Every due date, overdue count and "within N months" figure in Belletje (planner, scheduler, dashboard,
minutes, CSV) comes from `add_months`, `next_evaluation_due` and `within` here: the store does no date
arithmetic of its own.
"""
import math
import zlib
from calendar import monthrange
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from zoneinfo import ZoneInfo

from meeting.core.dates import parse_date
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
    last_with_client: date | None = None  # the last evaluation with the client (stored calendar)
    with_client_due: date | None = None  # the last day that evaluation keeps it within 12 months (stored calendar)


def client_record(row: Mapping) -> ClientRecord:
    """The calendar's view of a stored client row (ISO date columns)."""
    def day(column):
        return parse_date(row.get(column)) if row.get(column) else None
    return ClientRecord(reference=row["reference"], clinician_id=row["clinician_id"],
                        treatment_start=day("treatment_start"), status=row["status"],
                        last_evaluation=day("last_evaluation"),
                        last_continuation_decision=day("last_continuation_decision"),
                        colleague_invited_at=day("colleague_invited_at"),
                        next_evaluation_on=day("next_evaluation_on"), last_with_client=day("last_with_client"),
                        with_client_due=day("with_client_due"))


@dataclass(frozen=True)
class DueReview:
    """A client whose evaluation is due at a meeting, and by how many days it is overdue then."""

    reference: str
    clinician_id: int
    due: date
    days_overdue: int
    last_evaluation: date | None
    legal_at_stake: bool = False  # the evaluation with the client falls due before the meeting after this one


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


def review_base(treatment_start: date, last_evaluation: date | None) -> date:
    """The day the client's last review was held, or the treatment start when there was none."""
    return last_evaluation or treatment_start


def within(base: date, months: int, day: date) -> bool:
    """Whether a review (or start) on `base` still covers `day`: not past `months` later (due that day is in time)."""
    return day <= add_months(base, months)


def local_day(moment: str | datetime, timezone: str) -> date:
    """The local date of a moment (a stored timestamp or a datetime) in a time zone: a team's today, the
    day of a meeting (a review is dated by the meeting it was held in)."""
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return moment.astimezone(ZoneInfo(timezone)).date()


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


def due_on(client: ClientRecord, interval_months: int = DEFAULT_INTERVAL_MONTHS) -> date:
    """When the client's next review is due."""
    return next_evaluation_due(client.treatment_start, client.last_evaluation, interval_months,
                               client.next_evaluation_on)


def rotation(day: date, reference: str) -> int:
    """A tie-break that changes every week, so among equals no client always waits longest."""
    return rotation_of(reference_hash(reference), week_seed(day))


def reference_hash(reference: str) -> int:
    """A fixed number for a reference (case-insensitive), the rotation's input."""
    return zlib.crc32(reference.upper().encode())


def week_seed(day: date) -> int:
    """One number per ISO week: the rotation's turn."""
    year, week, _ = day.isocalendar()
    return year * 100 + week


_MASK = (1 << 64) - 1


def rotation_of(reference: int, seed: int) -> int:
    """Mix a reference's hash with the week (splitmix64's finaliser), so the order among equals is
    reshuffled every week rather than shifted (see `rotation`)."""
    x = (reference ^ (seed * 0x9E3779B97F4A7C15)) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def queue_key(due: date, base: date, day: date, reference: str) -> tuple:
    """The order reviews are taken at a meeting on `day`: due soonest first; on the same due date the
    longest wait since the last review; then a weekly rotation, never the reference (which would keep
    the same clients waiting longest)."""
    return due, base, rotation(day, reference)


def legal_at_stake(with_client_due: date | None, with_client_from: date, base: date, day: date) -> bool:
    """Whether a meeting on `day` is the last before the client's evaluation with the client falls due (or it is
    overdue), and the team has not reviewed the client since the last one (`with_client_from`: that evaluation or
    the start): the team's review is the chance to prepare it, so it goes first."""
    return with_client_due is not None and with_client_due < day + timedelta(weeks=1) and base <= with_client_from


def client_at_stake(client: ClientRecord, day: date) -> bool:
    """`legal_at_stake` for a stored client."""
    return legal_at_stake(client.with_client_due, client.last_with_client or client.treatment_start,
                          review_base(client.treatment_start, client.last_evaluation), day)


def review_queue(clients: Iterable[ClientRecord], day: date, interval_months: int = DEFAULT_INTERVAL_MONTHS,
                 legal_first: bool = True) -> list[DueReview]:
    """Every active client in the order reviews are taken at a meeting on `day`: those whose legal minimum is at
    stake (`client_at_stake`) first, then `queue_key` (only `queue_key` without `legal_first`)."""
    keyed = []
    for client in clients:
        if client.status != ACTIVE:
            continue
        when, at_stake = due_on(client, interval_months), client_at_stake(client, day)
        base = review_base(client.treatment_start, client.last_evaluation)
        keyed.append(((legal_first and not at_stake, *queue_key(when, base, day, client.reference)),
                      DueReview(client.reference, client.clinician_id, when, days_overdue(when, day),
                                client.last_evaluation, at_stake)))
    keyed.sort(key=lambda pair: pair[0])
    return [review for _, review in keyed]


def due_reviews(clients: Iterable[ClientRecord], meeting_date: date,
                interval_months: int = DEFAULT_INTERVAL_MONTHS) -> list[DueReview]:
    """Active clients whose next review falls on or before `meeting_date`, or whose legal minimum is at stake then,
    in `queue_key` order (see `offered_first` for the planner's)."""
    return [review for review in review_queue(clients, meeting_date, interval_months, legal_first=False)
            if review.due <= meeting_date or review.legal_at_stake]


def offered_first(due: list[DueReview], free_slots: int) -> list[DueReview]:
    """The due list as the planner offers it: when the slots left are fewer than the clients due, those whose legal
    minimum is at stake first (as the freeze takes them); else as it is."""
    if len(due) <= free_slots:
        return due
    return sorted(due, key=lambda review: not review.legal_at_stake)


def overdue_reviews(clients: Iterable[ClientRecord], today: date,
                    interval_months: int = DEFAULT_INTERVAL_MONTHS) -> list[DueReview]:
    """Active clients past their due date on `today`, most overdue first: the planner's and the dashboard's list."""
    return [review for review in review_queue(clients, today, interval_months, legal_first=False) if review.due < today]


def past(clients: Iterable[ClientRecord], months: int, day: date) -> int:
    """How many active clients had no review (nor start) within `months` before `day`."""
    return sum(1 for c in clients if c.status == ACTIVE
               and not within(review_base(c.treatment_start, c.last_evaluation), months, day))


def milestone_kind(treatment_start: date, today: date, one_year_months: int = 12,
                   two_year_months: int = 24) -> str | None:
    """The milestone the treatment has reached on `today`: TWO_YEAR, ONE_YEAR or None."""
    months = treatment_months(treatment_start, today)
    if months >= two_year_months:
        return TWO_YEAR
    if months >= one_year_months:
        return ONE_YEAR
    return None


def milestone_of_years(years: int) -> str | None:
    """`milestone_kind` (at its default marks) of a treatment that has run `years` whole years."""
    return TWO_YEAR if years >= 2 else ONE_YEAR if years >= 1 else None


# kept: the milestones CSV of 200 teams asks for ~16,000 clients of ~3,650 starts (2.5 µs a call, 0.9 cached)
@lru_cache(maxsize=16384)
def latest_mark(treatment_start: date, today: date) -> tuple[int, date]:
    """The whole years the treatment has run on `today`, and the anniversary that marked the last of them."""
    years = treatment_months(treatment_start, today) // 12
    return years, add_months(treatment_start, 12 * years)


def milestone(client: ClientRecord, today: date) -> MilestoneReview | None:
    """The client's open milestone on `today`, or None.

    One year: the first anniversary passed without a continuation decision since. From two years
    on, every later anniversary counts as the mark ("an extension after two years"), so a long
    treatment is flagged again each year until a decision is taken after its latest anniversary.
    """
    years, mark = latest_mark(client.treatment_start, today)
    if client.status != ACTIVE or years < 1:
        return None
    decided = client.last_continuation_decision
    if decided is not None and decided >= mark:
        return None
    kind = milestone_kind(client.treatment_start, today)
    invited = client.colleague_invited_at
    invited = invited if kind == TWO_YEAR and invited is not None and invited >= mark else None
    # a client past a milestone mark has a milestone kind
    return MilestoneReview(client.reference, client.clinician_id, kind, years, mark,  # type: ignore[arg-type]
                           (today - mark).days, invited, PROMPTS[kind])  # type: ignore[index]


def milestone_reviews(clients: Iterable[ClientRecord], today: date) -> list[MilestoneReview]:
    """Every open milestone on `today`, longest waiting since its mark first."""
    found = (milestone(client, today) for client in clients)
    return sorted((m for m in found if m is not None),
                  key=lambda m: (-m.days_since_mark, m.reference))


def milestone_from(treatment_start: date, last_continuation_decision: date | None) -> date:
    """The first treatment anniversary after the last continuation decision (the first one when there was
    none): from that day on the client has an open milestone (`milestone`), until the next decision."""
    years = 1
    while (last_continuation_decision is not None
           and add_months(treatment_start, 12 * years) <= last_continuation_decision):
        years += 1
    return add_months(treatment_start, 12 * years)


def anniversary(day: date) -> str:
    """The month and day (MM-DD) of a treatment's anniversaries: the order of their latest marks in any year,
    29 February aside (its mark is the 28th outside leap years)."""
    return day.isoformat()[5:]


def last_anniversary_marked(today: date) -> str:
    """The latest anniversary (MM-DD) whose mark this year falls on or before `today`: today's own, and on
    28 February outside leap years also 29 February's (marked that day)."""
    if (today.month, today.day) == (2, 28) and monthrange(today.year, 2)[1] == 28:
        return "02-29"
    return anniversary(today)


def marked_with(anniversary_on: str, this_year: bool, today: date) -> str:
    """The latest anniversary (MM-DD) whose latest mark on `today` (this year's, or last year's when not yet this
    year) falls on the same day as `anniversary_on`'s: itself, or 29 February with 28 February outside leap years."""
    year = today.year if this_year else today.year - 1
    if anniversary_on == "02-28" and monthrange(year, 2)[1] == 28:
        return "02-29"
    return anniversary_on


@dataclass(frozen=True)
class StoredCalendar:
    """A client's calendar as the store keeps it, so that counts over many teams need no per-client work:
    every field is a date the client passes, not a figure for one day."""

    due: date  # the next team review is due on this day (overdue after it)
    base: date  # the last review (or the start), the review order's second key
    norm_until: date  # within the team's norm up to and including this day
    legal_until: date  # within 12 months up to and including this day
    milestone_from: date  # an open milestone from this day on (`milestone_from`)
    anniversary: str


def stored_calendar(client: ClientRecord, interval_months: int) -> StoredCalendar:
    """The dates of `client`'s calendar, from the same rules as the planner's (`due_on`, `within`, `milestone`)."""
    base = review_base(client.treatment_start, client.last_evaluation)
    return StoredCalendar(due_on(client, interval_months), base, add_months(base, interval_months),
                          add_months(base, LEGAL_MINIMUM_MONTHS),
                          milestone_from(client.treatment_start, client.last_continuation_decision),
                          anniversary(client.treatment_start))


def reviews_needed_per_week(active_clients: int, interval_months: int) -> int:
    """Reviews a week (rounded up) that review every active client once per interval."""
    if interval_months < 1:
        raise ValueError("interval_months must be at least 1")
    if active_clients < 0:
        raise ValueError("active_clients cannot be negative")
    # Exact fraction: a float ceil could round 10.000000001 up to 11.
    return math.ceil(active_clients / Fraction(interval_months * WEEKS_PER_YEAR, 12))
