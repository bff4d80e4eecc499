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
