"""Meeting time per track (acute / regular), borrowing between them, and the order policy.

Budgets and borrowed amounts are whole minutes, as the chair sets them; everything the
accounting reports is in seconds so it adds up with the item clocks. Pure: no Flask, no SQL.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from meeting.core.i18n import N_

TRACKS = ("acute", "regular")
TRACK_LABELS = {"acute": N_("Acute issues"), "regular": N_("Regular reviews")}
POLICIES = {
    "acute_first": N_("Acute issues first, strictly time-boxed"),
    "regular_first": N_("Regular reviews first"),
}
POLICY_ORDER = {"acute_first": ("acute", "regular"), "regular_first": ("regular", "acute")}
RESOLVE_OPTIONS = {"defer": N_("Defer the remaining items"), "borrow": N_("Borrow minutes")}

_SPENT = {  # (track, can borrow) -> why the chair must act before continuing
    ("acute", True): N_("The acute budget is spent and acute items remain: "
                        "defer them or borrow minutes from the regular budget."),
    ("acute", False): N_("The acute budget is spent and acute items remain: defer them; "
                         "the regular budget has no minutes left to lend."),
    ("regular", True): N_("The regular budget is spent and regular reviews remain: "
                          "defer them or borrow minutes from the acute budget."),
    ("regular", False): N_("The regular budget is spent and regular reviews remain: "
                           "defer them; the acute budget has no minutes left to lend."),
}
_OUT_OF_ORDER = {
    "acute": N_("Acute issues come first: discuss or defer them before the regular reviews."),
    "regular": N_("Regular reviews come first: discuss or defer them before the acute issues."),
}


@dataclass(frozen=True)
class ItemTime:
    """One agenda item's planned time and the time it used so far (live for a running item)."""
    track: str
    planned_seconds: int
    used_seconds: int = 0


@dataclass(frozen=True)
class Borrowing:
    """A recorded loan of minutes from one track's budget to the other's."""
    from_track: str
    minutes: int

    @property
    def to_track(self) -> str:
        """The track that receives the minutes."""
        return other_track(self.from_track)


@dataclass(frozen=True)
class TrackAccount:
    """One track's time, all in seconds; remaining_seconds is negative on overrun."""
    track: str
    budget_seconds: int
    borrowed_in_seconds: int
    borrowed_out_seconds: int
    effective_seconds: int
    planned_seconds: int
    used_seconds: int
    remaining_seconds: int

    @property
    def spent(self) -> bool:
        """True once the effective budget is used up."""
        return self.remaining_seconds <= 0


@dataclass(frozen=True)
class Accounting:
    """Both tracks' accounts for one meeting."""
    acute: TrackAccount
    regular: TrackAccount

    def track(self, track: str) -> TrackAccount:
        """The account of `track`."""
        return {"acute": self.acute, "regular": self.regular}[_checked(track)]


@dataclass(frozen=True)
class Resolution:
    """What the chair must resolve before the next item: the track, why, and the options."""
    track: str
    reason: str  # "budget_spent" | "out_of_order"
    options: tuple[str, ...]  # keys of RESOLVE_OPTIONS
    borrowable_minutes: int
    message: str


def _checked(track: str) -> str:
    """`track`, or ValueError when it is not one of TRACKS."""
    if track not in TRACKS:
        raise ValueError(f"unknown track {track!r}")
    return track


def other_track(track: str) -> str:
    """The other track: acute <-> regular."""
    return "regular" if _checked(track) == "acute" else "acute"


def _as_item(value) -> ItemTime:
    """An ItemTime from an ItemTime, a (track, planned, used) tuple or a row dict."""
    if isinstance(value, ItemTime):
        return value
    if isinstance(value, Mapping):
        return ItemTime(value["track"], value["planned_seconds"], value.get("used_seconds") or 0)
    return ItemTime(*value)


def _as_borrowing(value) -> Borrowing:
    """A Borrowing from a Borrowing, a (from_track, minutes) tuple or a row dict."""
    if isinstance(value, Borrowing):
        return value
    if isinstance(value, Mapping):
        return Borrowing(value["from_track"], value["minutes"])
    return Borrowing(*value)


def account(budgets: Mapping[str, int], items: Iterable = (), borrowings: Iterable = ()) -> Accounting:
    """Account both tracks: budget minutes per track, the items' times, recorded borrowings."""
    items = [_as_item(i) for i in items]
    loans = [_as_borrowing(b) for b in borrowings]
    accounts = {}
    for track in TRACKS:
        budget = int(budgets.get(track, 0)) * 60
        if budget < 0:
            raise ValueError("budgets must not be negative")
        lent = sum(b.minutes for b in loans if _checked(b.from_track) == track) * 60
        got = sum(b.minutes for b in loans if b.to_track == track) * 60
        mine = [i for i in items if _checked(i.track) == track]
        used = sum(i.used_seconds for i in mine)
        effective = budget + got - lent
        accounts[track] = TrackAccount(track, budget, got, lent, effective,
                                       sum(i.planned_seconds for i in mine), used, effective - used)
    return Accounting(**accounts)


def borrowable_minutes(accounting: Accounting, from_track: str) -> int:
    """Whole minutes `from_track` can still lend: what it has left, never below 0."""
    return max(accounting.track(from_track).remaining_seconds, 0) // 60


def borrow(accounting: Accounting, from_track: str, minutes) -> dict[str, str]:
    """Validate lending `minutes` from `from_track` to the other track: field -> message."""
    if from_track not in TRACKS:
        return {"from_track": N_("Choose the budget to borrow from.")}
    try:
        whole = int(str(minutes).strip())
    except ValueError:
        return {"minutes": N_("Enter a whole number of minutes.")}
    if whole <= 0:
        return {"minutes": N_("Borrow at least one minute.")}
    if whole > borrowable_minutes(accounting, from_track):
        return {"minutes": N_("You cannot borrow more minutes than the other budget has left.")}
    return {}


def _spent(track: str, accounting: Accounting) -> Resolution:
    """The resolution for a track whose budget is spent while items remain."""
    can = borrowable_minutes(accounting, other_track(track))
    options = ("defer", "borrow") if can else ("defer",)
    return Resolution(track, "budget_spent", options, can, _SPENT[track, bool(can)])


def track_exhausted_action(policy: str, track: str, accounting: Accounting,
                           remaining_items: Mapping[str, int]) -> Resolution | None:
    """None when the chair may start the next item of `track`; else what must be resolved first.

    `remaining_items` counts, per track, the items still waiting to be discussed. The
    policy's first track is strictly time-boxed and comes first: while it has items left,
    the other track waits. A track whose budget is spent with items left, in either order,
    blocks until the chair defers those items or borrows minutes from the other track.
    """
    if policy not in POLICY_ORDER:
        raise ValueError(f"unknown policy {policy!r}")
    first = POLICY_ORDER[policy][0]
    _checked(track)
    if track != first and remaining_items.get(first, 0) > 0:
        if accounting.track(first).spent:
            return _spent(first, accounting)
        return Resolution(first, "out_of_order", ("defer",), 0, _OUT_OF_ORDER[first])
    if remaining_items.get(track, 0) > 0 and accounting.track(track).spent:
        return _spent(track, accounting)
    return None
