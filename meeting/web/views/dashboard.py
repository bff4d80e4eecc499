"""Managers: the register against the norm and the budget, the period's due clients and how their reviews
went, overdue clients, meeting time and process, per team or for all the teams they manage. Counts, dates
and pseudonymous references only; every view is logged."""
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cached_property
from operator import itemgetter

from flask import Blueprint, Response, abort, g, render_template, request
from flask_babel import lazy_pgettext, pgettext
from flask_login import current_user

from meeting.core import dashboard as dashboard_rules
from meeting.core import handover as handover_rules
from meeting.core import meeting_rating
from meeting.core.exports import csv_text
from meeting.store import client_evaluations as evaluation_store
from meeting.store import dashboard as dashboard_store
from meeting.store import handovers as handover_store
from meeting.store import meeting_ratings as rating_store
from meeting.store import teams as team_store
from meeting.store.audit import log_access_set
from meeting.store.db import utcnow, write
from meeting.web.shared import actor, attachment, get_db, login_guarded, team_today, team_view

bp = login_guarded(Blueprint("dashboard", __name__))
TABLES = ("summary", "overdue", "milestones", "clinicians", "meetings", "items", "trend")
COLUMN_NAMES = {  # a CSV's column names in the reader's language
    "from": lazy_pgettext("CSV column", "from"), "to": lazy_pgettext("CSV column", "to"),
    "clients_due": lazy_pgettext("CSV column", "clients_due"),
    "clients_due_overdue_at_start": lazy_pgettext("CSV column", "clients_due_overdue_at_start"),
    "clients_reviewed_in_time": lazy_pgettext("CSV column", "clients_reviewed_in_time"),
    "clients_reviewed_late": lazy_pgettext("CSV column", "clients_reviewed_late"),
    "clients_not_reviewed": lazy_pgettext("CSV column", "clients_not_reviewed"),
    "reviews_held": lazy_pgettext("CSV column", "reviews_held"),
    "active_clients_at_end": lazy_pgettext("CSV column", "active_clients_at_end"),
    "within_norm_at_end": lazy_pgettext("CSV column", "within_norm_at_end"),
    "within_12_months_at_end": lazy_pgettext("CSV column", "within_12_months_at_end"),
    "meetings": lazy_pgettext("CSV column", "meetings"),
    "discussed_items": lazy_pgettext("CSV column", "discussed_items"),
    "decided_items": lazy_pgettext("CSV column", "decided_items"),
    "deferred_items": lazy_pgettext("CSV column", "deferred_items"),
    "carried_over_again": lazy_pgettext("CSV column", "carried_over_again"),
    "bells": lazy_pgettext("CSV column", "bells"),
    "team": lazy_pgettext("CSV column", "team"), "reference": lazy_pgettext("CSV column", "reference"),
    "clinician": lazy_pgettext("CSV column", "clinician"), "due": lazy_pgettext("CSV column", "due"),
    "days_overdue": lazy_pgettext("CSV column", "days_overdue"), "years": lazy_pgettext("CSV column", "years"),
    "milestone": lazy_pgettext("CSV column", "milestone"),
    "active_clients": lazy_pgettext("CSV column", "active_clients"),
    "overdue_now": lazy_pgettext("CSV column", "overdue_now"), "day": lazy_pgettext("CSV column", "day"),
    "minutes": lazy_pgettext("CSV column", "minutes"), "acute_budget": lazy_pgettext("CSV column", "acute_budget"),
    "acute_planned_seconds": lazy_pgettext("CSV column", "acute_planned_seconds"),
    "acute_used_seconds": lazy_pgettext("CSV column", "acute_used_seconds"),
    "regular_budget": lazy_pgettext("CSV column", "regular_budget"),
    "regular_planned_seconds": lazy_pgettext("CSV column", "regular_planned_seconds"),
    "regular_used_seconds": lazy_pgettext("CSV column", "regular_used_seconds"),
    "borrowed_minutes": lazy_pgettext("CSV column", "borrowed_minutes"), "track": lazy_pgettext("CSV column", "track"),
    "label": lazy_pgettext("CSV column", "label"), "items": lazy_pgettext("CSV column", "items"),
    "week": lazy_pgettext("CSV column", "week"),
    "active_clients_at_week_end": lazy_pgettext("CSV column", "active_clients_at_week_end"),
    "within_norm_at_week_end": lazy_pgettext("CSV column", "within_norm_at_week_end"),
    "within_12_months_at_week_end": lazy_pgettext("CSV column", "within_12_months_at_week_end"),
}


@bp.get("/teams/<int:team_id>/dashboard")
@team_view("manager")
def team_dashboard(team_id: int):
    """One team's dashboard."""
    return _render([g.team])


@bp.get("/dashboard")
def all_teams():
    """The dashboard over every team the manager manages."""
    return _render(_managed_teams())


@bp.get("/teams/<int:team_id>/dashboard/<table>.csv")
@team_view("manager")
def team_csv(team_id: int, table: str):
    """One table of a team's dashboard as CSV."""
    return _csv([g.team], table)


@bp.get("/dashboard/<table>.csv")
def all_teams_csv(table: str):
    """One table of the all-teams dashboard as CSV."""
    return _csv(_managed_teams(), table)


def _managed_teams() -> list[dict]:
    teams = [t for t in team_store.teams_of(get_db(), current_user.id) if t["role"] == "manager"]
    return teams or abort(404)


class Dashboard:
    """The figures of the dashboard for these teams and the requested period, each read when first asked for:
    a page reads them all, a CSV only what its table shows. Counts come from SQL over the stored calendar
    (meeting.store.calendar)."""

    def __init__(self, teams: list[dict], limit: int | None = None):
        self.teams, self.db, self.ids, self.today = teams, get_db(), [t["id"] for t in teams], team_today(teams[0])
        self.start, self.end, self.problem = dashboard_rules.period(request.args.get("from"), request.args.get("to"),
                                                                    self.today)
        self.limit = limit  # how many overdue clients and milestones a page lists (a CSV: all)

    @cached_property
    def _overdue(self) -> tuple[list[dict], int]:
        return dashboard_store.overdue(self.db, self.ids, self.today, self.limit)

    @property
    def overdue(self) -> list[dict]:
        return self._overdue[0]

    @cached_property
    def _milestones(self) -> tuple[list[dict], int]:
        return dashboard_store.milestones(self.db, self.ids, self.today, self.limit)

    @property
    def milestones(self) -> list[dict]:
        return self._milestones[0]

    @cached_property
    def handovers(self) -> list[dict]:
        return handover_rules.annotated(handover_store.for_dashboard(self.db, self.ids, self.start), self.today)

    @cached_property
    def audit(self):
        """The period's audit. When the period ends today, its register at the end is today's stored count, the
        headline's: a review dated by a meeting still to come counts at once in the stored client dates and only from
        its day in the register, so two sources would name "within the norm today" with two numbers."""
        audit = dashboard_store.period_audit(self.db, self.ids, self.start, self.end, self._reviews_by_day)
        if self.end != self.today:
            return audit
        today = self.today_per_team.values()
        return replace(audit, active_at_end=sum(r["active"] for r in today),
                       within_norm_at_end=sum(r["within_norm"] for r in today))

    @cached_property
    def today_per_team(self) -> dict[int, dict]:
        return dashboard_store.register_per_team(self.db, self.ids, self.today)

    @property
    def _listed(self) -> int | None:
        """How many clinicians a page lists: over many teams those with the most overdue; one team's and a CSV all."""
        return self.limit if self.limit and len(self.ids) > 1 else None

    @cached_property
    def legal(self) -> dict:
        """The evaluation with the client against the legal minimum on the period's last day (today's is stored)."""
        if self.end == self.today:
            return evaluation_store.legal_minimum_today(self.db, self.ids, self.end, self._listed)
        return evaluation_store.legal_minimum(self.db, self.ids, self.end, self._listed)

    @cached_property
    def _clinicians(self) -> tuple[list[dict], int]:
        listed, total = dashboard_store.clinicians_today(self.db, self.ids, self.today, self._listed)
        held = dashboard_store.reviews_per_clinician(self.db, self.ids, self.start, self.end,
                                                     [r["clinician_id"] for r in listed] if self._listed else None)
        return [r | {"held": held.get(r["clinician_id"], 0)} for r in listed], total

    @property
    def clinicians(self) -> list[dict]:
        return self._clinicians[0]

    @cached_property
    def meetings(self) -> list[dict]:
        return dashboard_store.meeting_time(self.db, self.ids, self.start, self.end)

    @cached_property
    def _period_figures(self) -> dict:
        return dashboard_store.period_figures(self.db, self.ids, self.start, self.end)

    @cached_property
    def process(self) -> dict:
        return dashboard_rules.process(self._period_figures)

    @cached_property
    def monthly(self) -> bool:
        return dashboard_rules.monthly(self.start, self.end)

    def _trend(self, monthly: bool) -> list[dict]:
        days = dashboard_rules.trend_days(self.start, self.end, monthly)
        points = dashboard_store.register_points(self.db, self.ids, days)
        return dashboard_rules.trend(points, self._trend_meetings, self._reviews_by_day, monthly)

    @cached_property
    def _trend_meetings(self) -> list[tuple]:
        return dashboard_store.trend_meetings(self.db, self.ids, self.start, self.end)

    @cached_property
    def _reviews_by_day(self) -> list[tuple[str, int]]:
        return dashboard_store.reviews_by_day(self.db, self.ids, self.start, self.end)

    @cached_property
    def trend(self) -> list[dict]:
        """Per week (the CSV's rows)."""
        return self._trend(False)

    @cached_property
    def chart_trend(self) -> list[dict]:
        """Per week, or per month over more than a year (the charts' bars)."""
        return self._trend(True) if self.monthly else self.trend

    def log(self, shown: list[dict], view: str) -> None:
        """The manager's view of these clients (or of counts only) goes to the access log: one row with its clients,
        under the team when it is one."""
        teams = f"team={self.ids[0]}" if len(self.ids) == 1 else f"teams={self.ids}"
        with write(self.db):
            log_access_set(self.db, actor(), "dashboard", [r["client_id"] for r in shown],
                           self.ids[0] if len(self.ids) == 1 else None,
                           detail=f"{view} {teams} period={self.start}..{self.end}")

    def page(self) -> dict:
        """Everything the page shows; logs the clients on it."""
        self.log(self.overdue + self.milestones + self.handovers, "page")
        return dict(teams=self.teams, start=self.start, end=self.end, problem=self.problem, today=self.today,
                    audit=self.audit, overdue=self.overdue, overdue_total=self._overdue[1],
                    milestones=self.milestones, milestones_total=self._milestones[1],
                    handovers=self.handovers, clinicians=self.clinicians, clinicians_total=self._clinicians[1],
                    time=dashboard_rules.time_totals(self._period_figures), process=self.process,
                    trend=self.chart_trend,
                    monthly=self.monthly,
                    today_per_team=self.today_per_team)


def _today_against_the_norm(teams: list[dict], data: dict) -> dict:
    """Per team the headline; one team's dashboard adds its capacity line with the forecast and the budget advice.

    Over several teams the headline's review slots come from each team's pace alone: a forecast replays a year of
    meetings per team, which the team's own dashboard (linked) shows.
    """
    db, now = get_db(), utcnow()
    if len(teams) == 1:
        forecasts = {teams[0]["id"]: dashboard_store.capacity_forecast(db, teams[0], now)}
        slots = {teams[0]["id"]: forecasts[teams[0]["id"]].slots}
    else:
        forecasts, slots = {}, {t["id"]: dashboard_store.review_pace(db, t).slots for t in teams}
    empty = {"active": 0, "within_norm": 0, "overdue": 0}
    headline = dashboard_rules.headline
    headlines = [headline(t["name"], (r := data["today_per_team"].get(t["id"], empty))["active"], r["within_norm"],
                          t["evaluation_interval_months"], r["overdue"], slots[t["id"]])
                 for t in teams]
    return {"forecasts": forecasts, "headlines": headlines}


def _render(teams: list[dict]):
    board = Dashboard(teams, limit=25)
    data = board.page()
    data |= _today_against_the_norm(teams, data)
    trend = data["trend"]
    bars, share = dashboard_rules.bars, dashboard_rules.share
    charts = {"held": bars([(w["week"], w["held"]) for w in trend]),
              "within_norm": bars([(w["week"], share(w["within_norm"], w["active"]) or 0) for w in trend], top=100),
              "within_legal": bars([(w["week"], share(w["within_legal"], w["active"]) or 0) for w in trend], top=100),
              "bells": bars([(w["week"], w["bells"] / w["meetings"] if w["meetings"] else 0) for w in trend]),
              "decided": bars([(w["week"], share(w["decided"], w["discussed"]) or 0) for w in trend])}
    csv_base = request.path.rstrip("/")
    answers = dashboard_rules.answers(data["headlines"], board.legal["total"], data["overdue_total"], data["process"])
    return render_template("dashboard/dashboard.html", **data, charts=charts, share=share, answers=answers,
                           **_legal_minimum_and_ratings(teams, data, board.legal),
                           csv_base=csv_base, query=request.query_string.decode())


def _legal_minimum_and_ratings(teams: list[dict], data: dict, legal: dict) -> dict:
    """The evaluation with the client against the legal minimum, and the meeting rating's trend per dimension."""
    rows = rating_store.trend(get_db(), [t["id"] for t in teams], data["start"], data["end"], data["monthly"])
    shown = meeting_rating.shown_weeks(rows)  # a week of fewer than three raters would show their own scores
    return {"legal": legal,
            "rating_averages": meeting_rating.period_averages(rows),
            "rating_charts": {name: dashboard_rules.bars([(w["week"], w[name]) for w in shown])
                              for name in meeting_rating.DIMENSIONS}}


def _csv(teams: list[dict], table: str):
    if table not in TABLES:
        abort(404)
    board = Dashboard(teams)
    board.log(getattr(board, table) if table in ("overdue", "milestones") else [], f"{table}.csv")
    header, rows = _table(board, table)
    # The name holds the period as parsed (never the query's text) and the table's name in the reader's language.
    return Response(csv_text([str(COLUMN_NAMES[column]) for column in header], rows), mimetype="text/csv",
                    headers=attachment("belletje", _csv_name(table), board.start, board.end, suffix="csv"))


def _csv_name(table: str) -> str:
    """A table's name in its download's file name, in the reader's language."""
    return {"summary": pgettext("file name", "summary"), "overdue": pgettext("file name", "overdue"),
            "milestones": pgettext("file name", "milestones"), "clinicians": pgettext("file name", "clinicians"),
            "meetings": pgettext("file name", "meetings"), "items": pgettext("file name", "items"),
            "trend": pgettext("file name", "trend")}[table]


def _table(data: Dashboard, table: str) -> tuple[list[str], Iterable[Sequence]]:
    """The header and rows of one dashboard table (computing only what it needs)."""
    if table == "summary":
        a, p = data.audit, data.process
        return (["from", "to", "clients_due", "clients_due_overdue_at_start", "clients_reviewed_in_time",
                 "clients_reviewed_late", "clients_not_reviewed", "reviews_held", "active_clients_at_end",
                 "within_norm_at_end", "within_12_months_at_end", "meetings", "discussed_items", "decided_items",
                 "deferred_items", "carried_over_again", "bells"],
                [[data.start, data.end, a.due, a.overdue_at_start, a.in_time, a.late, a.not_reviewed,
                  a.reviews_held, a.active_at_end, a.within_norm_at_end, a.within_legal_at_end, p["meetings"],
                  p["discussed"], p["decided"], p["deferred"], p["deferred_again"], p["bells"]]])
    if table in ("overdue", "milestones"):
        keys = ["team", "reference", "clinician", "due", "days_overdue"] if table == "overdue" else \
            ["team", "reference", "clinician", "years", "milestone"]
        return keys, map(itemgetter(*keys), getattr(data, table))
    if table == "clinicians":
        keys = ["clinician", "clients", "held", "overdue"]
        return ["clinician", "active_clients", "reviews_held", "overdue_now"], [[r[k] for k in keys]
                                                                             for r in data.clinicians]
    if table == "meetings":
        keys = ["team", "day", "minutes", "acute_budget", "acute_planned_seconds", "acute_used_seconds",
                "regular_budget", "regular_planned_seconds", "regular_used_seconds", "borrowed_minutes"]
        return keys, map(itemgetter(*keys), data.meetings)
    if table == "items":
        return ["track", "label", "items"], [[r["track"], r["label"], r["items"]] for r in data.process["items"]]
    keys = ["week", "held", "meetings", "bells", "discussed", "decided", "active", "within_norm", "within_legal"]
    return (["week", "reviews_held", "meetings", "bells", "discussed_items", "decided_items",
             "active_clients_at_week_end",
             "within_norm_at_week_end", "within_12_months_at_week_end"], [[r[k] for k in keys] for r in data.trend])
