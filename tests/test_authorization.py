"""Every team route, walked as a user of another team: nothing of team B exists for team A."""
import pytest

from meeting import create_app

ADMIN_PREFIX = "/admin"


def team_rules():
    """Every URL rule that is scoped to a team (built once, from a throwaway app's url map)."""
    app = create_app({"TESTING": True, "PREPARE_DATABASE": False, "SECRET_KEY": "x"})
    return sorted((rule for rule in app.url_map.iter_rules() if "team_id" in rule.arguments),
                  key=lambda rule: rule.rule)


def url_for_team_b(rule, world) -> str:
    """Fill every argument of `rule` with team B's ids; fail loudly for an argument the world lacks."""
    values = {}
    for argument in rule.arguments:
        key = argument.removesuffix("_id") + "_b"
        if key not in world:
            pytest.fail(f"the authorization world has no team-B value for {argument} in {rule.rule}")
        values[argument] = world[key]
    return rule.build(values)[1]


@pytest.mark.parametrize("rule", team_rules(), ids=lambda rule: rule.rule)
@pytest.mark.parametrize("intruder", ["chair.a@example.org", "manager.a@example.org", "member.a@example.org"])
def test_team_routes_answer_404_to_another_team(rule, intruder, as_user, world, db):
    user_agent = as_user(intruder)
    before = db.execute("SELECT count(*), total(length(reference)) FROM clients").fetchone()
    url = url_for_team_b(rule, world)
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        response = user_agent.get(url) if method == "GET" else user_agent.post(url, {"reference": "X-1"})
        assert response.status_code == 404, f"{method} {url} as {intruder}: {response.status_code}"
    assert db.execute("SELECT count(*), total(length(reference)) FROM clients").fetchone() == before
    logged = db.execute("SELECT count(*) FROM access_log WHERE team_id = ? AND user_id IS NOT NULL",
                        [world["team_b"]]).fetchone()[0]
    assert logged == 0, "team B's client data was read by a user of team A"


def admin_rules():
    app = create_app({"TESTING": True, "PREPARE_DATABASE": False, "SECRET_KEY": "x"})
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(ADMIN_PREFIX)]


@pytest.mark.parametrize("rule", admin_rules(), ids=lambda rule: rule.rule)
def test_admin_pages_do_not_exist_for_team_users(rule, as_user, world):
    chair = as_user("chair.a@example.org")
    url = rule.build({name: world["member_a"] for name in rule.arguments})[1]
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        response = chair.get(url) if method == "GET" else chair.post(url, {"name": "Sneaky team"})
        assert response.status_code == 404, f"{method} {url}"


@pytest.mark.parametrize("email, path, allowed", [
    ("member.a@example.org", "/clients/new", 200),
    ("manager.a@example.org", "/clients/new", 403),
    ("member.a@example.org", "/clients/import", 403),
    ("chair.a@example.org", "/clients/import", 200),
    ("manager.a@example.org", "/clients/import", 200),
    ("member.a@example.org", "/settings", 200),
])
def test_roles_within_the_own_team(as_user, world, email, path, allowed):
    assert as_user(email).get(f"/teams/{world['team_a']}{path}").status_code == allowed


def test_member_cannot_change_team_settings(as_user, world, db):
    member = as_user("member.a@example.org")
    response = member.post(f"/teams/{world['team_a']}/settings", {"meeting_minutes": "60"})
    assert response.status_code == 403
    assert db.execute("SELECT meeting_minutes FROM teams WHERE id = ?", [world["team_a"]]).fetchone()[0] == 90


SCOPED_ARGUMENTS = {"meeting_id", "item_id", "client_id", "action_id", "notice_id", "consultation_id"}


def scoped_rules():
    """Every team route that also takes the id of something the team owns."""
    return [rule for rule in team_rules() if rule.arguments & SCOPED_ARGUMENTS]


def test_every_id_a_route_takes_is_checked_against_the_team():
    """A route with a new kind of id fails here until `store/scope.py` knows whose it is."""
    from meeting.store.scope import OWNER_QUERIES
    for rule in team_rules():
        unknown = {a for a in rule.arguments if a.endswith("_id") and a != "team_id"} - set(OWNER_QUERIES)
        assert not unknown, f"{rule.rule}: no team check for {unknown}"


def team_b_snapshot(db, world) -> dict:
    """Every row of team B that a request could change, to compare before and after."""
    team, meeting = world["team_b"], world["meeting_b"]
    queries = {
        "meetings": ("SELECT * FROM meetings WHERE team_id = ?", team),
        "items": ("SELECT * FROM items WHERE team_id = ?", team),
        "clients": ("SELECT * FROM clients WHERE team_id = ?", team),
        "actions": ("SELECT * FROM actions WHERE team_id = ?", team),
        "decisions": ("SELECT * FROM decisions WHERE meeting_id = ?", meeting),
        "bells": ("SELECT * FROM bells WHERE meeting_id = ?", meeting),
        "borrowings": ("SELECT * FROM borrowings WHERE meeting_id = ?", meeting),
        "clock": ("SELECT e.* FROM clock_events e JOIN items i ON i.id = e.item_id WHERE i.team_id = ?", team),
        "notices": ("SELECT * FROM notifications WHERE team_id = ?", team),
        "evaluations": ("SELECT * FROM evaluations WHERE team_id = ?", team),
        "client_evaluations": ("SELECT * FROM client_evaluations WHERE team_id = ?", team),
        "consultations": ("SELECT * FROM consultations WHERE team_id = ?", team),
        "meeting_ratings": ("SELECT * FROM meeting_ratings WHERE meeting_id = ?", meeting),
        "meeting_raters": ("SELECT * FROM meeting_raters WHERE meeting_id = ?", meeting),
    }
    return {name: db.execute(sql, [value]).fetchall() for name, (sql, value) in queries.items()}


@pytest.fixture
def running_team_b(world, db, as_user):
    """Team B's meeting runs with its item open and an unacknowledged bell: there is something to break."""
    chair_b, member_b = as_user("chair.b@example.org"), as_user("member.b@example.org")
    base = f"/teams/{world['team_b']}/meetings/{world['meeting_b']}"
    assert chair_b.post(base + "/run/start").status_code == 302
    chair_b.post(base + "/run/phase", {"phase": "items"})
    chair_b.post(base + "/run/next")
    member_b.post(base + "/bell")
    assert db.execute("SELECT count(*) FROM bells WHERE meeting_id = ? AND acknowledged_at IS NULL",
                      [world["meeting_b"]]).fetchone()[0] == 1
    return world


def urls_with_team_b_ids(rule, world) -> list[str]:
    """Team B's ids in team A's path, and team A's meeting with team B's item, client or action."""
    mixes = [{"team": world["team_a"]}]
    if "meeting_id" in rule.arguments and rule.arguments & (SCOPED_ARGUMENTS - {"meeting_id"}):
        mixes.append({"team": world["team_a"], "meeting": world["meeting_a"]})
    urls = []
    for mix in mixes:
        values = {a: mix.get(a.removesuffix("_id"), world.get(a.removesuffix("_id") + "_b")) for a in rule.arguments}
        urls.append(rule.build(values)[1])
    return urls


POSTS = {"phase": "items", "status": "done", "kind": "extend", "choice": "borrow", "minutes": "5", "reason": "x",
         "direction": "up", "target": "0", "answer": "x", "outcome": "continue", "decision": "x",
         "kept_process": "5", "ended_in_decisions": "5", "time_well_spent": "5", "day": "2030-01-01",
         "heard": "5", "goals": "5", "approach": "5", "overall": "5",
         "time": "10:00", "title": "x", "track": "acute", "label": "issue", "need": "x", "reference": "X-1"}


@pytest.mark.parametrize("rule", scoped_rules(), ids=lambda rule: rule.rule)
def test_another_teams_ids_in_the_own_teams_path_answer_404(rule, as_user, running_team_b, db):
    world = running_team_b
    chair = as_user("chair.a@example.org")
    before = team_b_snapshot(db, world)
    for url in urls_with_team_b_ids(rule, world):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = chair.get(url) if method == "GET" else chair.post(url, POSTS)
            assert response.status_code == 404, f"{method} {url}: {response.status_code}"
    assert team_b_snapshot(db, world) == before


def test_the_store_refuses_to_change_another_teams_meeting(running_team_b, db):
    """Even a caller that skips the route check cannot touch team B's meeting with team A's id."""
    from meeting.store import decisions as decision_store
    from meeting.store import running as running_store
    from meeting.store.db import utcnow
    from meeting.store.meetings import NotTheTeams
    world = running_team_b
    team_a, meeting_b, item_b = world["team_a"], world["meeting_b"], world["item_b"]
    before = team_b_snapshot(db, world)
    changes = [
        lambda: running_store.set_phase(db, team_a, meeting_b, "consent"),
        lambda: running_store.acknowledge_bells(db, team_a, meeting_b, utcnow()),
        lambda: running_store.add_clock_event(db, team_a, meeting_b, item_b, "extend", utcnow(), None, 120),
        lambda: running_store.borrow(db, team_a, meeting_b, "acute", 5, world["chair_a"], utcnow()),
        lambda: running_store.ring(db, team_a, meeting_b, None, world["chair_a"], None, utcnow()),
        lambda: decision_store.review_action(db, team_a, world["action_a"], "done", meeting_b, utcnow()),
    ]
    for change in changes:
        with pytest.raises(NotTheTeams):
            change()
    assert team_b_snapshot(db, world) == before
