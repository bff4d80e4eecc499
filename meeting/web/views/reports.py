"""Managers: the register against the norm and the budget, the period's due clients and how their reviews
went, overdue clients, meeting time and process, per team or for all the teams they manage. Counts, dates
and pseudonymous references only; every view is logged."""
from flask import Blueprint, Response, abort, g, render_template, request
from flask_login import current_user, login_required

from meeting.core import handover as handover_rules, register as register_rules, reports, session_rating
from meeting.store import client_evaluations as evaluation_store, handovers as handover_store
from meeting.store import reports as report_store, teams as team_store
from meeting.store import session_ratings as rating_store
from meeting.store.audit import log_access
from meeting.store.db import utcnow, write
from meeting.web.plumbing import actor, get_db, team_today, team_view

bp = Blueprint("reports", __name__)
TABLES = ("summary", "overdue", "milestones", "clinicians", "meetings", "items", "trend")


@bp.before_request
@login_required
def require_login():
    """Roles are checked per view."""


@bp.get("/teams/<int:team_id>/dashboard")
@team_view("manager")
def dashboard(team_id: int):
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


def _data(teams: list[dict], limit: int | None = 25) -> dict:
    """Every figure of the dashboard's tables for these teams and the requested period; logs the access."""
    db, ids, today = get_db(), [t["id"] for t in teams], team_today(teams[0])
    start, end, problem = reports.period(request.args.get("from"), request.args.get("to"), today)
    register = reports.Register.of(report_store.register(db, ids))
    overdue, milestones = reports.overdue_list(register, today), reports.milestone_list(register, today)
    handovers = handover_rules.annotated(handover_store.for_dashboard(db, ids, start), today)
    with write(db):
        shown = sorted({r["client_id"] for r in overdue[:limit] + milestones[:limit] + handovers})
        log_access(db, actor(), "dashboard", shown or [None], ids[0] if len(ids) == 1 else None,
                   detail=f"teams={ids} period={start}..{end}")
    timelines = reports.timelines(*report_store.timelines(db, ids, register_rules.history_since(start), start, end))
    return dict(teams=teams, start=start, end=end, problem=problem, today=today, register=register, all_overdue=overdue,
                audit=register_rules.period_audit(timelines, start, end),
                overdue=overdue[:limit], overdue_total=len(overdue),
                milestones=milestones[:limit], milestones_total=len(milestones), handovers=handovers,
                clinicians=reports.per_clinician(register, report_store.reviews_per_clinician(db, ids, start, end),
                                                 overdue),
                meetings=report_store.meeting_time(db, ids, start, end),
                process=report_store.process(db, ids, start, end),
                trend=reports.weekly_trend(report_store.meetings_by_day(db, ids, start, end), timelines, start, end))


def _today_against_the_norm(teams: list[dict], data: dict) -> dict:
    """Per team the headline and the capacity line (the budget advice only on one team's dashboard)."""
    forecasts = {t["id"]: report_store.capacity_forecast(get_db(), t, utcnow(), advise=len(teams) == 1)
                 for t in teams}
    headlines = [reports.headline(t["name"], data["register"].team(t["id"]), data["today"],
                                  t["evaluation_interval_months"], forecasts[t["id"]].slots,
                                  sum(1 for r in data["all_overdue"] if r["team_id"] == t["id"])) for t in teams]
    return {"forecasts": forecasts, "headlines": headlines}


def _render(teams: list[dict]):
    data = _data(teams)
    data |= _today_against_the_norm(teams, data)
    trend = data["trend"]
    charts = {"held": reports.bars([(w["week"], w["held"]) for w in trend]),
              "within_norm": reports.bars([(w["week"], reports.share(w["within_norm"], w["active"]) or 0)
                                           for w in trend], top=100),
              "within_legal": reports.bars([(w["week"], reports.share(w["within_legal"], w["active"]) or 0)
                                            for w in trend], top=100),
              "bells": reports.bars([(w["week"], w["bells"] / w["meetings"] if w["meetings"] else 0) for w in trend]),
              "decided": reports.bars([(w["week"], reports.share(w["decided"], w["discussed"]) or 0) for w in trend])}
    csv_base = request.path.rstrip("/")
    return render_template("reports/dashboard.html", **data, charts=charts, share=reports.share,
                           time=reports.time_totals(data["meetings"]), **_substance(teams, data),
                           csv_base=csv_base, query=request.query_string.decode())


def _substance(teams: list[dict], data: dict) -> dict:
    """The evaluation with the client against the legal minimum, and the session rating's trend per dimension."""
    ids, db = [t["id"] for t in teams], get_db()
    weeks = rating_store.weekly_trend(db, ids, data["start"], data["end"])
    return {"legal": evaluation_store.legal_minimum(db, ids, data["end"]),
            "rating_averages": session_rating.period_averages(weeks),
            "rating_charts": {name: reports.bars([(w["week"], w[name]) for w in weeks])
                              for name in session_rating.DIMENSIONS}}


def _csv(teams: list[dict], table: str):
    if table not in TABLES:
        abort(404)
    header, rows = _table(_data(teams, limit=None), table)
    name = f"belletje-{table}-{request.args.get('from', '')}-{request.args.get('to', '')}.csv".replace("--", "-")
    return Response(reports.csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _table(data: dict, table: str) -> tuple[list[str], list[list]]:
    """The header and rows of one dashboard table."""
    if table == "summary":
        a, p = data["audit"], data["process"]
        return (["from", "to", "clients_due", "clients_due_overdue_at_start", "clients_reviewed_in_time",
                 "clients_reviewed_late", "clients_not_reviewed", "reviews_held", "active_clients_at_end",
                 "within_norm_at_end", "within_12_months_at_end", "meetings", "discussed_items", "decided_items",
                 "deferred_items", "carried_over_again", "bells"],
                [[data["start"], data["end"], a.due, a.overdue_at_start, a.in_time, a.late, a.not_reviewed,
                  a.reviews_held, a.active_at_end, a.within_norm_at_end, a.within_legal_at_end, p["meetings"],
                  p["discussed"], p["decided"], p["deferred"], p["deferred_again"], p["bells"]]])
    if table in ("overdue", "milestones"):
        keys = ["team", "reference", "clinician", "due", "days_overdue"] if table == "overdue" else \
            ["team", "reference", "clinician", "years", "milestone"]
        return keys, [[r[k] for k in keys] for r in data[table]]
    if table == "clinicians":
        keys = ["clinician", "clients", "held", "overdue"]
        return ["clinician", "active_clients", "reviews_held", "overdue_now"], [[r[k] for k in keys]
                                                                             for r in data["clinicians"]]
    if table == "meetings":
        keys = ["team", "day", "minutes", "acute_budget", "acute_planned_seconds", "acute_used_seconds",
                "regular_budget", "regular_planned_seconds", "regular_used_seconds", "borrowed_minutes"]
        return keys, [[r[k] for k in keys] for r in data["meetings"]]
    if table == "items":
        return ["track", "label", "items"], [[r["track"], r["label"], r["items"]] for r in data["process"]["items"]]
    keys = ["week", "held", "meetings", "bells", "discussed", "decided", "active", "within_norm", "within_legal"]
    return (["week", "reviews_held", "meetings", "bells", "discussed_items", "decided_items", "active_clients_at_week_end",
             "within_norm_at_week_end", "within_12_months_at_week_end"], [[r[k] for k in keys] for r in data["trend"]])
