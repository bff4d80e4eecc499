"""The register over a period, for the managers' audit: which clients fell due, whether they were
reviewed in time, late or not, and the share within the norm and the legal minimum, week by week.
Pure: the store hands over each client's reviews; every date comes from the one calendar in
`evaluations` (`next_evaluation_due`, `within`).

The store keeps what this works out per client (`Timeline.cycles`) and per team (`register_steps`), so a
dashboard over many teams counts in SQL; `period_audit` and `share_trend` are the definitions those counts
are tested against.
"""
import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from meeting.core.dates import parse_date
from meeting.core.evaluations import LEGAL_MINIMUM_MONTHS, add_months, next_evaluation_due, within

IN_TIME, LATE, NOT_REVIEWED = "in_time", "late", "not_reviewed"
KINDS = ("active", "norm", "legal")


@dataclass(frozen=True)
class Cycle:
    """What a period starting on any day from `first_start` to `last_start` finds of one client: the due date
    in force at its start and the first review held on or after it. The store keeps these, so the period
    audit over many teams is a count (`cycle_outcome` is the rule it counts by)."""

    first_start: date
    last_start: date
    due: date
    next_review: date | None


@dataclass(frozen=True)
class Review:
    """A team review held on a day; `agreed_next` is the next date agreed in it, if any."""

    held_on: date
    agreed_next: date | None = None


@dataclass(frozen=True)
class Timeline:
    """One client's treatment and reviews as the store knows them (reviews by date)."""

    client_id: int
    reference: str
    team_id: int
    norm_months: int
    treatment_start: date
    finished_on: date | None = None
    registered_evaluation: date | None = None  # the last review before Belletje recorded any
    reviews: tuple[Review, ...] = ()

    def active_on(self, day: date) -> bool:
        """In treatment on `day`: started, and not finished on or before it."""
        return self.treatment_start <= day and (self.finished_on is None or self.finished_on > day)

    @cached_property
    def _held(self) -> list[date]:
        return [r.held_on for r in self.reviews]

    def last_review(self, day: date) -> Review | None:
        """The last review held on or before `day`."""
        index = bisect.bisect_right(self._held, day)
        return self.reviews[index - 1] if index else None

    def base_on(self, day: date) -> date:
        """The last review (recorded or registered) on or before `day`, else the treatment start."""
        candidates = [self.treatment_start]
        if (review := self.last_review(day)) is not None:
            candidates.append(review.held_on)
        if self.registered_evaluation is not None and self.registered_evaluation <= day:
            candidates.append(self.registered_evaluation)
        return max(candidates)

    def due_on(self, day: date) -> date:
        """The due date in force at the start of `day` (set by the reviews before it)."""
        review = self.last_review(day - timedelta(days=1))
        base = self.base_on(day - timedelta(days=1))
        agreed = review.agreed_next if review and review.held_on == base else None
        return next_evaluation_due(self.treatment_start, base, self.norm_months, agreed)

    def within(self, months: int, day: date) -> bool:
        """Reviewed (or started) within `months` before `day`."""
        return within(self.base_on(day), months, day)

    def intervals(self) -> Iterator[tuple[str, date, date]]:
        """The days (first, last, inclusive) the client was in treatment ("active"), and within the norm
        ("norm") and the legal minimum ("legal") by its last review: the same as `within`, per day."""
        active_last = self.finished_on - timedelta(days=1) if self.finished_on else date.max
        if self.treatment_start <= active_last:
            yield "active", self.treatment_start, active_last
        bases = sorted({self.treatment_start, *self._held,
                        *([self.registered_evaluation] if self.registered_evaluation else [])})
        for index, base in enumerate(bases):
            next_base = bases[index + 1] - timedelta(days=1) if index + 1 < len(bases) else date.max
            for kind, months in (("norm", self.norm_months), ("legal", LEGAL_MINIMUM_MONTHS)):
                first, last = max(base, self.treatment_start), min(next_base, add_months(base, months), active_last)
                if first <= last:
                    yield kind, first, last

    def cycles(self) -> Iterator[Cycle]:
        """The stretches of period starts that share a due date and a next review. Both depend on the start
        only through the reviews, the registered review and the treatment start before it, so they change
        only the day after one of those; periods starting once the treatment finished count nothing."""
        registered = [self.registered_evaluation] if self.registered_evaluation else []
        changes = {day + timedelta(days=1) for day in (*self._held, self.treatment_start, *registered)}
        starts = sorted({date.min, *changes})
        last_counted = self.finished_on - timedelta(days=1) if self.finished_on else date.max
        for index, first in enumerate(starts):
            if first > last_counted:
                return
            last = min(starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else date.max, last_counted)
            following = bisect.bisect_left(self._held, first)
            yield Cycle(first, last, self.due_on(last),  # any day of the stretch gives the same
                        self._held[following] if following < len(self._held) else None)


@dataclass(frozen=True)
class PeriodAudit:
    """The period's audit: clients due and how their reviews went; the register at the period's end."""

    due: int  # active clients whose review fell due in the period (or was overdue at its start)
    overdue_at_start: int  # of those, already overdue when the period began
    in_time: int  # reviewed on or before the due date
    late: int  # reviewed after the due date, within the period
    not_reviewed: int  # not reviewed by the end of the period (or by finishing)
    reviews_held: int  # team reviews held in the period: reviews, not clients
    active_at_end: int
    within_norm_at_end: int
    within_legal_at_end: int


@dataclass(frozen=True)
class SharePoint:
    """Active clients on a day and how many were within the norm and within the legal minimum."""

    day: date
    active: int
    within_norm: int
    within_legal: int


def review_outcome(timeline: Timeline, start: date, end: date) -> tuple[date, str] | None:
    """The client's due date in the period and whether it was met (IN_TIME, LATE, NOT_REVIEWED); None when
    nothing fell due, or the client was not in treatment when it did."""
    due = timeline.due_on(start)
    if due > end or not timeline.active_on(max(due, start)):
        return None
    reviewed = next((r.held_on for r in timeline.reviews if start <= r.held_on <= end), None)
    if reviewed is None:
        return due, NOT_REVIEWED
    return due, IN_TIME if reviewed <= due else LATE


def cycle_outcome(cycle: Cycle, treatment_start: date, finished_on: date | None, start: date,
                  end: date) -> str | None:
    """`review_outcome` from the client's cycle that holds `start` (as the store counts it in SQL)."""
    counted_on = max(cycle.due, start)
    if cycle.due > end or treatment_start > counted_on or (finished_on is not None and finished_on <= counted_on):
        return None
    if cycle.next_review is None or cycle.next_review > end:
        return NOT_REVIEWED
    return IN_TIME if cycle.next_review <= cycle.due else LATE


def period_audit(timelines: Iterable[Timeline], start: date, end: date) -> PeriodAudit:
    """Count the period's due clients by outcome, the reviews held, and the register at its end."""
    timelines = list(timelines)
    outcomes = [(due, kind) for t in timelines if (found := review_outcome(t, start, end)) for due, kind in [found]]
    active = [t for t in timelines if t.active_on(end)]
    return PeriodAudit(
        due=len(outcomes), overdue_at_start=sum(1 for due, _ in outcomes if due < start),
        in_time=sum(1 for _, kind in outcomes if kind == IN_TIME),
        late=sum(1 for _, kind in outcomes if kind == LATE),
        not_reviewed=sum(1 for _, kind in outcomes if kind == NOT_REVIEWED),
        reviews_held=sum(1 for t in timelines for r in t.reviews if start <= r.held_on <= end),
        active_at_end=len(active),
        within_norm_at_end=sum(1 for t in active if t.within(t.norm_months, end)),
        within_legal_at_end=sum(1 for t in active if t.within(LEGAL_MINIMUM_MONTHS, end)))


def week_ends(start: date, end: date) -> list[date]:
    """Each Sunday from `start` up to `end`, and `end` itself."""
    first = start + timedelta(days=6 - start.weekday())
    days = [first + timedelta(weeks=k) for k in range((end - first).days // 7 + 1)] if first <= end else []
    return days if days and days[-1] == end else days + [end]


def register_steps(timelines: Iterable[Timeline]) -> list[tuple[date, int, int, int]]:
    """The register's counts (active, within the norm, within the legal minimum) from every day they change:
    on any day they are those of the last step on or before it, and zero before the first.

    Each client's days in treatment and within the norms are intervals (`Timeline.intervals`): a step adds
    the intervals begun that day and drops those ended the day before, so the work grows with the reviews,
    not the days, and the future (a norm running out) is in the steps too.
    """
    deltas: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for timeline in timelines:
        for kind, first, last in timeline.intervals():
            deltas[first][KINDS.index(kind)] += 1
            if last < date.max:
                deltas[last + timedelta(days=1)][KINDS.index(kind)] -= 1
    steps: list[tuple[date, int, int, int]] = []
    counts = [0, 0, 0]
    for day in sorted(deltas):
        counts = [count + delta for count, delta in zip(counts, deltas[day])]
        steps.append((day, counts[0], counts[1], counts[2]))
    return steps


def points(steps: list[tuple[date, int, int, int]], days: Iterable[date]) -> list[SharePoint]:
    """The register on each of `days`, from its steps (what the store's lookup does in SQL)."""
    step_days = [step[0] for step in steps]
    found = []
    for day in days:
        index = bisect.bisect_right(step_days, day)
        found.append(SharePoint(day, *(steps[index - 1][1:] if index else (0, 0, 0))))
    return found


def share_trend(timelines: Iterable[Timeline], start: date, end: date) -> list[SharePoint]:
    """At the end of every week of the period: active clients, within the norm, within the legal minimum."""
    return points(register_steps(timelines), week_ends(start, end))


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def timelines(clients: list[dict], reviews: list[dict]) -> list[Timeline]:
    """Each client's timeline from the store's rows (reviews ordered by client and day)."""
    held: dict[int, list[Review]] = {}
    for review in reviews:
        held.setdefault(review["client_id"], []).append(
            Review(parse_date(review["held_on"]),  # type: ignore[arg-type]  # NOT NULL
                   parse_date(review["agreed_next"])))
    return [Timeline(
        client_id=c["client_id"], reference=c["reference"], team_id=c["team_id"], norm_months=c["norm_months"],
        treatment_start=parse_date(c["treatment_start"]),  # type: ignore[arg-type]  # NOT NULL
        finished_on=parse_date(c["finished_on"]),
        registered_evaluation=parse_date(c["registered_evaluation"]),
        reviews=tuple(held.get(c["client_id"], ()))) for c in clients]
