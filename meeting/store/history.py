"""Writing closed meetings in bulk, as they would have been recorded: for the demo's history and the
benchmark's institution. Bypasses the live flow on purpose; everything else writes through it."""
from dataclasses import dataclass, field
from datetime import date, datetime

from meeting.core.closing import NOT_REACHED
from meeting.core.i18n import generated
from meeting.store import figures
from meeting.store.db import iso, write


@dataclass
class PastItem:
    """One item of a past meeting and how it ended."""
    presenter_id: int
    track: str
    label: str
    title: str
    minutes: int
    used_seconds: int
    state: str = "decided"  # decided | deferred
    client_id: int | None = None
    outcome: str | None = None
    exemplary_situation: str | None = None
    bells: int = 0
    carried_over: int = 0
    evaluation_on: date | None = None  # a decided regular review is an evaluation held on this day
    with_client: dict | None = None  # the evaluation with the client recorded with the decision (its columns)
    previous_evaluation: date | None = None  # the client's review before it, when known


@dataclass
class PastMeeting:
    """A closed meeting with its items, borrowings and ratings."""
    starts_at: datetime
    items: list[PastItem]
    borrowed_minutes: int = 0
    # the legacy ratings (user_id, three scores), kept as their meeting's figures: the legacy table is gone
    ratings: list[tuple[int, int, int, int]] = field(default_factory=list)
    meeting_ratings: list[tuple[int, int, int, int, int,
                                str]] = field(default_factory=list)  # (user_id, 4 scores, change)


def insert_meetings(db, team: dict, meetings: list[PastMeeting]) -> None:
    """Insert closed meetings with items, decisions, evaluations (also with the client), bells and ratings, at once."""
    with write(db):
        inserted = [(_insert_meeting(db, team, meeting), meeting) for meeting in meetings]
        figures.write(db, "m.team_id = :team_id", {"team_id": team["id"]})
        figures.add_legacy_ratings(db, [(meeting_id, meeting.ratings) for meeting_id, meeting in inserted
                                        if meeting.ratings])


def _insert_meeting(db, team: dict, meeting: PastMeeting) -> int:
    start = iso(meeting.starts_at)
    meeting_id = db.execute(
        """INSERT INTO meetings (team_id, starts_at, deadline_at, minutes, acute_budget, regular_budget, order_policy,
           state, phase, scheduled_for, started_at, ended_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'closed', 'ended', ?, ?, ?, ?)""",
        [team["id"], start, start, team["meeting_minutes"], team["acute_budget"], team["regular_budget"],
         team["order_policy"], meeting.starts_at.date().isoformat(), start, start, start]).lastrowid
    for position, item in enumerate(meeting.items, start=1):
        _insert_item(db, team, meeting_id, start, position, item)
    if meeting.borrowed_minutes:
        db.execute("INSERT INTO borrowings (meeting_id, from_track, minutes, at) VALUES (?, 'regular', ?, ?)",
                   [meeting_id, meeting.borrowed_minutes, start])
    db.conn.executemany("INSERT INTO meeting_raters (meeting_id, user_id) VALUES (?, ?)",
                        [(meeting_id, r[0]) for r in meeting.meeting_ratings])
    db.conn.executemany("""INSERT INTO meeting_ratings (meeting_id, heard, goals, approach, overall, change_next)
        VALUES (?, ?, ?, ?, ?, ?)""", [(meeting_id, *r[1:]) for r in meeting.meeting_ratings])
    return meeting_id


def _insert_item(db, team: dict, meeting_id: int, start: str, position: int, item: PastItem) -> None:
    item_id = db.execute(
        """INSERT INTO items (meeting_id, team_id, presenter_id, client_id, track, label, title, need, minutes,
           position, state, carried_over, used_seconds, deferred_reason, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?)""",
        [meeting_id, team["id"], item.presenter_id, item.client_id, item.track, item.label, item.title, item.minutes,
         position, item.state, item.carried_over, item.used_seconds,
         generated(NOT_REACHED) if item.state == "deferred" else None, start, start]).lastrowid
    if item.state == "decided":
        decision_id = db.execute("""INSERT INTO decisions (item_id, meeting_id, outcome, announcement_outcome,
            exemplary_situation, needs_met, decided_at) VALUES (?, ?, ?, ?, ?, 'yes', ?)""",
                                 [item_id, meeting_id, item.outcome,
                                  "approved" if item.label == "announcement" else None,
                                  item.exemplary_situation, start]).lastrowid
        if item.with_client and item.client_id:
            row = item.with_client | {"team_id": team["id"], "client_id": item.client_id, "item_id": item_id,
                                      "decision_id": decision_id, "clinician_id": item.presenter_id,
                                      "recorded_at": start}
            db.execute(f"INSERT INTO client_evaluations ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                       list(row.values()))
    if item.evaluation_on and item.client_id:
        db.execute("""INSERT INTO evaluations (team_id, client_id, item_id, clinician_id, held_on, outcome,
            previous_evaluation) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                   [team["id"], item.client_id, item_id, item.presenter_id, item.evaluation_on.isoformat(),
                    item.outcome or "continue_adjusted",
                    item.previous_evaluation and item.previous_evaluation.isoformat()])
    if item.bells:
        db.conn.executemany("INSERT INTO bells (meeting_id, item_id, user_id, at, acknowledged_at) VALUES (?, ?, ?, "
                            "?, ?)",
                            [(meeting_id, item_id, item.presenter_id, start, start)] * item.bells)
