"""The demo team "FACT Noord": 16 members and 245 active clients, all fictional and pseudonymous."""
import random
from datetime import date, timedelta

from meeting.clients import ClientInput
from meeting.db import write
from meeting.evaluations import add_months
from meeting.store import clients as client_store, teams as team_store, users as user_store
from meeting.store.audit import Actor

DEMO_PASSWORD = "belletje-demo"
TEAM_NAME = "FACT Noord"
STAFF = [  # (e-mail local part, fictional name, role)
    ("voorzitter", "Sanne Bakker (chair, nurse specialist)", "chair"),
    ("manager", "Erik Visser (team manager)", "manager"),
    ("psychiater", "Dr. Noor Jansen (psychiatrist)", "member"),
    ("psycholoog1", "Lotte de Boer (psychologist)", "member"),
    ("psycholoog2", "Daan Mulder (psychologist)", "member"),
    ("vp1", "Fatima El Idrissi (nurse)", "member"),
    ("vp2", "Joris Smit (nurse)", "member"),
    ("vp3", "Iris Meijer (nurse)", "member"),
    ("vp4", "Koen de Groot (nurse)", "member"),
    ("vp5", "Mila Bos (nurse)", "member"),
    ("ervaringsdeskundige", "Ruben Vos (peer support worker)", "member"),
    ("ips", "Yara Peters (employment specialist)", "member"),
    ("verslavingsarts", "Tim Hendriks (addiction physician)", "member"),
    ("maatschappelijkwerk", "Eva van Dijk (social worker)", "member"),
    ("casemanager1", "Bram Dekker (case manager)", "member"),
    ("casemanager2", "Julia Brouwer (case manager)", "member"),
]
CLIENTS = 245
EMAIL_DOMAIN = "fact-noord.example"


def demo_email(local_part: str) -> str:
    """The demo address for a staff member."""
    return f"{local_part}@{EMAIL_DOMAIN}"


def build_demo(db, today: date, seed: int = 2026) -> int | None:
    """Create the demo team with its admin, staff and clients; None when it exists already."""
    if team_store.get_team_by_name(db, TEAM_NAME):
        return None
    rng = random.Random(seed)
    with write(db):
        user_store.create_user(db, "admin@belletje.example", "Demo admin", DEMO_PASSWORD, is_admin=True)
        team_id = team_store.create_team(db, TEAM_NAME)
        staff_ids = []
        for local_part, name, role in STAFF:
            user_id = user_store.create_user(db, demo_email(local_part), name, DEMO_PASSWORD)
            team_store.set_role(db, team_id, user_id, role)
            if role != "manager":
                staff_ids.append(user_id)
        clients = [_demo_client(rng, i, staff_ids, today) for i in range(CLIENTS)]
        client_store.add_clients(db, Actor(None, "demo"), team_id, clients)
    return team_id


def _demo_client(rng: random.Random, index: int, clinician_ids: list[int], today: date) -> ClientInput:
    """A client who started somewhere in the last six years; most are evaluated in time, some are overdue."""
    start = today - timedelta(days=rng.randint(20, 6 * 365))
    last_evaluation = None
    if add_months(start, 6) <= today:
        # months since the last evaluation: mostly within the six-month norm, a tail well past it
        lag = rng.choices([1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 18],
                          weights=[12, 12, 12, 11, 11, 9, 8, 6, 5, 3, 2])[0]
        last_evaluation = min(max(add_months(today, -lag), add_months(start, 6)), today)
    reference = f"FN-{index + 1:03d}{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
    return ClientInput(reference, clinician_ids[index % len(clinician_ids)], start, last_evaluation)
