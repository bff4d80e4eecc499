"""The running meeting's flow: which item comes next, budget use, and what the chair must resolve.

Pure: takes plain values (items, clock events, borrowed minutes, now) and returns what the chair
console, the projector and the phones show. No Flask, no SQL.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from meeting.core import budget, clock, planning

PHASES = ("look_back", "consent", "items", "look_ahead", "ended")


@dataclass(frozen=True)
class ItemProgress:
    """One item of the running meeting with its clock."""
    item: planning.AgendaItem
    state: str  # planned | decided | deferred
    clock: clock.ClockState


@dataclass(frozen=True)
class MeetingView:
    """Everything the live screens show about a running meeting at `now`."""
    agenda: tuple[ItemProgress, ...]  # in agenda order, consent block first
    current: ItemProgress | None
    next_up: ItemProgress | None
    waiting: tuple[ItemProgress, ...]  # planned, not current, in order
    accounting: budget.Accounting
    resolution: budget.Resolution | None  # what the chair must resolve before `next_up`


def meeting_view(items: list[planning.AgendaItem], states: dict[int, str], events: dict[int, list],
                 current_id: int | None, policy: str, budgets: dict[str, int], borrowings: list,
                 now: datetime) -> MeetingView:
    """Derive the live state of a running meeting from what is stored."""
    progress = [ItemProgress(item, states[item.id], clock.clock_state(events.get(item.id, ()), item.minutes * 60, now))
                for item in planning.order_agenda(items, policy)]
    current = next((p for p in progress if p.item.id == current_id), None)
    waiting = tuple(p for p in progress if p.state == "planned" and p.item.id != current_id)
    accounting = budget.account(budgets, [_item_time(p) for p in progress], borrowings)
    next_up = next((p for p in waiting if p.item.label != "announcement"), None)
    return MeetingView(tuple(progress), current, next_up, waiting, accounting,
                       _resolution(policy, next_up, accounting, waiting))


def _item_time(progress: ItemProgress) -> budget.ItemTime:
    """Planned time counts until the item is closed; then the time it really used."""
    planned = progress.item.minutes * 60 if progress.state == "planned" else progress.clock.elapsed_seconds
    return budget.ItemTime(progress.item.track, planned, progress.clock.elapsed_seconds)


def _resolution(policy: str, next_up: ItemProgress | None, accounting: budget.Accounting,
                waiting: tuple[ItemProgress, ...]) -> budget.Resolution | None:
    if next_up is None:
        return None
    remaining = {track: sum(1 for p in waiting if p.item.track == track and p.item.label != "announcement")
                 for track in budget.TRACKS}
    return budget.track_exhausted_action(policy, next_up.item.track, accounting, remaining)


@dataclass(frozen=True)
class EndEstimate:
    """Where the meeting is heading at the current pace."""
    ends_at: datetime
    scheduled_end: datetime
    pace: float  # seconds used per planned second, over the items closed so far (1.0 before any)
    regular_fit: int  # waiting regular reviews that still fit, in the time left and the regular budget
    regular_waiting: int

    @property
    def over_seconds(self) -> int:
        """How far past the scheduled end the meeting is heading (0 when within it)."""
        return max(int((self.ends_at - self.scheduled_end).total_seconds()), 0)


MIN_PACE, MAX_PACE = 0.5, 3.0  # one odd item must not make the estimate absurd


def pace(view: MeetingView) -> float:
    """Seconds used per planned second over the items discussed and closed so far."""
    closed = [p for p in view.agenda if p.state != "planned" and p.clock.elapsed_seconds > 0]
    planned = sum(p.item.minutes * 60 for p in closed)
    if not planned:
        return 1.0
    return min(max(sum(p.clock.elapsed_seconds for p in closed) / planned, MIN_PACE), MAX_PACE)


def end_estimate(view: MeetingView, policy: str, scheduled_end: datetime, now: datetime) -> EndEstimate:
    """The estimated end at the current pace, and how many waiting regular reviews will still fit."""
    rate = pace(view)
    current_left = max(view.current.clock.remaining_seconds, 0) if view.current else 0
    queue = [p for p in view.waiting if p.item.label != "announcement"]
    expected = {p.item.id: round(p.item.minutes * 60 * rate) for p in queue}
    ends_at = now + timedelta(seconds=current_left + sum(expected.values()))
    regular = [p for p in queue if p.item.track == "regular"]
    ahead = current_left + (sum(expected[p.item.id] for p in queue if p.item.track == "acute")
                            if budget.POLICY_ORDER[policy][0] == "acute" else 0)
    in_budget = view.accounting.regular.remaining_seconds - (
        current_left if view.current and view.current.item.track == "regular" else 0)
    room, fit = min((scheduled_end - now).total_seconds() - ahead, in_budget), 0
    for progress in regular:
        room -= expected[progress.item.id]
        if room < 0:
            break
        fit += 1
    return EndEstimate(ends_at, scheduled_end, rate, fit, len(regular))


def first_phase(open_actions: int, announcements: int) -> str:
    """Where a meeting starts: the look back, but a phase with nothing in it costs the chair no click."""
    return "look_back" if open_actions else after_look_back(announcements)


def after_look_back(announcements: int) -> str:
    """After the look back: the consent block, or straight to the items when there are no announcements."""
    return "consent" if announcements else "items"


def waiting_announcements(view: MeetingView) -> int:
    """Announcements still waiting for the consent block."""
    return sum(1 for p in view.waiting if p.item.label == "announcement")


def unfinished(view: MeetingView) -> list[ItemProgress]:
    """Items still open when the meeting ends: they are carried over, never dropped."""
    return [p for p in view.agenda if p.state == "planned"]
