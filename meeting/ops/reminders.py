"""The scheduler's reminder jobs: each looks at every team, asks the core who is reminded of what and when,
and queues the mails in the outbox. Idempotent: one (job, period) key per team and meeting (or week) in
job_runs, claimed in the same transaction as the mails it queues, so running twice queues nothing more.
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from meeting.core import reminders as rules
from meeting.core.dates import parse_date
from meeting.ops.mail import MailSettings, queue
from meeting.store import calendar, jobs
from meeting.store import reminders as store
from meeting.store import teams as team_store
from meeting.store.db import write

LOOK_AHEAD_DAYS = 4  # reminders are at most two days before what they remind of; a margin for quiet hours


def queue_reminders(db, settings: MailSettings | None, now: datetime) -> int:
    """Queue every reminder whose moment has come; returns how many mails were queued."""
    if settings is None:
        return 0
    calendar.refresh_stale(db)  # who has a client due is read from the stored calendar: up to date first
    queued = 0
    for team in team_store.list_teams(db):
        for job in (deadline, actions, evaluations, minutes_and_rating, sessions):
            queued += job(db, settings, team, now)
    return queued


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _local_day(moment: datetime, team: dict) -> date:
    return moment.astimezone(ZoneInfo(team["timezone"])).date()


def _send(db, settings, team: dict, kind: str, period: str, concerned: dict[int, bool], facts_of, link,
          now: datetime, expires_at: datetime | None) -> int:
    """Claim (kind, team, period) and queue the mails to whoever the core says gets them, in one transaction.

    `link` is the link for everyone, or a function of the user id (someone outside the team gets Belletje's home)."""
    with write(db):
        if not jobs.claim(db, f"remind-{kind}", f"{team['id']}:{period}", now):
            return 0
        chosen = store.own_choices(db, list(concerned))
        who = rules.recipients(kind, concerned, {uid: c.get(kind) for uid, c in chosen.items()},
                               store.team_defaults(db, team["id"]).get(kind))
        queued = 0
        for user in store.recipients(db, who).values():
            queued += queue(db, settings, kind, f"{kind}:{team['id']}:{period}:{user['id']}", user,
                            facts_of(user["id"]), link(user["id"]) if callable(link) else link, now, team,
                            expires_at)
        return queued


def _url(settings: MailSettings, path: str) -> str:
    return settings.base_url + path


def deadline(db, settings, team: dict, now: datetime) -> int:
    """A day before a meeting's submission deadline: members with a client due or an item to prepare, and all who
    asked."""
    queued = 0
    for meeting in store.meetings_with_deadline_between(db, team["id"], now, now + timedelta(days=LOOK_AHEAD_DAYS)):
        closes = _moment(meeting["deadline_at"])
        if not rules.is_due(rules.deadline_reminder_at(closes, team["reminder_time"], team["timezone"]), now, closes):
            continue
        day = _local_day(_moment(meeting["starts_at"]), team).isoformat()
        concerned_ids = store.clinicians_with_due_reviews(db, team["id"], meeting["id"], day)
        concerned_ids |= {item["presenter_id"] for item in store.planned_items_preparation(db, meeting["id"])
                          if rules.missing_preparation(item)}
        concerned = {user_id: user_id in concerned_ids for user_id in store.meeting_members(db, team["id"])}
        facts = {"meeting": _moment(meeting["starts_at"]), "deadline": closes}
        queued += _send(db, settings, team, "deadline", str(meeting["id"]), concerned,
                        lambda user_id: facts | {"relevant": concerned[user_id]},
                        _url(settings, f"/teams/{team['id']}/meetings/{meeting['id']}/"), now, closes)
    return queued


def actions(db, settings, team: dict, now: datetime) -> int:
    """Two days before a meeting: the owners of open actions due by that meeting's day."""
    queued = 0
    for meeting in store.meetings_starting_between(db, team["id"], "weekly", now,
                                                   now + timedelta(days=LOOK_AHEAD_DAYS)):
        starts = _moment(meeting["starts_at"])
        if not rules.is_due(rules.actions_reminder_at(starts, team["reminder_time"], team["timezone"]), now, starts):
            continue
        counts = store.open_actions_due_by(db, team["id"], _local_day(starts, team).isoformat())
        queued += _send(db, settings, team, "actions", str(meeting["id"]), dict.fromkeys(counts, True),
                        lambda user_id: {"meeting": starts, "count": counts[user_id]},
                        _url(settings, f"/teams/{team['id']}/"), now, starts)
    return queued


def evaluations(db, settings, team: dict, now: datetime) -> int:
    """Each Monday: to every clinician with clients whose evaluation with the client falls due within four weeks."""
    period, at = rules.digest_week(now, team["reminder_time"], team["timezone"])
    if not rules.is_due(at, now, at + timedelta(days=5)) or jobs.has_run(db, "remind-evaluations",
                                                                          f"{team['id']}:{period}"):
        return 0
    today = _local_day(now, team)
    counts = {clinician: rules.evaluations_falling_due(
        [(parse_date(start), parse_date(last or "")) for start, last in dates], today)
        for clinician, dates in store.evaluation_dates_per_clinician(db, team["id"]).items()}
    counts = {clinician: count for clinician, count in counts.items() if count}
    return _send(db, settings, team, "evaluations", period, dict.fromkeys(counts, True),
                 lambda user_id: {"count": counts[user_id]},
                 _url(settings, f"/teams/{team['id']}/clients"), now, at + timedelta(days=5)) \
        if counts else 0


def minutes_and_rating(db, settings, team: dict, now: datetime) -> int:
    """When a meeting has ended: its minutes to the members; the next day, a rating reminder to those who did not
    rate."""
    queued = 0
    for meeting in store.meetings_ended_since(db, team["id"], now - timedelta(days=3)):
        ended, starts = _moment(meeting["ended_at"]), _moment(meeting["starts_at"])
        members = store.meeting_members(db, team["id"])
        base = f"/teams/{team['id']}/meetings/{meeting['id']}"
        if rules.is_due(ended, now, ended + timedelta(days=2)):
            queued += _send(db, settings, team, "minutes", str(meeting["id"]), dict.fromkeys(members, True),
                            lambda user_id: {"meeting": starts}, _url(settings, base + "/minutes"), now,
                            ended + timedelta(days=3))
        at = rules.rating_reminder_at(ended, team["reminder_time"], team["timezone"])
        if rules.is_due(at, now, at + timedelta(days=2)):
            rated = store.raters(db, meeting["id"])
            queued += _send(db, settings, team, "rating", str(meeting["id"]),
                            {user_id: user_id not in rated for user_id in members},
                            lambda user_id: {"meeting": starts}, _url(settings, base + "/live"), now,
                            at + timedelta(days=2))
    return queued


def sessions(db, settings, team: dict, now: datetime) -> int:
    """Two days before a complex-case session whose preparation is open: its presenter and invited colleague."""
    queued = 0
    for session in store.unprepared_sessions_starting_between(db, team["id"], now,
                                                              now + timedelta(days=LOOK_AHEAD_DAYS)):
        starts = _moment(session["starts_at"])
        if not rules.is_due(rules.session_reminder_at(starts, team["reminder_time"], team["timezone"]), now, starts):
            continue
        concerned = {user_id: True for user_id in (session["presenter_id"], session["colleague_id"]) if user_id}
        queued += _send(db, settings, team, "session", str(session["id"]), concerned,
                        lambda user_id: {"meeting": starts},
                        lambda user_id: _url(settings, f"/teams/{team['id']}/sessions/{session['id']}/prepare"
                                             if user_id == session["presenter_id"] else "/"), now, starts)
    return queued
