"""The capacity line: the review slots a week the regular budget really leaves, a forecast of the register at that
pace, and the legal minimum's outlook apart from it. Pure: no Flask, no SQL.

The forecast replays the coming weekly meetings the way the scheduler's freeze fills them: the reviews the coming
meetings' agendas hold where they hold any yet, else `slots` a meeting, taken in `review_queue` order (the legal
minimum at stake first, then due soonest, then the longest wait), each dating the client's review by its meeting.
It works on the register as it is today: no new clients, nobody finishing. The evaluation with the client is
forecast from the reviews the replay holds, each recording one at the team's recent share (expected counts).
"""
import heapq
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import cast

from meeting.core.client_evaluation import WORKLIST_WEEKS
from meeting.core.evaluations import (
    ACTIVE,
    LEGAL_MINIMUM_MONTHS,
    ClientRecord,
    add_months,
    due_on,
    legal_at_stake,
    next_evaluation_due,
    reference_hash,
    review_base,
    reviews_needed_per_week,
    rotation_of,
    week_seed,
)

RECENT_MEETINGS = 8  # the other regular items are averaged over this many closed meetings
CHECKPOINT_WEEKS = (0, 4, 13, 26)
YEAR_WEEKS = 52
SETTLED_BY_WEEKS = 13  # the budget advice brings everyone within the norm by then
MAX_BUDGET = 480  # the longest regular budget a team can set


@dataclass(frozen=True)
class Pace:
    """What the regular budget leaves for reviews: other_minutes is the recent meetings' average."""

    regular_budget: int
    other_minutes: float
    review_minutes: int
    recent_meetings: int = 0
    with_client_share: float | None = None  # evaluations with the client a review, recently; None: none held yet
    coming: tuple[int, ...] = ()  # the reviews the coming meetings' agendas hold, where they hold any yet

    @property
    def slots(self) -> int:
        """Review slots a week: the regular budget minus the other regular items, in whole reviews."""
        return review_slots(self.regular_budget, self.other_minutes, self.review_minutes)

    def slots_at(self, meeting: int, slots: int | None = None) -> int:
        """The reviews the `meeting`-th coming meeting (0: the next) holds: its agenda's, else `slots` (the pace's)."""
        if meeting < len(self.coming):
            return self.coming[meeting]
        return self.slots if slots is None else slots


@dataclass(frozen=True)
class Week:
    """The register `weeks` after today at this pace."""

    weeks: int
    day: date
    past_norm: int  # active clients without a review within the norm on `day`
    past_legal: int  # ... nor within the legal minimum of 12 months
    newly_past_legal: int  # of those past the legal minimum, how many were within it today


@dataclass(frozen=True)
class WithClient:
    """The legal minimum (evaluation with the client within 12 months) at the team's recent pace: each review in
    the replay records one with the chance `share`, so the counts are expected values, rounded."""

    share: float
    past: tuple[int, ...]  # active clients past 12 months without an evaluation with the client, per checkpoint
    breach: date | None  # the first day from which more likely than not a client within it today has passed it
    breach_weeks: int | None  # whole weeks from today to `breach`
    at_risk: int  # clients within it today expected past it within a year


@dataclass(frozen=True)
class Forecast:
    """The capacity line: slots against the norm's need, the register in 4, 13 and 26 weeks, advice."""

    active: int
    norm_months: int
    pace: Pace
    needed: int  # reviews a week that review every active client once per norm interval
    checkpoints: tuple[Week, ...]  # now, in 4, 13 and 26 weeks
    clears: Week | None  # the first week nobody is past the norm; None: not within a year
    legal_breach: Week | None  # the first week a client within the legal minimum today is past it (in a year)
    newly_past_legal_peak: int  # the most clients within the legal minimum today past it in a week of the year
    budget_for_norm: int | None  # regular minutes that bring and keep everyone within the norm
    advised: bool = True  # False: the budget was not searched for (budget_for_norm is None)
    with_client: "WithClient | None" = None  # the legal minimum's outlook; None: the pace is not known yet
    budget_to_keep: int | None = None  # after the backlog is cleared: the regular minutes that keep it so

    @property
    def slots(self) -> int:
        """Review slots a week at the current budget."""
        return self.pace.slots

    @property
    def achievable(self) -> bool:
        """Whether the slots cover what the norm needs a week."""
        return self.slots >= self.needed

    @property
    def slots_for_norm(self) -> int | None:
        """Review slots a week at the advised budget."""
        if self.budget_for_norm is None:
            return None
        return review_slots(self.budget_for_norm, self.pace.other_minutes, self.pace.review_minutes)

    @property
    def slots_to_keep(self) -> int | None:
        """Review slots a week at the budget that keeps everyone within the norm once the backlog is cleared."""
        if self.budget_to_keep is None:
            return None
        return review_slots(self.budget_to_keep, self.pace.other_minutes, self.pace.review_minutes)

    @property
    def budget_suffices(self) -> bool:
        """Whether the current regular budget already brings and keeps everyone within the norm."""
        return self.budget_for_norm is not None and self.budget_for_norm <= self.pace.regular_budget


def review_slots(regular_budget: int, other_minutes: float, review_minutes: int) -> int:
    """Whole reviews of `review_minutes` that fit the regular budget after the other regular items."""
    if review_minutes < 1:
        raise ValueError("review_minutes must be at least 1")
    if regular_budget < 0 or other_minutes < 0:
        raise ValueError("budget and other minutes cannot be negative")
    return math.floor(max(regular_budget - other_minutes, 0) / review_minutes)


def coming_slots(agendas: Iterable[Mapping], review_minutes: int) -> tuple[int, ...]:
    """The reviews the coming meetings will hold, from their agendas (in order, up to the first with no item yet):
    a frozen agenda's reviews as they stand; a planned one's, plus the reviews the freeze adds in what is left of
    its regular budget. Each agenda: state, regular_budget, items, reviews, regular_minutes (planned)."""
    found = []
    for agenda in agendas:
        if not agenda["items"]:
            break
        left = 0 if agenda["state"] == "frozen" else review_slots(
            max(agenda["regular_budget"] - agenda["regular_minutes"], 0), 0, review_minutes)
        found.append(agenda["reviews"] + left)
    return tuple(found)


def with_client_share(reviews: int, with_client: int) -> float | None:
    """Evaluations with the client recorded a review held, recently (at most 1); None when no review was held."""
    return min(with_client / reviews, 1.0) if reviews else None


def average_other_minutes(other_minutes_per_meeting: list[int]) -> float:
    """The average minutes of other regular items over the recent meetings (0 without any)."""
    if not other_minutes_per_meeting:
        return 0.0
    return sum(other_minutes_per_meeting) / len(other_minutes_per_meeting)


def replay(clients: Iterable[ClientRecord], today: date, first_meeting: date, norm_months: int,
           slots: "int | Callable[[int], int]") -> Iterator[Week]:
    """Week 0, 1, 2, ...: the register at the start of today + 7k, after the weekly meetings before it each
    reviewed `slots` clients (or `slots(n)` at the n-th meeting) in the review order (`review_queue`, as the
    freeze takes them)."""
    return _replay(_register(clients, norm_months), today, first_meeting, norm_months, slots)


def _register(clients: Iterable[ClientRecord], norm_months: int) -> list["_Replayed"]:
    return [_Replayed(c, norm_months) for c in clients if c.status == ACTIVE]


def _replay(register: list["_Replayed"], today: date, first_meeting: date, norm_months: int,
            slots: "int | Callable[[int], int]") -> Iterator[Week]:
    slots_at = slots if callable(slots) else (lambda _meeting: slots)
    past_legal_today = {r.reference for r in register if today > r.legal_end}
    meeting, held, week = first_meeting, 0, 0
    while True:
        day = today + timedelta(weeks=week)
        while meeting < day:
            for replayed in _taken(register, slots_at(held), meeting):
                replayed.review(meeting, norm_months)
            meeting, held = meeting + timedelta(weeks=1), held + 1
        past_legal = {r.reference for r in register if day > r.legal_end}
        yield Week(week, day, sum(1 for r in register if day > r.norm_end), len(past_legal),
                   len(past_legal - past_legal_today))
        week += 1


def with_client_outlook(register: list["_Replayed"], today: date, share: float) -> WithClient:
    """The legal minimum over a replayed year: a client past its `with_client_due` stays past until a review records
    an evaluation with the client (chance `share` each); one that does is within it for the rest of the year."""
    missed = 1 - min(max(share, 0.0), 1.0)

    def chance_past(replayed: "_Replayed", day: date, reviews_until: date) -> float:
        if replayed.with_client_due is None or replayed.with_client_due >= day:
            return 0.0
        return missed ** sum(1 for held in replayed.reviewed if held <= reviews_until)

    days = [today + timedelta(weeks=weeks) for weeks in CHECKPOINT_WEEKS]
    past = tuple(_rounded(sum(chance_past(r, day, day - timedelta(days=1)) for r in register)) for day in days)
    horizon = today + timedelta(weeks=YEAR_WEEKS)
    within_today = sorted((r for r in register if r.with_client_due is not None and today <= r.with_client_due
                           and r.with_client_due + timedelta(days=1) <= horizon), key=attrgetter("with_client_due"))
    breach: date | None = None
    nobody, at_risk = 1.0, 0.0
    for replayed in within_today:
        due = cast(date, replayed.with_client_due)  # within_today holds only clients with a due date
        chance = chance_past(replayed, due + timedelta(days=1), due)
        at_risk, nobody = at_risk + chance, nobody * (1 - chance)
        if breach is None and nobody < 0.5:
            breach = due + timedelta(days=1)
    return WithClient(share, past, breach, (breach - today).days // 7 if breach else None, _rounded(at_risk))


def _rounded(expected: float) -> int:
    return math.floor(expected + 0.5)


def _taken(register: list["_Replayed"], slots: int, meeting: date) -> list["_Replayed"]:
    """The first `slots` clients in `review_queue` order (the legal minimum at stake first, then `queue_key`); the
    weekly rotation is worked out only for the clients tied at the cut."""
    def order(replayed):
        return (not replayed.at_stake(meeting), *replayed.order)
    first = heapq.nsmallest(slots, register, key=order)
    if not first:
        return []
    cut, seed = order(first[-1]), week_seed(meeting)
    before = [r for r in first if order(r) < cut]
    tied = [r for r in register if order(r) == cut]
    return sorted(before + tied, key=lambda r: (order(r), rotation_of(r.turn, seed)))[:slots]


class _Replayed:
    """One client in a replay, with the dates that decide its place and its norms precomputed, and the days the
    replay reviewed it."""

    __slots__ = ("reference", "turn", "base", "due", "order", "norm_end", "legal_end", "with_client_due",
                 "with_client_from", "reviewed", "first_base")

    def __init__(self, client: ClientRecord, norm_months: int):
        self.reference, self.turn = client.reference, reference_hash(client.reference)
        self.with_client_due = client.with_client_due
        self.with_client_from = client.last_with_client or client.treatment_start
        self.reviewed: list[date] = []
        self._set(review_base(client.treatment_start, client.last_evaluation), due_on(client, norm_months),
                  norm_months)
        self.first_base = self.base

    def review(self, day: date, norm_months: int) -> None:
        """A review on `day`: the next one falls due one norm interval later."""
        self.reviewed.append(day)
        self._set(day, next_evaluation_due(day, day, norm_months), norm_months)

    def at_stake(self, meeting: date) -> bool:
        """`legal_at_stake` as the freeze sees it: a review in the replay ends it, recorded with the client or not."""
        return legal_at_stake(self.with_client_due, self.with_client_from, self.base, meeting)

    def _set(self, base: date, due: date, norm_months: int) -> None:
        self.base, self.due, self.order = base, due, (due, base)
        self.norm_end, self.legal_end = add_months(base, norm_months), add_months(base, LEGAL_MINIMUM_MONTHS)


def forecast(clients: Iterable[ClientRecord], today: date, first_meeting: date, norm_months: int,
             pace: Pace, advise: bool = True) -> Forecast:
    """The capacity line's figures for the register on `today`, weekly meetings from `first_meeting`
    (without `advise`, no search for the budget that keeps everyone within the norm).

    Remembered for the same register, day, norm and pace: the planner, the settings and the dashboard ask
    again and again while nothing changed, and a year's replay (twice more for the advice) is the dearest
    figure on their pages. Any change to a client, the budget or the day is another question.
    """
    return _forecast(tuple(c for c in clients if c.status == ACTIVE), today, first_meeting, norm_months, pace,
                     advise)


@lru_cache(maxsize=256)
def _forecast(clients: tuple[ClientRecord, ...], today: date, first_meeting: date, norm_months: int,
              pace: Pace, advise: bool) -> Forecast:
    clients = list(clients)  # type: ignore[assignment]  # the cache key is a tuple; the work wants a list
    needed = reviews_needed_per_week(len(clients), norm_months)
    checkpoints, clears, breach, peak = [], None, None, 0
    register = _register(clients, norm_months)
    for week in _replay(register, today, first_meeting, norm_months, pace.slots_at):
        if week.weeks in CHECKPOINT_WEEKS:
            checkpoints.append(week)
        if clears is None and week.past_norm == 0:
            clears = week
        if week.weeks <= YEAR_WEEKS and breach is None and week.newly_past_legal:
            breach = week
        if week.weeks <= YEAR_WEEKS:
            peak = max(peak, week.newly_past_legal)
        if week.weeks >= YEAR_WEEKS:
            break
    with_client = None if pace.with_client_share is None else with_client_outlook(register, today,
                                                                                  pace.with_client_share)
    advice = budget_for_norm(clients, today, first_meeting, norm_months, pace, needed) if advise else None
    keep = budget_to_keep(clients, today, first_meeting, norm_months, pace, needed, advice) if advice else None
    return Forecast(len(clients), norm_months, pace, needed, tuple(checkpoints), clears, breach, peak, advice,
                    advised=advise, with_client=with_client, budget_to_keep=keep)


def keeps_within_norm(clients: Sequence[ClientRecord], today: date, first_meeting: date, norm_months: int,
                      slots: int, pace: Pace | None = None, clearing: int | None = None) -> bool:
    """Whether `slots` reviews a week bring everyone within the norm by week 13 and keep them there for the rest
    of the year, and no client reviewed in time passes 12 months without an evaluation with the client (when
    every review records one). With `pace`, the coming meetings hold what their agendas hold; with `clearing`,
    `slots` holds only from week 13 on, `clearing` reviews a week before it."""
    def slots_at(meeting: int) -> int:
        if pace is not None and meeting < len(pace.coming):
            return pace.coming[meeting]
        return slots if clearing is None or meeting >= SETTLED_BY_WEEKS else clearing
    register = _register(clients, norm_months)
    for week in _replay(register, today, first_meeting, norm_months, slots_at):
        if week.weeks >= SETTLED_BY_WEEKS and week.past_norm:
            return False
        if week.weeks >= YEAR_WEEKS:
            break
    return not any(_missed_at_stake(r, first_meeting, today + timedelta(weeks=YEAR_WEEKS)) for r in register)


def _missed_at_stake(replayed: "_Replayed", first_meeting: date, horizon: date) -> bool:
    """A client whose evaluation with the client falls due in the year but more than the worklist's 8 weeks ahead,
    and whom the replay does not review by then (a review records it when every review does); one due sooner is on
    its regiebehandelaar's worklist now."""
    due = replayed.with_client_due
    return (due is not None and first_meeting + timedelta(weeks=WORKLIST_WEEKS) <= due < horizon
            and not any(day <= due for day in replayed.reviewed))


def budget_for_norm(clients: Sequence[ClientRecord], today: date, first_meeting: date, norm_months: int,
                    pace: Pace, needed: int) -> int | None:
    """The regular budget (minutes) whose slots keep everyone within the norm: the current one when it
    does, else the smallest that does from the norm's weekly need up; None beyond a 480-minute budget."""
    if keeps_within_norm(clients, today, first_meeting, norm_months, pace.slots, pace):
        return pace.regular_budget
    slots = max(pace.slots + 1, needed)
    while (minutes := _minutes(pace, slots)) <= MAX_BUDGET:
        if keeps_within_norm(clients, today, first_meeting, norm_months, slots, pace):
            return minutes
        slots += 1
    return None


def budget_to_keep(clients: Sequence[ClientRecord], today: date, first_meeting: date, norm_months: int, pace: Pace,
                   needed: int, clearing: int) -> int:
    """After 13 weeks at the `clearing` budget: the smallest regular budget that keeps everyone within the norm for
    the rest of the year (the clearing one at most)."""
    clearing_slots = review_slots(clearing, pace.other_minutes, pace.review_minutes)
    for slots in range(min(needed, clearing_slots), clearing_slots):
        if keeps_within_norm(clients, today, first_meeting, norm_months, slots, pace, clearing=clearing_slots):
            return _minutes(pace, slots)
    return clearing


def _minutes(pace: Pace, slots: int) -> int:
    """The regular budget that leaves `slots` reviews after the other regular items."""
    return math.ceil(pace.other_minutes) + slots * pace.review_minutes
