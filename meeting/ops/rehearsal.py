"""A full room to rehearse load on: a team with a chair and members, clients, and a running meeting with a
typical agenda at full text length, or a running complex-case session. The live benchmark and the wire-size checks build
their meetings with it.

Fictional data only: references like R3-007, no names of real people.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from meeting.core import session as session_rules
from meeting.core.clients import ClientInput
from meeting.core.items import TEXT_LIMITS, ItemInput
from meeting.store import clients as client_store
from meeting.store import decisions as decision_store
from meeting.store import items as item_store
from meeting.store import meetings as meeting_store
from meeting.store import running as running_store
from meeting.store import sessions as session_store
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.audit import Actor
from meeting.store.db import utcnow, write
from meeting.store.now import team_today

# a 90-minute meeting's agenda: (track, label, minutes); the announcements go in the consent block
AGENDA = [("acute", "issue", 10), ("acute", "question", 5), ("acute", "issue", 10), ("regular", "announcement", 2),
          ("regular", "announcement", 2)] + [("regular", "issue", 8)] * 6 + [("regular", "question", 5)] * 3


@dataclass(frozen=True)
class Room:
    """One rehearsed meeting: its team, meeting, chair and members (e-mail addresses), and its item ids."""
    team_id: int
    meeting_id: int
    chair: str
    members: list[str]
    item_ids: list[int]


def _text(words: str, length: int) -> str:
    """A fictional text of about `length` characters."""
    return ((words + " ") * (length // (len(words) + 1) + 1))[:length].strip()


def build_room(db, number: int, members: int, password: str, today: date | None = None, longest: bool = False) -> Room:
    """Team `number` with a chair and `members` members, 14 items with clients, started and at its first item.

    Titles of 60 and needs of 250 characters, as presenters write them; `longest` fills every field to its limit.
    """
    today = today or team_today("Europe/Amsterdam")
    team_id = team_store.create_team(db, f"Rehearsal team {number}")
    chair = f"chair{number}@rehearsal.example"
    emails = [f"member{number}-{i}@rehearsal.example" for i in range(members)]
    with write(db):
        for email, role in [(chair, "chair")] + [(e, "member") for e in emails]:
            team_store.set_role(db, team_id, user_store.create_user(db, email, email.split("@")[0], password), role)
    staff = [r["id"] for r in team_store.members(db, team_id)]
    clients = client_store.add_clients(db, Actor(None), team_id, [
        ClientInput(f"R{number}-{i:03d}", staff[i % len(staff)], today - timedelta(days=200 + 40 * i), None)
        for i in range(len(AGENDA))])
    meeting_id = meeting_store.add_extra(db, team_store.get_team(db, team_id), utcnow())
    item_ids = [item_store.add_item(db, Actor(None), team_id, meeting_id, staff[i % len(staff)], ItemInput(
        track, label, clients[i] if track == "regular" else None,
        title=_text(f"Item {i + 1}: continue or step down after two years", TEXT_LIMITS["title"] if longest else 60),
        need=_text("What the presenter needs from the team", TEXT_LIMITS["need"] if longest else 250),
        current_state=_text("The current state of the treatment", TEXT_LIMITS["current_state"] if longest else 600),
        request_and_start="", tried_towards_finishing="", finishing_hard="", minutes=minutes))
                for i, (track, label, minutes) in enumerate(AGENDA)]
    now = utcnow()
    running_store.start_meeting(db, team_id, meeting_id, now)
    decision_store.approve_consent_block(db, Actor(None), meeting_id, team_id, now)
    running_store.open_item(db, team_id, meeting_id, item_ids[0], now, staff[0])
    return Room(team_id, meeting_id, chair, emails, item_ids)


def build_session_room(db, number: int, members: int, password: str, today: date | None = None) -> Room:
    """Team `number` with a chair and `members` members, and a complex-case session of one client, started and at
    its systemic analysis (the first step with cards), a few worksheet cards on its board. Its `item_ids` are the
    session's steps."""
    today = today or team_today("Europe/Amsterdam")
    team_id = team_store.create_team(db, f"Rehearsal team {number} (complex-case session)")
    chair = f"chair{number}@rehearsal.example"
    emails = [f"member{number}-{i}@rehearsal.example" for i in range(members)]
    with write(db):
        for email, role in [(chair, "chair")] + [(e, "member") for e in emails]:
            team_store.set_role(db, team_id, user_store.create_user(db, email, email.split("@")[0], password), role)
    staff = [r["id"] for r in team_store.members(db, team_id)]
    client = client_store.add_clients(db, Actor(None), team_id, [
        ClientInput(f"R{number}-001", staff[1 % len(staff)], today - timedelta(days=800), None)])[0]
    team = team_store.get_team(db, team_id)
    now = utcnow()
    session_id = session_store.create(db, Actor(None), team, now, client, staff[1 % len(staff)],
                                      dict(session_rules.DEFAULT_MINUTES), None, "An outside colleague")
    steps = [s["id"] for s in session_store.steps(db, session_id)]
    session_store.start(db, team_id, session_id, steps[0], now, staff[0])
    session_store.next_step(db, team_id, session_id, steps[0], steps[1], now, staff[0])
    for index, level in enumerate(session_rules.LEVELS):
        session_store.add_card(db, Actor(staff[index % len(staff)]), team_id, session_id,
                               {"step": "systemic_analysis", "level": level, "text": _text("A hindering factor", 120)},
                               now)
    return Room(team_id, session_id, chair, emails, steps)
