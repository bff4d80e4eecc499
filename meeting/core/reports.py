"""The manager dashboard's pure parts: the period, the lists and figures from the store's rows, shares,
chart geometry, CSV. No Flask, no SQL; every date through the one calendar (meeting.core.evaluations)."""
import csv
import io
from dataclasses import dataclass
from functools import cached_property
from datetime import date, timedelta

from meeting.core import evaluations, register as register_rules
from meeting.core.dates import parse_date
from meeting.core.i18n import N_

DEFAULT_WEEKS = 26
MAX_DAYS = 5 * 366


def period(raw_from: str | None, raw_to: str | None, today: date) -> tuple[date, date, str | None]:
    """The period asked for (default: the last 26 weeks), or the default and a message why not."""
    default = (today - timedelta(weeks=DEFAULT_WEEKS), today)
    if not raw_from and not raw_to:
        return *default, None
    try:
        start, end = date.fromisoformat(raw_from or ""), date.fromisoformat(raw_to or "")
    except ValueError:
        return *default, N_("Give the period as two dates (YYYY-MM-DD).")
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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """A text cell a spreadsheet would run as a formula gets a leading quote (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: list[str], rows: list[list]) -> str:
    """A CSV document with a header line; no text cell can start a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
    return out.getvalue()


def time_totals(meetings: list[dict]) -> dict:
    """Meeting time summed over the period: planned vs used per track, borrowed minutes, meetings overrun."""
    totals = {key: sum(m[key] for m in meetings) for key in (
        "acute_planned_seconds", "acute_used_seconds", "regular_planned_seconds", "regular_used_seconds",
        "borrowed_minutes")}
    totals["overrun"] = sum(1 for m in meetings if m["acute_used_seconds"] + m["regular_used_seconds"] > m["minutes"] * 60)
    totals["meetings"] = len(meetings)
    return totals


@dataclass(frozen=True)
class Register:
    """Active clients of one or more teams: the store's rows (names, team, norm) and the calendar's records."""
    rows: tuple[dict, ...]
    records: tuple[evaluations.ClientRecord, ...]

    @classmethod
    def of(cls, rows: list[dict]) -> "Register":
        """Read every row once."""
        return cls(tuple(rows), tuple(evaluations.client_record(row) for row in rows))

    def team(self, team_id: int) -> "Register":
        """The clients of one team."""
        return self.by_team.get(team_id) or Register((), ())

    @cached_property
    def by_team(self) -> dict[int, "Register"]:
        """Every team's clients, split in one pass (in order of first appearance)."""
        pairs: dict[int, list] = {}
        for row, record in zip(self.rows, self.records):
            pairs.setdefault(row["team_id"], []).append((row, record))
        return {team_id: Register(tuple(row for row, _ in team), tuple(record for _, record in team))
                for team_id, team in pairs.items()}

    def team_ids(self) -> list[int]:
        """The teams with active clients, in order of first appearance."""
        return list(self.by_team)


def overdue_list(register: Register, today: date) -> list[dict]:
    """Active clients past their due date, most overdue first: per team exactly the planner's list."""
    found = []
    for team_id in register.team_ids():
        team = register.team(team_id)
        by_reference = {row["reference"]: row for row in team.rows}
        for review in evaluations.overdue_reviews(team.records, today, team.rows[0]["norm_months"]):
            row = by_reference[review.reference]
            found.append({"client_id": row["client_id"], "reference": row["reference"], "team_id": team_id,
                          "team": row["team"], "clinician": row["clinician"], "due": review.due.isoformat(),
                          "days_overdue": review.days_overdue})
    return sorted(found, key=lambda r: r["due"])  # stable: each team keeps the planner's order on ties


def milestone_list(register: Register, today: date) -> list[dict]:
    """Active clients past one or two years without a continuation decision since that mark."""
    found = [(milestone, row) for row, record in zip(register.rows, register.records)
             if (milestone := evaluations.milestone(record, today))]
    found.sort(key=lambda pair: (-pair[0].days_since_mark, pair[0].reference))
    return [{"client_id": row["client_id"], "reference": row["reference"], "team": row["team"],
             "clinician": row["clinician"], "years": m.years, "milestone": m.milestone} for m, row in found]


def per_clinician(register: Register, held: dict[int, int], overdue: list[dict]) -> list[dict]:
    """Per responsible clinician: active clients, reviews held in the period, overdue now (`overdue_list`)."""
    late = {row["client_id"] for row in overdue}
    clinicians: dict[int, dict] = {}
    for row in register.rows:
        entry = clinicians.setdefault(row["clinician_id"], {"clinician": row["clinician"], "clients": 0,
                                                           "held": held.get(row["clinician_id"], 0), "overdue": 0})
        entry["clients"] += 1
        entry["overdue"] += row["client_id"] in late
    return sorted(clinicians.values(), key=lambda entry: entry["clinician"])


def timelines(clients: list[dict], reviews: list[dict]) -> list[register_rules.Timeline]:
    """Each client's timeline from the store's rows (reviews ordered by client and day)."""
    held: dict[int, list[register_rules.Review]] = {}
    for review in reviews:
        held.setdefault(review["client_id"], []).append(
            register_rules.Review(parse_date(review["held_on"]), parse_date(review["agreed_next"])))
    return [register_rules.Timeline(
        client_id=c["client_id"], reference=c["reference"], team_id=c["team_id"], norm_months=c["norm_months"],
        treatment_start=parse_date(c["treatment_start"]), finished_on=parse_date(c["finished_on"]),
        registered_evaluation=parse_date(c["registered_evaluation"]),
        reviews=tuple(held.get(c["client_id"], ()))) for c in clients]


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


def headline(team: str, register: Register, today: date, norm_months: int, slots: int, overdue: int) -> Headline:
    """One team's headline from its active clients today, how many are overdue, and its review slots a week."""
    active = len(register.records)
    return Headline(team, active, active - evaluations.past(register.records, norm_months, today), norm_months,
                    overdue, slots, evaluations.reviews_needed_per_week(active, norm_months))


def weekly_trend(meetings: list[dict], timelines: list[register_rules.Timeline], start: date,
                 end: date) -> list[dict]:
    """Per week (Monday) of the period: reviews held, meetings, bells, discussed and decided items, and at
    the week's end the active clients within the norm and within the legal minimum."""
    weeks = {register_rules.week_of(p.day): {"week": register_rules.week_of(p.day).isoformat(), "held": 0,
                                            "meetings": 0, "bells": 0, "discussed": 0, "decided": 0,
                                            "active": p.active, "within_norm": p.within_norm,
                                            "within_legal": p.within_legal}
             for p in register_rules.share_trend(timelines, start, end)}
    for t in timelines:
        for review in t.reviews:
            if start <= review.held_on <= end:
                weeks[register_rules.week_of(review.held_on)]["held"] += 1
    for meeting in meetings:
        week = weeks[register_rules.week_of(parse_date(meeting["day"]))]
        week["meetings"] += 1
        for key in ("bells", "discussed", "decided"):
            week[key] += meeting[key]
    return [weeks[monday] for monday in sorted(weeks)]


MONTHLY_AFTER_WEEKS = 53  # a chart 600 units wide holds about a year of weekly bars
_SUMMED = ("held", "meetings", "bells", "discussed", "decided")
_AT_END = ("active", "within_norm", "within_legal")


def chart_rows(trend: list[dict]) -> tuple[list[dict], bool]:
    """The weekly trend's rows for the charts, or per month (its weeks by their Monday) when the period is
    longer than a year; and whether they are months. Counts add up; the shares are those of the month's last week."""
    if len(trend) <= MONTHLY_AFTER_WEEKS:
        return trend, False
    months: dict[str, dict] = {}
    for week in trend:
        month = months.setdefault(week["week"][:7], {"week": week["week"][:7], **dict.fromkeys(_SUMMED, 0)})
        for key in _SUMMED:
            month[key] += week[key]
        month.update({key: week[key] for key in _AT_END})
    return list(months.values()), True


def rating_rows(weeks: list[dict], dimensions: tuple[str, ...], monthly: bool) -> list[dict]:
    """The session rating's weekly averages, or per month weighted by raters."""
    if not monthly:
        return weeks
    months: dict[str, list[dict]] = {}
    for week in weeks:
        months.setdefault(week["week"][:7], []).append(week)
    return [{"week": month, "raters": sum(w["raters"] for w in rows),
             **{name: sum(w[name] * w["raters"] for w in rows) / sum(w["raters"] for w in rows) for name in dimensions}}
            for month, rows in months.items()]
