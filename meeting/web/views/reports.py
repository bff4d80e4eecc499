"""Managers: evaluations held vs due, overdue clients, meeting time and process, per team or for all
the teams they manage. Counts, dates and pseudonymous references only; every view is logged."""
from flask import Blueprint, Response, abort, g, render_template, request
from flask_login import current_user, login_required

from meeting.core import handover as handover_rules, reports
from meeting.store import handovers as handover_store, reports as report_store, teams as team_store
from meeting.store.audit import log_access
from meeting.store.db import write
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
    """Every figure of the dashboard for these teams and the requested period; logs the access."""
    db, ids, today = get_db(), [t["id"] for t in teams], team_today(teams[0])
    start, end, problem = reports.period(request.args.get("from"), request.args.get("to"), today)
    overdue, overdue_total = report_store.overdue(db, ids, today, limit)
    milestones, milestones_total = report_store.milestones(db, ids, today, limit)
    handovers = handover_rules.annotated(handover_store.for_dashboard(db, ids, start), today)
    with write(db):
        shown = sorted({r["client_id"] for r in overdue + milestones + handovers})
        log_access(db, actor(), "dashboard", shown or [None], ids[0] if len(ids) == 1 else None,
                   detail=f"teams={ids} period={start}..{end}")
    return dict(teams=teams, start=start, end=end, problem=problem, today=today,
                figures=report_store.evaluation_figures(db, ids, start, end),
                overdue=overdue, overdue_total=overdue_total, milestones=milestones, milestones_total=milestones_total,
                handovers=handovers,
                clinicians=report_store.per_clinician(db, ids, start, end, today),
                meetings=report_store.meeting_time(db, ids, start, end),
                process=report_store.process(db, ids, start, end),
                trend=report_store.weekly_trend(db, ids, start, end))


def _render(teams: list[dict]):
    data = _data(teams)
    trend = data["trend"]
    charts = {"held": reports.bars([(w["week"], w["held"]) for w in trend]),
              "bells": reports.bars([(w["week"], w["bells"] / w["meetings"] if w["meetings"] else 0) for w in trend]),
              "decided": reports.bars([(w["week"], reports.share(w["decided"], w["discussed"]) or 0) for w in trend])}
    csv_base = request.path.rstrip("/")
    return render_template("reports/dashboard.html", **data, charts=charts, share=reports.share,
                           time=reports.time_totals(data["meetings"]),
                           csv_base=csv_base, query=request.query_string.decode())


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
        f, p = data["figures"], data["process"]
        return (["from", "to", "evaluations_held", "evaluations_due", "active_clients", "within_interval",
                 "within_12_months", "meetings", "discussed_items", "decided_items", "deferred_items",
                 "carried_over_again", "bells"],
                [[data["start"], data["end"], f["held"], f["due"], f["active"], f["within_interval"],
                  f["within_12_months"], p["meetings"], p["discussed"], p["decided"], p["deferred"],
                  p["deferred_again"], p["bells"]]])
    if table in ("overdue", "milestones"):
        keys = ["team", "reference", "clinician", "due", "days_overdue"] if table == "overdue" else \
            ["team", "reference", "clinician", "years", "milestone"]
        return keys, [[r[k] for k in keys] for r in data[table]]
    if table == "clinicians":
        keys = ["clinician", "clients", "held", "overdue"]
        return keys, [[r[k] for k in keys] for r in data["clinicians"]]
    if table == "meetings":
        keys = ["team", "day", "minutes", "acute_budget", "acute_planned_seconds", "acute_used_seconds",
                "regular_budget", "regular_planned_seconds", "regular_used_seconds", "borrowed_minutes"]
        return keys, [[r[k] for k in keys] for r in data["meetings"]]
    if table == "items":
        return ["track", "label", "items"], [[r["track"], r["label"], r["items"]] for r in data["process"]["items"]]
    keys = ["week", "held", "meetings", "bells", "discussed", "decided"]
    return keys, [[r[k] for k in keys] for r in data["trend"]]
