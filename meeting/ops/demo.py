"""The demo team "FACT Noord": 16 members and 245 active clients, all fictional and pseudonymous."""
import random
from datetime import UTC, date, datetime, time, timedelta

from meeting.core import handover as handover_rules
from meeting.core.clients import ClientInput
from meeting.core.evaluations import add_months, treatment_months
from meeting.core.teams import upcoming_meeting_starts
from meeting.store import clients as client_store
from meeting.store import handovers as handover_store
from meeting.store import history
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.audit import Actor
from meeting.store.db import iso, write
from meeting.store.history import PastItem, PastMeeting

DEMO_PASSWORD = "open-tafel-demo"
TEAM_NAME = "FACT Noord"
STAFF = [  # (e-mail local part, fictional name with the discipline in Dutch, role)
    ("voorzitter", "Sanne Bakker (verpleegkundig specialist GGZ)", "chair"),
    ("manager", "Erik Visser (teammanager)", "manager"),
    ("psychiater", "Dr. Noor Jansen (psychiater)", "member"),
    ("psycholoog1", "Lotte de Boer (GZ-psycholoog)", "member"),
    ("psycholoog2", "Daan Mulder (klinisch psycholoog)", "member"),
    ("vp1", "Fatima El Idrissi (sociaal-psychiatrisch verpleegkundige)", "member"),
    ("vp2", "Joris Smit (sociaal-psychiatrisch verpleegkundige)", "member"),
    ("vp3", "Iris Meijer (verpleegkundige)", "member"),
    ("vp4", "Koen de Groot (verpleegkundige)", "member"),
    ("vp5", "Mila Bos (verpleegkundige)", "member"),
    ("ervaringsdeskundige", "Ruben Vos (ervaringsdeskundige)", "member"),
    ("ips", "Yara Peters (IPS-trajectbegeleider)", "member"),
    ("verslavingsarts", "Tim Hendriks (verslavingsarts)", "member"),
    ("maatschappelijkwerk", "Eva van Dijk (maatschappelijk werker)", "member"),
    ("casemanager1", "Bram Dekker (casemanager)", "member"),
    ("casemanager2", "Julia Brouwer (casemanager)", "member"),
]
# The regiebehandelaar is a legal role (Wkkgz): a psychiatrist, psychologist or nurse specialist; never the
# peer expert, the IPS worker or a case manager, who work with the client but do not hold the treatment.
REGIEBEHANDELAARS = ("voorzitter", "psychiater", "psycholoog1", "psycholoog2")
CLIENTS = 245
HISTORY_WEEKS = 12
OUTCOMES = ["continue_adjusted", "continue_adjusted", "continue_unchanged", "step_down", "finish"]
EMAIL_DOMAIN = "fact-noord.example"
CHANGES = ["", "", "", "", "Op tijd beginnen", "Minder zijgesprekken", "Eerst de vraag, dan het verhaal",
           "Meer tijd voor de lopende behandelingen"]  # typed by the (Dutch) team, so in Dutch
DEMO_HANDOVERS = 4


def demo_email(local_part: str) -> str:
    """The demo address for a staff member."""
    return f"{local_part}@{EMAIL_DOMAIN}"


def build_demo(db, today: date, seed: int = 2026, handovers: bool = True) -> int | None:
    """Create the demo team with its admin, staff and clients (and open handovers); None when it exists already."""
    if team_store.get_team_by_name(db, TEAM_NAME):
        return None
    rng = random.Random(seed)
    with write(db):
        user_store.create_user(db, "admin@belletje.example", "Demo admin", DEMO_PASSWORD, is_admin=True)
        team_id = team_store.create_team(db, TEAM_NAME)
        staff_ids, regie_ids = [], []
        for local_part, name, role in STAFF:
            user_id = user_store.create_user(db, demo_email(local_part), name, DEMO_PASSWORD)
            team_store.set_role(db, team_id, user_id, role)
            if role != "manager":
                staff_ids.append(user_id)
            if local_part in REGIEBEHANDELAARS:
                regie_ids.append(user_id)
        clients = [_demo_client(rng, i, regie_ids, today) for i in range(CLIENTS)]
        client_ids = client_store.add_clients(db, Actor(None, "demo"), team_id, clients)
        client_store.record_continuation_decisions(db, _continuation_decisions(rng, client_ids, clients, today))
        team = team_store.get_team(db, team_id)
        history.insert_meetings(db, team, _past_meetings(rng, team, list(zip(client_ids, clients)), staff_ids, today))
        if handovers:
            _demo_handovers(db, team, today)
    return team_id


def _demo_handovers(db, team: dict, today: date) -> None:
    """The latest step-downs have their handover open, on the coming agenda; the oldest has its dates with a gap."""
    actor = Actor(None, "demo")
    rows = handover_store.step_downs_without_handover(db, team["id"], DEMO_HANDOVERS)
    for row in reversed(rows):
        handover_store.open_handover(db, actor, team, row["client_id"], row["decision_id"], "step_down",
                                     date.fromisoformat(row["day"]))
    if rows:
        oldest = handover_store.step_down_handovers(db, team["id"])[0]
        values, _ = handover_rules.validate({
            "status_stable": "done", "status_network": "done", "receiving_care": "gp_nurse",
            "new_care_starts_on": (today + timedelta(days=35)).isoformat(),
            "last_contact_on": (today + timedelta(days=14)).isoformat()}, today)
        handover_store.save(db, actor, team, oldest, 1, values, today)
    handover_store.put_on_agendas(db, actor, team, iso(datetime.combine(today, time.min, tzinfo=UTC)))


def _continuation_decisions(rng: random.Random, ids: list[int], clients: list[ClientInput], today: date) -> list:
    """Most evaluations after a treatment anniversary answered the continuation question; some did not."""
    decided = []
    for client_id, client in zip(ids, clients):
        years = treatment_months(client.treatment_start, today) // 12
        mark = add_months(client.treatment_start, 12 * years)
        if years and client.last_evaluation and client.last_evaluation >= mark and rng.random() < 0.8:
            decided.append((client_id, client.last_evaluation.isoformat()))
    return decided


def _past_meetings(rng: random.Random, team: dict, clients: list, staff_ids: list[int], today: date) -> list:
    """Twelve weeks of closed meetings; the regular reviews are the evaluations the registry shows."""
    meetings = []
    for weeks_ago in range(HISTORY_WEEKS, 0, -1):
        starts_at = upcoming_meeting_starts(team, datetime.combine(today - timedelta(weeks=weeks_ago), time(),
                                                                   tzinfo=UTC))[0]
        week = {starts_at.date() - timedelta(days=d) for d in range(-3, 4)}
        items = [PastItem(rng.choice(staff_ids), "acute", rng.choice(["issue", "question"]), "Acute situatie",
                          10, rng.randint(420, 1080), outcome="continue_adjusted", bells=rng.choice([0, 0, 1, 2]),
                          exemplary_situation=rng.choice([None, None, "self_harm", "aggression", "self_neglect"]))
                 for _ in range(rng.randint(1, 3))]
        items += [PastItem(client.clinician_id, "regular", "issue", f"Bespreking {client.reference}", 10,
                           rng.randint(360, 840), client_id=client_id, outcome=rng.choice(OUTCOMES),
                           evaluation_on=client.last_evaluation, bells=rng.choice([0, 0, 0, 1]),
                           with_client=_with_client(rng, client.last_evaluation),
                           previous_evaluation=_review_before(client))
                  for client_id, client in clients if client.last_evaluation in week]
        if rng.random() < 0.4:
            items.append(PastItem(rng.choice(staff_ids), "regular", "question", "Niet aan bod gekomen", 5, 0,
                                  state="deferred", carried_over=rng.choice([0, 1])))
        ratings = [(user_id, *(rng.randint(2, 5) for _ in range(4)), rng.choice(CHANGES))
                   for user_id in rng.sample(staff_ids, 8)]
        meetings.append(PastMeeting(starts_at, items, rng.choice([0, 0, 5]), meeting_ratings=ratings))
    return meetings


def _with_client(rng: random.Random, reviewed_on: date) -> dict | None:
    """Most reviews record an evaluation with the client some weeks before; some were held without one."""
    if rng.random() < 0.3:
        return None
    return {"evaluated_on": (reviewed_on - timedelta(days=rng.randint(3, 40))).isoformat(),
            "relatives_invited": rng.choice(["yes", "yes", "no"]), "rom_done": "yes",
            "rom_personal": rng.choice(["better", "same", "worse"]), "rom_social": rng.choice(["better", "same"]),
            "rom_symptomatic": rng.choice(["better", "same", "worse", "not_measured"])}
def _review_before(client: ClientInput) -> date | None:
    """The review six months before the client's last one, if the treatment had started by then."""
    before = add_months(client.last_evaluation, -6)
    return before if before >= client.treatment_start else None


def _demo_client(rng: random.Random, index: int, clinician_ids: list[int], today: date) -> ClientInput:
    """A client who started somewhere in the last six years, held by a regiebehandelaar; most are reviewed in
    time, some are overdue."""
    start = today - timedelta(days=rng.randint(20, 6 * 365))
    last_evaluation = None
    if add_months(start, 6) <= today:
        # months since the last evaluation: mostly within the six-month norm, a tail well past it
        lag = rng.choices([1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 18],
                          weights=[12, 12, 12, 11, 11, 9, 8, 6, 5, 3, 2])[0]
        last_evaluation = min(max(add_months(today, -lag), add_months(start, 6)), today)
    reference = f"FN-{index + 1:03d}{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
    return ClientInput(reference, clinician_ids[index % len(clinician_ids)], start, last_evaluation)
