"""The black-box probe's findings (issue 26), each fixed: every test here failed before its fix."""
from datetime import timedelta

from argon2 import PasswordHasher

from meeting import create_app
from meeting.store import institution
from meeting.store import users as user_store
from meeting.store.db import utcnow
from meeting.web.live import STREAMS_PER_USER, Broadcaster
from tests.conftest import PASSWORD, Browser

STRANGER_AND_USER = "10.0.0.66"  # one hospital NAT: the stranger and the user share the outbound address


class CountingHasher(PasswordHasher):
    """argon2id at test cost that counts its verifications: a check's time is the hash's."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash, password):
        self.verified += 1
        return super().verify(hash, password)


def test_an_unknown_email_costs_one_password_hash_check_like_a_known_one(world, db, monkeypatch):
    hasher = CountingHasher()
    monkeypatch.setattr(user_store, "hasher", hasher)
    for email in ("member.a@example.org", "nobody@example.org"):
        hasher.verified = 0
        assert user_store.check_login(db, email, "wrong password", utcnow(), "10.0.0.1").refused == "invalid"
        assert hasher.verified == 1, email
    user_store.set_active(db, world["member_b"], False)
    hasher.verified = 0
    user_store.check_login(db, "member.b@example.org", PASSWORD, utcnow(), "10.0.0.1")
    assert hasher.verified == 1  # a deactivated account is checked as slowly too


def test_an_account_without_a_password_yet_is_checked_as_slowly(as_user, world, db, monkeypatch):
    hasher = CountingHasher()
    monkeypatch.setattr(user_store, "hasher", hasher)
    user_store.create_user(db, "new.nurse@example.org", "New Nurse")
    assert user_store.check_login(db, "new.nurse@example.org", "", utcnow()).refused == "invalid"
    assert hasher.verified == 1


def test_one_member_cannot_take_every_stream_of_the_process(app, world):
    broadcaster = Broadcaster(app.config["DATABASE"], max_streams=80)
    opened = sum(broadcaster.open_stream(world["meeting_a"], world["member_a"], world["team_a"]) for _ in range(80))
    assert opened == STREAMS_PER_USER
    assert broadcaster.open_stream(world["meeting_a"], world["chair_a"], world["team_a"])  # a colleague still can
    assert broadcaster.open_stream(world["meeting_b"], world["member_b"], world["team_b"])
    broadcaster.close_stream(world["meeting_a"], world["member_a"], world["team_a"])
    assert broadcaster.open_stream(world["meeting_a"], world["member_a"], world["team_a"])  # a closed one frees one


def test_one_team_cannot_take_every_stream_of_the_process(app, world):
    broadcaster = Broadcaster(app.config["DATABASE"], max_streams=80)
    team_a_streams = sum(broadcaster.open_stream(world["meeting_a"], user, world["team_a"])
                         for user in range(1000, 1030) for _ in range(STREAMS_PER_USER))
    assert team_a_streams == 60  # three quarters of the process
    assert all(broadcaster.open_stream(world["meeting_b"], user, world["team_b"]) for user in range(2000, 2005))


def test_the_stream_endpoint_refuses_a_members_fifth_screen_of_a_meeting(as_user, world):
    member = as_user("member.a@example.org")
    url = f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/stream"
    streams = [member.get(url, buffered=False) for _ in range(STREAMS_PER_USER)]
    assert [s.status_code for s in streams] == [200] * STREAMS_PER_USER
    fifth = member.get(url, buffered=False)
    assert fifth.status_code == 503 and fifth.headers["Retry-After"] == "10"
    chair = as_user("chair.a@example.org").get(url, buffered=False)
    assert chair.status_code == 200
    for stream in [chair, *reversed(streams)]:  # request contexts end in the reverse order of their start
        stream.close()


def test_a_browser_that_signed_in_before_passes_a_strangers_wait_at_a_shared_address(app, world):
    user = Browser(app.test_client())
    ok = user.post("/login", {"email": "member.a@example.org", "password": PASSWORD},
                   environ_base={"REMOTE_ADDR": STRANGER_AND_USER})
    assert ok.status_code == 302 and "belletje_device=" in ok.headers.get("Set-Cookie", "") + str(
        ok.headers.getlist("Set-Cookie"))
    user.logout()
    stranger = Browser(app.test_client())
    statuses = [stranger.post("/login", {"email": "member.a@example.org", "password": f"guess {n}"},
                              environ_base={"REMOTE_ADDR": STRANGER_AND_USER}).status_code for n in range(8)]
    assert statuses == [401] * 5 + [429] * 3
    again = user.post("/login", {"email": "member.a@example.org", "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": STRANGER_AND_USER})
    assert again.status_code == 302
    newcomer = Browser(app.test_client())  # a browser that never signed in here waits, as before
    assert newcomer.post("/login", {"email": "member.a@example.org", "password": PASSWORD},
                         environ_base={"REMOTE_ADDR": STRANGER_AND_USER}).status_code == 429


def test_a_device_cookie_is_slowed_by_its_own_failures(app, world):
    user = Browser(app.test_client())
    user.post("/login", {"email": "member.a@example.org", "password": PASSWORD})
    user.logout()
    statuses = [user.post("/login", {"email": "member.a@example.org", "password": "wrong"}).status_code
                for _ in range(6)]
    assert statuses == [401] * 5 + [429]


def test_a_forged_device_cookie_counts_for_nothing(app, world):
    stranger = Browser(app.test_client())
    for n in range(5):
        stranger.post("/login", {"email": "member.a@example.org", "password": f"guess {n}"})
    stranger.client.set_cookie("belletje_device", "eyJtZW1iZXIuYUBleGFtcGxlLm9yZyI6ImFiYyJ9.forged", path="/login")
    assert stranger.post("/login", {"email": "member.a@example.org", "password": PASSWORD}).status_code == 429


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(tmp_path, world, db):
    def failures_by_address(app):
        attacker = Browser(app.test_client())
        attacker.post("/login", {"email": "member.a@example.org", "password": "guess"},
                      headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
        return {r[0] for r in db.execute("SELECT address FROM login_failures")}

    direct = create_app({"TESTING": True, "DATABASE": db.conn.execute("PRAGMA database_list").fetchone()[2],
                         "SECRET_KEY": "t", "LOGIN_LIMIT": "1000 per minute"})
    assert failures_by_address(direct) == {"10.0.0.1"}
    proxied = create_app({"TESTING": True, "DATABASE": db.conn.execute("PRAGMA database_list").fetchone()[2],
                          "SECRET_KEY": "t", "LOGIN_LIMIT": "1000 per minute", "TRUSTED_PROXIES": 1})
    assert failures_by_address(proxied) == {"10.0.0.1", "203.0.113.9"}


def test_the_teams_and_the_apps_names_are_refused_in_a_password(as_user, world, db):
    db.execute("UPDATE teams SET name = 'FACT Noord' WHERE id = ?", [world["team_a"]])
    member = as_user("member.a@example.org")
    for password in ("fact-noord12", "belletje-demo1"):
        response = member.post("/account/password", {"current": PASSWORD, "password": password + "xx",
                                                     "repeat": password + "xx"})
        assert response.status_code == 400, password
        assert "must not contain the name of this app, of the institution or of your team" in response.text


def test_a_set_password_link_expires(as_user, db, world):
    admin = as_user("admin@example.org")
    link = admin.post("/admin/users", {"name": "New Nurse", "email": "new.nurse@example.org"}).text
    token = link.split("/set-password/")[1].split("<")[0]
    user = user_store.get_user_by_email(db, "new.nurse@example.org")
    assert user_store.user_for_set_password_token(db, token, utcnow() + timedelta(days=6))
    assert user_store.user_for_set_password_token(db, token, utcnow() + timedelta(days=8)) is None
    db.execute("UPDATE users SET set_password_expires_at = ? WHERE id = ?",
               [(utcnow() - timedelta(minutes=1)).isoformat(), user["id"]])
    assert Browser(admin.client.application.test_client()).get(f"/set-password/{token}").status_code == 404


def access_rows(db, action: str) -> list[dict]:
    return [dict(r) for r in db.query("SELECT user_id, action, client_id, detail FROM access_log WHERE action = ?",
                                      [action])]


def test_each_view_of_the_planner_is_one_access_log_row_with_its_clients(as_user, world, db):
    chair = as_user("chair.a@example.org")
    url = f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/plan"
    for _ in range(2):
        assert chair.get(url).status_code == 200
    rows = access_rows(db, "planner")
    assert len(rows) == 2 and rows[0]["user_id"] == world["chair_a"]
    [log_id] = db.execute("SELECT max(id) FROM access_log WHERE action = 'planner'").fetchone()
    assert {r[0] for r in db.execute("SELECT client_id FROM access_log_clients WHERE log_id = ?", [log_id])} == {
        world["client_a"]}


def test_each_view_of_the_sessions_list_and_a_sessions_edit_page_is_logged(as_user, world, db):
    chair = as_user("chair.b@example.org")
    assert chair.get(f"/teams/{world['team_b']}/sessions").status_code == 200
    [row] = access_rows(db, "sessions")
    assert row["user_id"] == world["chair_b"] and row["detail"] == "clients=1"
    assert chair.get(f"/teams/{world['team_b']}/sessions/{world['session_b']}/edit").status_code == 200
    [edit] = access_rows(db, "session-plan-read")
    assert (edit["user_id"], edit["client_id"]) == (world["chair_b"], world["client_b"])


def test_the_institutions_name_is_refused_at_the_set_password_link(as_user, browser, db, world):
    institution.update(db, name="GGZ Voorbeeld")
    admin = as_user("admin@example.org")
    page = admin.post("/admin/users", {"name": "New Nurse", "email": "new.nurse@example.org"})
    path = "/set-password/" + page.text.split("/set-password/")[1].split("<")[0]
    refused = browser.post(path, {"password": "voorbeeld-ggz-99", "repeat": "voorbeeld-ggz-99"})
    assert refused.status_code == 400 and "must not contain the name of this app" in refused.text
