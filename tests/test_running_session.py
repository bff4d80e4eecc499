"""One running session for both kinds (the weekly meeting, the complex-case session): one set of addresses per kind,
one stream of parts, and an id of the other kind is a plain 404 before any event."""
import pytest

from meeting import create_app
from tests.test_run import HX

LIVE_SUFFIXES = ("/stream", "/panel")


def live_rules():
    """Every stream and panel address of a running session, from the app's url map."""
    app = create_app({"TESTING": True, "PREPARE_DATABASE": False, "SECRET_KEY": "x"})
    return sorted((r for r in app.url_map.iter_rules() if r.rule.endswith(LIVE_SUFFIXES) and "team_id" in r.arguments),
                  key=lambda r: r.rule)


def test_both_kinds_have_a_console_and_a_phone_stream_and_panel():
    addresses = {r.rule for r in live_rules()}
    for kind in ("meetings", "sessions"):
        for suffix in ("/run/stream", "/run/panel", "/stream", "/live/panel"):
            assert f"/teams/<int:team_id>/{kind}/<int:meeting_id>{suffix}" in addresses


@pytest.mark.parametrize("rule", live_rules(), ids=lambda r: r.rule)
def test_an_id_of_the_other_kind_is_a_plain_404_before_any_event(rule, as_user, world):
    other_kind = world["session_b"] if "/meetings/" in rule.rule else world["meeting_b"]
    values = {a: world["team_b"] if a == "team_id" else other_kind for a in rule.arguments}
    response = as_user("chair.b@example.org").get(rule.build(values)[1], buffered=False)
    body = b"".join(response.response)
    assert response.status_code == 404, rule.rule
    assert response.mimetype != "text/event-stream" and b"retry:" not in body and b"event:" not in body


def test_the_session_console_receives_its_parts_on_the_one_stream(as_user, world, db):
    chair = as_user("chair.b@example.org")
    response = chair.get(f"/teams/{world['team_b']}/sessions/{world['session_b']}/run/stream", buffered=False)
    chunks = response.response
    assert next(chunks).startswith(b"retry:")
    resync = next(chunks)
    names = [line.split(b": ")[1] for line in resync.splitlines() if line.startswith(b"event: ")]
    assert names == [b"step", b"clock", b"clock-controls", b"controls", b"board", b"bell", b"ring", b"budgets",
                     b"changed"]
    response.close()


def test_the_session_panel_logs_each_view_of_its_client_once_not_each_re_render(as_user, world, db):
    chair = as_user("chair.b@example.org")
    base = f"/teams/{world['team_b']}/sessions/{world['session_b']}"
    logged = "SELECT count(*) FROM access_log WHERE client_id = ? AND user_id = ?"
    before = db.execute(logged, [world["client_b"], world["chair_b"]]).fetchone()[0]
    assert chair.get(base + "/run/panel").status_code == 200
    assert db.execute(logged, [world["client_b"], world["chair_b"]]).fetchone()[0] == before + 1
    chair.post(base + "/run/start", headers=HX)  # a change: every screen's parts are rendered again
    for _ in range(2):
        chair.get(base + "/run/panel")
        chair.get(base + "/live/panel")
    assert db.execute(logged, [world["client_b"], world["chair_b"]]).fetchone()[0] == before + 1
