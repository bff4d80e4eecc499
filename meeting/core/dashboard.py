"""The manager dashboard's pure parts: the period, the figures from the store's counts, shares,
chart geometry. No Flask, no SQL; every date through the one calendar (meeting.core.evaluations)."""
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from meeting.core import evaluations
from meeting.core import register as register_rules
from meeting.core.closing import EXEMPLARY_SITUATIONS
from meeting.core.dates import parse_date
from meeting.core.i18n import N_
from meeting.core.meeting_rating import DIMENSIONS
from meeting.core.planning import LABELS, TRACKS

DEFAULT_WEEKS = 26
MAX_DAYS = 5 * 366
EARLIEST_DAY = date(1950, 1, 1)  # no register holds anything earlier (a treatment start is from 1950 on)
LATEST_AHEAD = timedelta(days=366)  # a period may reach a year past today, no further


def period(raw_from: str | None, raw_to: str | None, today: date) -> tuple[date, date, str | None]:
    """The period asked for (default: the last 26 weeks), or the default and a message why not."""
    default = (today - timedelta(weeks=DEFAULT_WEEKS), today)
    if not raw_from and not raw_to:
        return *default, None
    try:
        start, end = date.fromisoformat(raw_from or ""), date.fromisoformat(raw_to or "")
    except ValueError:
        return *default, N_("Give the period as two dates (YYYY-MM-DD).")
    if start < EARLIEST_DAY or end > today + LATEST_AHEAD:
        return *default, N_("Choose a period from 1950 up to a year from today.")
    if start > end:
        return *default, N_("The period's start lies after its end.")
    if (end - start).days > MAX_DAYS:
        return *default, N_("Choose a period of at most five years.")
    return start, end, None


def share(part: int, whole: int) -> int | None:
    """A whole percentage, or None when there is nothing to divide by."""
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, in SVG user units."""
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str


def bars(values: list[tuple[str, float]], width: float = 600, height: float = 160,
         top: float | None = None) -> list[Bar]:
    """Lay out a bar per (label, value), scaled so `top` (default: the highest bar) fills the height."""
    if not values:
        return []
    top = top or max(value for _, value in values) or 1
    slot = width / len(values)
    return [Bar(x=i * slot + slot * 0.1, y=height - value / top * height, width=slot * 0.8,
                height=value / top * height, value=value, label=label)
            for i, (label, value) in enumerate(values)]


ITEM_COUNTS = [f"items_{track}_{label}" for track in TRACKS for label in LABELS]
TAG_COUNTS = [f"tag_{situation}" for situation in EXEMPLARY_SITUATIONS]
TIME_SUMS = ["acute_planned_seconds", "acute_used_seconds", "regular_planned_seconds", "regular_used_seconds",
             "borrowed_minutes"]
PERIOD_SUMS = [*ITEM_COUNTS, *TAG_COUNTS, "discussed", "decided", "deferred", "deferred_again", "bells", "old_raters",
            "kept_process_sum", "ended_in_decisions_sum", "time_well_spent_sum",
               *TIME_SUMS]  # over a period, by the store


def process(row: dict) -> dict:
    """Items by label and track, decisions among discussed items, deferrals, bells, ratings, situation tags, from
    the store's sums of the period's meeting figures (`PERIOD_SUMS`, with meetings)."""
    items = [{"track": track, "label": label, "items": row[f"items_{track}_{label}"]}
             for track in TRACKS for label in LABELS if row[f"items_{track}_{label}"]]
    tags = sorted(({"situation": name, "items": row[f"tag_{name}"]} for name in EXEMPLARY_SITUATIONS
                   if row[f"tag_{name}"]), key=lambda tag: -tag["items"])
    raters = row["old_raters"]
    ratings = {"raters": raters, **{name: row[f"{name}_sum"] / raters if raters else None
                                    for name in ("kept_process", "ended_in_decisions", "time_well_spent")}}
    return {"items": items, "meetings": row["meetings"], "discussed": row["discussed"], "decided": row["decided"],
            "deferred": row["deferred"], "deferred_again": row["deferred_again"], "bells": row["bells"],
            "ratings": ratings, "tags": tags}


def time_totals(row: dict) -> dict:
    """Meeting time summed over the period: planned vs used per track, borrowed minutes, meetings overrun (from the
    store's sums of the period's meeting figures)."""
    return {key: row[key] for key in (*TIME_SUMS, "overrun", "meetings")}


@dataclass(frozen=True)
class Headline:
    """The answer a manager comes for, per team: the register now against the norm and the budget."""
    team: str
    active: int
    within_norm: int
    norm_months: int
    overdue: int
    slots: int
    needed: int

    @property
    def share(self) -> int | None:
        """Whole percentage of active clients within the norm."""
        return share(self.within_norm, self.active)

    @property
    def achievable(self) -> bool:
        """Whether the budget's review slots cover what the norm needs a week."""
        return self.slots >= self.needed


def headline(team: str, active: int, within_norm: int, norm_months: int, overdue: int, slots: int) -> Headline:
    """One team's headline from its active clients today (within the norm, overdue) and its review slots a week."""
    return Headline(team, active, within_norm, norm_months, overdue, slots,
                    evaluations.reviews_needed_per_week(active, norm_months))


MONTHLY_AFTER_WEEKS = 53  # a chart 600 units wide holds about a year of weekly bars
TREND_SUMS = ("meetings", "bells", "discussed", "decided")


def monthly(start: date, end: date) -> bool:
    """Whether the period's trend is shown per month: it holds more weeks than a chart has room for."""
    return len(register_rules.week_ends(start, end)) > MONTHLY_AFTER_WEEKS


def trend_key(day: date, monthly: bool) -> str:
    """The trend row `day` counts in: its week's Monday (ISO), or that Monday's month ("2026-03")."""
    monday = register_rules.week_of(day).isoformat()
    return monday[:7] if monthly else monday


# kept: a trend over 200 teams keys ~10,000 meetings a year by fewer than 400 days (4 µs a call, 0.2 cached)
@lru_cache(maxsize=16384)
def _key_of(day: str, monthly: bool) -> str:
    return trend_key(parse_date(day), monthly)  # type: ignore[arg-type]  # a stored day, never blank


def trend_days(start: date, end: date, monthly: bool) -> list[date]:
    """The days a trend row's register is read on: each week's end (`register.week_ends`), or each month's last."""
    days = register_rules.week_ends(start, end)
    if not monthly:
        return days
    return list({trend_key(day, True): day for day in days}.values())


def trend(register_at: list[register_rules.SharePoint], meeting_days: Iterable[Sequence],
          reviews_by_day: Iterable[tuple[str, int]], monthly: bool) -> list[dict]:
    """Per week (its Monday) or month of the period (`trend_key`), in order: the team reviews held, the closed
    meetings' `TREND_SUMS`, and the active clients within the norm and the legal minimum at the row's end.

    `register_at`: the register on each of `trend_days`; `meeting_days`: per day (ISO) its `TREND_SUMS`;
    `reviews_by_day`: per day the reviews held. Counts add up; the shares are the end's.
    """
    rows: dict[str, dict[str, Any]] = {}
    for point in register_at:
        key = trend_key(point.day, monthly)
        rows[key] = {"week": key, "held": 0, **dict.fromkeys(TREND_SUMS, 0), "active": point.active,
                     "within_norm": point.within_norm, "within_legal": point.within_legal}
    for day, held in reviews_by_day:
        rows[_key_of(day, monthly)]["held"] += held
    for day, *sums in meeting_days:
        row = rows[_key_of(day, monthly)]
        for name, value in zip(TREND_SUMS, sums):
            row[name] += value
    return list(rows.values())


def rating_trend(rated_days: Iterable[tuple], monthly: bool) -> list[dict]:
    """Per week (its Monday) or month (`trend_key`) with rated meetings, in order: how many rated and the average
    per dimension over them. `rated_days`: per day (ISO) the raters and their sum per `meeting_rating.DIMENSIONS`."""
    sums: dict[str, list[int]] = {}
    for day, *values in sorted(rated_days):
        row = sums.setdefault(_key_of(day, monthly), [0] * len(values))
        for i, value in enumerate(values):
            row[i] += value
    return [{"week": key, "raters": raters, **{name: total / raters for name, total in zip(DIMENSIONS, totals)}}
            for key, (raters, *totals) in sums.items() if raters]


@dataclass(frozen=True)
class Answers:
    """The five answers a manager comes for, each a count with its denominator (the first screen)."""
    active: int  # active clients today, over the teams
    within_norm: int  # of them reviewed by the team within the norm
    norm_months: str  # the norm's months ("6", or "6/3" over teams with different norms)
    teams: int
    teams_on_track: int  # teams whose review slots cover what the norm needs a week
    slots: int  # review slots a week, over the teams
    needed: int  # reviews a week the norm needs, over the teams
    evaluated_with_client: int  # WGBO: evaluated with the client within 12 months
    due_with_client: int  # those who need one: a year or longer in treatment, or already evaluated
    overdue: int  # active clients past the date their last review set
    meetings: int  # meetings held in the period
    bells: int  # bells rung in them
    discussed: int  # items discussed in them
    decided: int  # of those closed with a decision

    @property
    def on_track(self) -> bool:
        """Whether every team's budget fits what its norm needs."""
        return self.teams_on_track == self.teams


def answers(headlines: Sequence[Headline], legal_total: dict, overdue: int, process_figures: dict) -> Answers:
    """The first screen's answers from the teams' headlines, the legal minimum's total, the overdue count and the
    period's process figures (`process`)."""
    return Answers(
        active=sum(h.active for h in headlines), within_norm=sum(h.within_norm for h in headlines),
        norm_months="/".join(dict.fromkeys(str(h.norm_months) for h in headlines)), teams=len(headlines),
        teams_on_track=sum(h.achievable for h in headlines), slots=sum(h.slots for h in headlines),
        needed=sum(h.needed for h in headlines), evaluated_with_client=legal_total["evaluated"],
        due_with_client=legal_total["active"] - legal_total["not_yet_due"], overdue=overdue,
        meetings=process_figures["meetings"], bells=process_figures["bells"],
        discussed=process_figures["discussed"], decided=process_figures["decided"])
