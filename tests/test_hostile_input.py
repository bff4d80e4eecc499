"""Hostile input on every form and every query: a 4xx or a message, never a 500, and nothing hostile stored.

The routes come from the app's url map and the field names from the templates and the views, so a new
form is covered without touching this file. Each request carries a valid CSRF token: the forms' own checks
are what is tested. (That no script runs in a real browser is in tests/e2e/test_faults.py.)
"""
import re
from pathlib import Path

import pytest

from meeting import create_app
from meeting.core.i18n import is_generated, plain
from meeting.store.decisions import DECISION_FIELDS

ROOT = Path(__file__).resolve().parent.parent
HX = {"HX-Request": "true"}
SCRIPT = '<script>alert(1)</script><img src=x onerror=alert(1)>"\''
WRONG = ["-1", "99999999999999999999", "abc", "2026-13-45", "1e9", "[]", "{}", "NaN", "0", " "]
LAST = ("/run/end", "/logout")  # these change the session or the meeting for good: posted last


def field_names() -> list[str]:
    """Every form field name the templates render or the views read."""
    names = set(re.findall(r'name="([a-z_0-9\-]+)"',
                           "".join(p.read_text() for p in (ROOT / "templates").rglob("*.html"))))
    names |= set(re.findall(r'request\.(?:form|args)\.get(?:list)?\("([a-z_0-9\-]+)"',
                            "".join(p.read_text() for p in (ROOT / "meeting" / "web").rglob("*.py"))))
    names |= set(DECISION_FIELDS) | {"kept_process", "ended_in_decisions", "time_well_spent"}
    names |= {f"action-{i}-{part}" for i in range(3) for part in ("description", "owner", "due")}
    return sorted(names - {"csrf_token", "viewport", "htmx-config"})


FIELDS = field_names()
ID_FIELDS = [f for f in FIELDS if f.endswith(("_id", "owner", "client", "clinician", "target", "user"))]


def payload(kind: str, world: dict) -> dict:
    if kind == "long":  # 7 MB in all: refused whole (413) by the form size limit
        return {f: "x" * 100_000 for f in FIELDS}
    if kind == "long_text":  # 100 k in the free-text fields, under the size limit: each field's own check
        return {f: "x" * 100_000 for f in ("title", "need", "reason", "decision")}
    if kind == "long_each":  # 2,000 in every field, under the size limit: refused or kept whole, never cut
        return {f: "x" * 2000 for f in FIELDS}
    if kind == "huge_numbers":  # past SQLite's integers, and past the 4,300 digits Python reads
        return {f: "9" * (30 if n % 2 else 5000) for n, f in enumerate(FIELDS)}
    if kind == "control":
        return {f: "Crisis\x00plan\x1b[2J\x07\x85" for f in FIELDS}
    if kind == "html":
        return {f: SCRIPT for f in FIELDS}
    if kind == "wrong_types":
        return {f: WRONG[n % len(WRONG)] for n, f in enumerate(FIELDS)}
    if kind == "other_team":
        return {f: str(world["client_b"] if "client" in f else world["member_b"] if "owner" in f or "user" in f
                       or "clinician" in f else world["meeting_b"]) for f in ID_FIELDS}
    return {}  # missing: every field left out


KINDS = ["missing", "wrong_types", "huge_numbers", "control", "long", "long_text", "long_each", "html", "other_team"]


def rules():
    app = create_app({"TESTING": True, "PREPARE_DATABASE": False, "SECRET_KEY": "x"})
    found = [r for r in app.url_map.iter_rules() if r.endpoint != "static" and not r.rule.endswith("/stream")]
    return sorted(found, key=lambda r: (r.rule.endswith(LAST), r.rule))


def url_for_team_a(rule, world) -> str:
    special = {"user_id": world["member_a"], "token": "not-a-token", "table": "overdue"}
    values = {a: special[a] if a in special else world[a.removesuffix("_id") + "_a"] for a in rule.arguments}
    return rule.build(values)[1]


def agent_for(rule, users: dict):
    if rule.rule.startswith("/admin"):
        return users["admin"]
    if rule.rule in ("/login", "/set-password/<token>"):
        return users["anonymous"]
    return users["chair"]


@pytest.fixture
def users(as_user, browser, world):
    chair = as_user("chair.a@example.org")
    for step in ("start", "consent", "next"):  # a running meeting: the run forms do something
        chair.post(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/run/{step}", headers=HX)
    return {"chair": chair, "admin": as_user("admin@example.org"), "anonymous": browser}


def stored_text(db) -> list[tuple[str, str, str]]:
    """Every text value in every table: (table, column, value)."""
    values = []
    for table in [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                           " AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations'")]:
        columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        for row in db.execute(f"SELECT * FROM {table}"):
            values += [(table, c, v) for c, v in zip(columns, row) if isinstance(v, str)]
    return values


@pytest.fixture
def world_with_sessions(world, db):
    """Team A also holds a complex-case session, a worksheet card and a handover: every URL gets a real id."""
    from meeting.store import teams as team_store
    from tests.conftest import finishing_treatment
    return world | finishing_treatment(db, "a", team_store.get_team(db, world["team_a"]), world)


def test_hostile_input_on_every_form_is_refused_without_a_500(users, world_with_sessions, db):
    world = world_with_sessions
    failures = []
    for rule in rules():
        url = url_for_team_a(rule, world)
        agent = agent_for(rule, users)
        for kind in KINDS:
            data = payload(kind, world)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if method == "GET":
                    response = agent.get(url, query_string={k: v[:2000] for k, v in data.items()})
                else:
                    response = agent.post(url, data, headers=HX if kind in ("html", "control") else {})
                if response.status_code >= 500:
                    failures.append(f"{method} {rule.rule} with {kind}: {response.status_code}")
    assert failures == []
    # text the app generated is stored marked (meeting.core.i18n.generated): what it says, its values included, counts
    hostile = [(t, c, v[:40]) for t, c, v in stored_text(db)
               if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", plain(v) if is_generated(v) else v)
               or len(v) > 20_000]
    assert hostile == [], "hostile text was stored"
    # A stored run of x's shorter than any sent was cut (a failed login's counter keys only its first 320 characters).
    cut = [(t, c, len(v)) for t, c, v in stored_text(db)
           if re.fullmatch("x{20,}", v) and len(v) not in (2000, 100_000) and t != "login_failures"]
    assert cut == [], "text was cut silently"
    minutes = f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/minutes"
    for page in (minutes, minutes + ".md"):
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", users["chair"].get(page).text), page


def test_script_in_stored_text_is_shown_as_text(as_user, world, db):
    chair = as_user("chair.a@example.org")
    base = f"/teams/{world['team_a']}/meetings/{world['meeting_a']}"
    response = chair.post(f"/teams/{world['team_a']}/items/new", {
        "meeting_id": world["meeting_a"], "track": "acute", "label": "issue", "title": SCRIPT, "need": SCRIPT,
        "minutes": "5"})
    assert response.status_code == 302, response.text
    for step in ("start", "consent"):
        chair.post(f"{base}/run/{step}", headers=HX)
    for page in (f"{base}/", f"{base}/live", f"{base}/run", f"{base}/plan", f"{base}/minutes"):
        text = chair.get(page).text
        assert "<script>alert(1)" not in text and "<img src=x" not in text, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text or page.endswith(("/live", "/run", "/minutes")), page



HUGE = "99999999999999999999"  # 20 digits: larger than any SQLite integer


def test_a_huge_id_in_any_url_is_a_404(users, world_with_sessions):
    """Every id in a path is bounded: one past SQLite's integers is "not found" in every route, never a 500."""
    world, answers = world_with_sessions, {}
    for rule in rules():
        for huge in [a for a in rule.arguments if a.endswith("_id")]:
            url = path_with(rule, world, huge)
            agent = agent_for(rule, users)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = agent.get(url) if method == "GET" else agent.post(url, {}, headers=HX)
                answers[f"{method} {url} ({rule.rule})"] = response.status_code
    assert len(answers) > 100
    assert {request: status for request, status in answers.items() if status != 404} == {}


def path_with(rule, world, huge: str) -> str:
    """The rule's path for team A's things, with the argument `huge` set to HUGE (built as text: the URL map itself
    would refuse to build it)."""
    special = {"user_id": world["member_a"], "token": "not-a-token", "table": "overdue"}
    path = rule.rule
    for name in rule.arguments:
        value = HUGE if name == huge else special[name] if name in special else world[name.removesuffix("_id") + "_a"]
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
    return path
