"""The jobs that keep the weekly cycle going, and the one process that runs them.

Every job takes a database (or path) and `now`, and is idempotent: a unique (job, period) key in
job_runs means running it twice changes nothing. Jobs missed while the server was down run once
at start-up (catch_up). APScheduler runs them in exactly one process, guarded by a file lock.
"""
import fcntl
import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from meeting.core import evaluations
from meeting.core import items as item_rules
from meeting.core.i18n import N_
from meeting.store import backups, calendar, jobs
from meeting.store import clients as client_store
from meeting.store import handovers as handover_store
from meeting.store import items as item_store
from meeting.store import meetings as meeting_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor
from meeting.store.db import connect, utcnow, write

log = logging.getLogger("belletje.scheduler")
BACKUPS_KEPT = 14
BACKUP_HOUR = 3  # 03:30 local: never inside the 02:00–03:00 hour that DST skips or repeats
SYSTEM = Actor(None, "scheduler")
# Said without a plural (a notice is stored as one message id): "1 items" never shows.
FROZEN_NOTICE = N_("The agenda of %(moment)s is frozen. Items on it: %(items)s; due reviews added: %(added)s.")


def create_meetings(db, now: datetime) -> int:
    """Keep every team's meetings created four weeks ahead; returns how many were created."""
    return sum(meeting_store.ensure_upcoming(db, team, now) for team in team_store.list_teams(db))


def freeze_agendas(db, now: datetime) -> int:
    """Freeze every planned agenda whose deadline has passed; optionally add due reviews; tell the chairs."""
    frozen = 0
    for meeting in meeting_store.past_deadline(db, now):
        with write(db):
            if not jobs.claim(db, "freeze", str(meeting["id"]), now):
                continue
            meeting_store.set_state(db, meeting["team_id"], meeting["id"], "frozen")
            team = team_store.get_team(db, meeting["team_id"])
            meeting = meeting_store.get_meeting(db, team["id"], meeting["id"])  # its budget as it is now
            added = add_due_reviews(db, team, meeting) if team["auto_add_due_reviews"] else 0
            _tell_chairs(db, team, meeting, added, now)
        frozen += 1
    return frozen


def add_due_reviews(db, team: dict, meeting: dict) -> int:
    """Fill the regular budget with reviews in the review order: every due review first, then, so that no
    slot is lost, those due soonest; ties go to the longest wait since the last review, then a rotation.

    Their titles are stored as message ids (meeting.core.i18n.generated): each reader sees them in their language.
    """
    planned = item_store.planned_minutes(db, meeting["id"], "regular")
    on_agenda = item_store.clients_on_agenda(db, meeting["id"])
    meeting_day = evaluations.local_day(meeting["starts_at"], team["timezone"])
    ids = client_store.active_reference_ids(db, team["id"])
    records = {record.reference: record for record in client_store.client_records(db, team["id"])}
    minutes, added = team["minutes_issue"], 0
    for review in evaluations.review_queue(records.values(), meeting_day, team["evaluation_interval_months"]):
        if planned + minutes > meeting["regular_budget"]:
            break
        client_id, record = ids[review.reference.upper()], records[review.reference]
        if client_id in on_agenda:
            continue
        prompt = evaluations.milestone(record, meeting_day)
        item = item_rules.due_review_item(client_id, review.reference,
                                          evaluations.treatment_months(record.treatment_start, meeting_day),
                                          prompt and prompt.prompt, minutes)
        item_store.add_item(db, SYSTEM, team["id"], meeting["id"], review.clinician_id, item)
        planned, added = planned + minutes, added + 1
    return added


def leave_on_last_contact(db, now: datetime) -> int:
    """Clients whose recorded last contact with the team has come leave the active count; returns how many.

    Idempotent: a handover records when it let its client leave, so running twice changes nothing.
    """
    return sum(handover_store.leave_on_last_contact(db, SYSTEM, team["id"],
                                                    now.astimezone(ZoneInfo(team["timezone"])).date())
               for team in team_store.list_teams(db))


def _tell_chairs(db, team: dict, meeting: dict, added: int, now: datetime) -> None:
    count = item_store.count_planned(db, meeting["id"])
    for member in team_store.members(db, team["id"]):
        if member["role"] == "chair":
            jobs.notify(db, member["id"], team["id"], FROZEN_NOTICE,
                        {"moment": meeting["starts_at"], "items": count, "added": added},
                        f"/teams/{team['id']}/meetings/{meeting['id']}/plan", now)


def backup(database_path: str, backup_dir: Path, now: datetime, kept: int = BACKUPS_KEPT) -> Path | None:
    """Tonight's online backup (Connection.backup), integrity-checked; keeps the newest `kept`."""
    db = connect(database_path)
    try:
        period = now.date().isoformat()
        if not jobs.claim(db, "backup", period, now):
            return None
        backup_dir.mkdir(parents=True, exist_ok=True)
        target = backup_dir / f"belletje-{now:%Y%m%d-%H%M%S}.sqlite3"
        backups.copy_database(database_path, target)
        jobs.record_result(db, "backup", period, target.name)
    finally:
        db.close()
    for old in sorted(backup_dir.glob("belletje-*.sqlite3"))[:-kept]:
        old.unlink()
    return target


def catch_up(database_path: str, backup_dir: Path, now: datetime) -> None:
    """At start-up: run whatever was missed while the server was down, once."""
    db = connect(database_path)
    try:
        create_meetings(db, now)
        freeze_agendas(db, now)
        leave_on_last_contact(db, now)
        work_out_calendars(db, now)
        send_reminders(db, now)
    finally:
        db.close()
    local = now.astimezone(ZoneInfo("Europe/Amsterdam"))
    if local.hour >= BACKUP_HOUR + 1:  # tonight's backup is due once 04:00 has passed
        backup(database_path, backup_dir, now)


def send_reminders(db, now: datetime) -> int:
    """Queue the reminders whose moment has come, then send what the outbox holds (after the queueing committed)."""
    from meeting.ops import mail, reminders
    settings = mail.settings_from_env()
    queued = reminders.queue_reminders(db, settings, now)
    mail.deliver(db, settings, now)
    return queued


def send_mail(db, now: datetime) -> dict:
    """Send what the outbox holds (a set-password link, a retry) without looking for new reminders."""
    from meeting.ops import mail
    return mail.deliver(db, mail.settings_from_env(), now)


def acquire_lock(path: Path):
    """An exclusive file lock, so only one process ever runs the scheduler; None if another has it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def work_out_calendars(db, now: datetime) -> int:
    """Work out every team's stale stored calendar (written behind the app's back: an import, a tool) and count
    the register of each team not yet counted on its own today: shortly after its midnight, and after any change
    that made it stale. Until then a dashboard counts that team live, read only. Returns how many were stale."""
    refreshed = calendar.refresh_stale(db)
    calendar.count_every_teams_today(db, now)
    return len(refreshed)


def start(database_path: str, backup_dir: Path, background: bool = True):
    """Start APScheduler in this process (if it gets the lock); returns the scheduler or None."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    lock = acquire_lock(Path(database_path).with_suffix(".scheduler.lock"))
    if lock is None:
        log.info("another process runs the scheduler")
        return None
    catch_up(database_path, backup_dir, _utcnow())
    kind = BackgroundScheduler if background else BlockingScheduler
    scheduler = kind(timezone=ZoneInfo("Europe/Amsterdam"),
                     job_defaults={"coalesce": True, "misfire_grace_time": 15 * 60, "max_instances": 1})
    scheduler.add_job(_with_db(database_path, create_meetings), "cron", hour=1, minute=15, id="create_meetings")
    scheduler.add_job(_with_db(database_path, freeze_agendas), "interval", minutes=1, id="freeze_agendas")
    # hourly, so a team in any time zone sees its clients leave early on their last-contact date
    scheduler.add_job(_with_db(database_path, leave_on_last_contact), "cron", minute=5, id="leave_on_last_contact")
    # every minute: a team is counted within a minute of its midnight or of a change (cheap when nothing waits)
    scheduler.add_job(_with_db(database_path, work_out_calendars), "interval", minutes=1, id="work_out_calendars")
    # reminders every 5 minutes (a tick over 200 teams runs ~1,000 small queries); the outbox every minute, so a
    # set-password link waits at most a minute; two senders at once claim different rows (a write transaction each)
    scheduler.add_job(_with_db(database_path, send_reminders), "interval", minutes=5, id="send_reminders")
    scheduler.add_job(_with_db(database_path, send_mail), "interval", minutes=1, id="send_mail")
    scheduler.add_job(lambda: backup(database_path, backup_dir, _utcnow()), "cron", hour=BACKUP_HOUR, minute=30,
                      id="backup")
    scheduler._belletje_lock = lock  # held for the scheduler's life
    scheduler.start()
    return scheduler


def _utcnow() -> datetime:
    """Now, in UTC (meeting.store.now, the one clock)."""
    return utcnow()


def _with_db(database_path: str, job):
    """Each run gets its own connection (a connection belongs to one thread)."""
    def run():
        db = connect(database_path)
        try:
            return job(db, _utcnow())
        finally:
            db.close()
    return run
