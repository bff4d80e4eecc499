"""Shared fixtures: an app on a temp-file database, two teams, and a client that logs in with CSRF."""
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from meeting import create_app
from meeting.core.clients import ClientInput
from meeting.core.items import ItemInput
from meeting.core.session import DEFAULT_MINUTES
from meeting.store import clients as client_store
from meeting.store import decisions as decision_store
from meeting.store import handovers as handover_store
from meeting.store import items as item_store
from meeting.store import jobs, now
from meeting.store import meetings as meeting_store
from meeting.store import sessions as session_store
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.audit import Actor
from meeting.store.db import connect, utcnow

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def today() -> date:
    """The team's today on the app's one clock (which --now moves)."""
    return now.team_today("Europe/Amsterdam")


def pytest_addoption(parser):
    parser.addoption("--now", default=None,
                     help="run with the app's one clock moved to this moment, from which it runs "
                     "on: HH:MM (today, UTC) or an ISO date and time with its offset, e.g. 2028-02-29T23:30+00:00")


def moment_from_option(value: str) -> datetime:
    """The moment `--now` names: a time of day is today's (UTC)."""
    if len(value) <= 5:
        return datetime.combine(datetime.now(UTC).date(), time.fromisoformat(value), UTC)
    return datetime.fromisoformat(value)


@pytest.fixture(autouse=True)
def moved_clock(request):
    """With --now, every test runs on the app's clock from that moment (the scheduler's and the store's too)."""
    option = request.config.getoption("--now")
    if option:
        now.run_from(moment_from_option(option))
    yield
    now.run_from(None)


@pytest.fixture
def app(tmp_path):
    """The app on its own database file (an in-memory one would be new per connection)."""
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "test.sqlite3"),
                      "SECRET_KEY": "test", "LOGIN_LIMIT": "1000 per minute"})
    yield app


@pytest.fixture
def db(app):
    """A connection of the test's own, as a second process would have."""
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


@pytest.fixture
def world(db):
    """Two teams, each with a chair, a member and a manager, and one client; plus an admin."""
    ids = {"admin": user_store.create_user(db, "admin@example.org", "Admin", PASSWORD, is_admin=True)}
    for key in ("a", "b"):
        team_id = team_store.create_team(db, f"Team {key.upper()}")
        ids[f"team_{key}"] = team_id
        for role in ("chair", "member", "manager"):
            user_id = user_store.create_user(db, f"{role}.{key}@example.org", f"{role} {key}", PASSWORD)
            team_store.set_role(db, team_id, user_id, role)
            ids[f"{role}_{key}"] = user_id
        ids[f"client_{key}"] = client_store.add_clients(db, Actor(None), team_id, [
            ClientInput(f"{key.upper()}-001", ids[f"member_{key}"], date(2024, 1, 15), None)])[0]
        team = team_store.get_team(db, team_id)
        ids[f"meeting_{key}"] = meeting_store.add_extra(db, team, utcnow() + timedelta(days=3))
        ids[f"item_{key}"] = item_store.add_item(db, Actor(None), team_id, ids[f"meeting_{key}"], ids[f"member_{key}"],
                                                 make_item(client_id=ids[f"client_{key}"]))
        decided = item_store.add_item(db, Actor(None), team_id, ids[f"meeting_{key}"], ids[f"member_{key}"],
                                      make_item(track="acute", title="Earlier question"))
        decision_store.decide(db, Actor(ids[f"chair_{key}"]), team,
                              item_store.get_item(db, Actor(None), team_id, decided),
                              {"answer": "Yes", "actions": [{"description": "Call the GP",
                                                             "owner": str(ids[f"member_{key}"]),
                                                             "due": (today() + timedelta(days=7)).isoformat()}]},
                              today(), utcnow(), None)
        ids[f"action_{key}"] = db.execute("SELECT max(id) FROM actions").fetchone()[0]
        consulted = item_store.add_item(db, Actor(None), team_id, ids[f"meeting_{key}"], ids[f"member_{key}"],
                                        make_item(track="acute", label="issue", title="Stuck: ask outside"))
        decision_store.decide(db, Actor(ids[f"chair_{key}"]), team,
                              item_store.get_item(db, Actor(None), team_id, consulted),
                              {"outcome": "consultation", "decision": "Ask the consultation centre", "needs_met": "yes",
                               "consultation_question": "How do we break the pattern?",
                               "consultation_asked_of": "Consultation centre"}, today(), utcnow(), None)
        ids[f"consultation_{key}"] = db.execute("SELECT max(id) FROM consultations").fetchone()[0]
        jobs.notify(db, ids[f"chair_{key}"], team_id, "Notice", {}, "/", utcnow())
        ids[f"table_{key}"] = "overdue"  # a dashboard CSV table
        ids[f"notice_{key}"] = db.execute("SELECT max(id) FROM notifications").fetchone()[0]
    return ids | finishing_treatment(db, "b", team_store.get_team(db, ids["team_b"]), ids)


def finishing_treatment(db, key: str, team: dict, ids: dict) -> dict:
    """A planned complex-case session with one worksheet card, and an open handover, for team `key`.

    The world has them for team B only (what the authorization tests need); team A's meeting counts stay as they were.
    """
    client, member = ids[f"client_{key}"], ids[f"member_{key}"]
    session = session_store.create(db, Actor(None), team, utcnow() + timedelta(days=5), client, member,
                                   dict(DEFAULT_MINUTES), None, "")
    # written straight in: the store would log it as the member's access, and the world holds no user's access
    db.execute("INSERT INTO session_cards (meeting_id, team_id, step, level, text, user_id, at)"
               " VALUES (?, ?, 'systemic_analysis', 'patient', 'Fear of relapse', ?, ?)",
               [session, team["id"], member, utcnow().isoformat()])
    decision = db.execute("SELECT max(d.id) FROM decisions d JOIN meetings m ON m.id = d.meeting_id "
                          "WHERE m.team_id = ?",
                          [team["id"]]).fetchone()[0]
    handover = handover_store.open_handover(db, Actor(None), team, client, decision, "step_down", today())
    return {f"session_{key}": session, f"card_{key}": db.execute("SELECT max(id) FROM session_cards").fetchone()[0],
            f"handover_{key}": handover}


def make_item(**changes) -> ItemInput:
    """A valid regular review item; override any field."""
    values = dict(track="regular", label="question", client_id=None, title="Continue or step down?",
                  need="A decision on continuing", current_state="Stable for months", request_and_start="",
                  tried_towards_finishing="", finishing_hard="", minutes=5)
    return ItemInput(**(values | changes))


class Browser:
    """The Flask test client as a user: logs in through the form and sends the CSRF token."""

    def __init__(self, client):
        self.client, self.token = client, None

    def login(self, email: str, password: str = PASSWORD):
        response = self.post("/login", {"email": email, "password": password})
        self.token = None  # the session was renewed at login
        return response

    def logout(self):
        response = self.post("/logout")
        self.token = None
        return response

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def hx(self, url: str, **kwargs):
        """A GET as htmx sends it."""
        return self.client.get(url, headers={"HX-Request": "true"} | kwargs.pop("headers", {}), **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        if self.token is None:
            self.token = CSRF.search(self.client.get("/login").text).group(1)
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kwargs)


@pytest.fixture
def browser(app):
    """A logged-out user agent."""
    return Browser(app.test_client())


@pytest.fixture
def as_user(app, world):
    """Log in as e.g. "member.a@example.org" in a fresh user agent."""
    def login(email: str) -> Browser:
        user_agent = Browser(app.test_client())
        assert user_agent.login(email).status_code == 302
        return user_agent
    return login


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """argon2id with small cost parameters: the same code path, milliseconds instead of 64 MiB per hash."""
    from argon2 import PasswordHasher
    original = user_store.hasher
    user_store.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    user_store.hasher = original
