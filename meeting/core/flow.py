"""The running meeting's flow: which item comes next, budget use, and what the chair must resolve.

Pure: takes plain values (items, clock events, borrowed minutes, now) and returns what the chair
console, the projector and the phones show. No Flask, no SQL.
"""
from dataclasses import dataclass
from datetime import datetime

from meeting.core import budget, clock, planning

PHASES = ("look_back", "consent", "items", "ended")


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


def unfinished(view: MeetingView) -> list[ItemProgress]:
    """Items still open when the meeting ends: they are carried over, never dropped."""
    return [p for p in view.agenda if p.state == "planned"]
