"""Live updates: a change committed by any connection reaches every open stream of that meeting, as the parts of
the rendered fragment that changed (rendered once per change), with each person's view of the clients logged once."""
import contextlib
import re
import socket
import threading
import time
from datetime import date

import pytest

from meeting.core.clients import ClientInput
from meeting.store import clients as client_store
from meeting.store import items as item_store
from meeting.store.audit import Actor
from meeting.store.db import connect
from meeting.store.meetings import bump_revision
from meeting.web.live import Broadcaster, Outlet, Part, Screen, changed_events, outlet_of, sse_events
from tests.conftest import make_item

HX = {"HX-Request": "true"}


def meeting_url(world, suffix=""):
    return f"/teams/{world['team_a']}/meetings/{world['meeting_a']}{suffix}"


def events_of(response):
    """The stream's events as (name, data) pairs, read as they come."""
    for chunk in response.response:
        yield from parsed(chunk.decode())


def parsed(text):
    """The (name, data) pairs of the events in `text` (the events of one change come in one chunk)."""
    for block in text.split("\n\n"):
        name = re.search(r"^event: (\S+)", block, re.M)
        if name:
            yield name.group(1), "\n".join(re.findall(r"^data: ?(.*)$", block, re.M))


def next_change(events) -> dict:
    """Read the events of the next change (or the re-sync): part name -> text, up to and with `changed`."""
    pushed = {}
    for name, data in events:
        pushed[name] = data
        if name == "changed":
            return pushed
    raise AssertionError("the stream ended before the change was complete")


def text_of(pushed: dict) -> str:
    return "\n".join(pushed.values())


def screen(app, world, kind="phone", user="member_a", locale="en", role="member"):
    return Screen(kind, world["team_a"], world["meeting_a"], locale, role, Actor(world[user], "10.0.0.9"),
                  "http://localhost/")


def bump_from_elsewhere(app, world, delay=0.2):
    """A change committed by another connection, as another request thread or process would."""
    def change():
        time.sleep(delay)
        other = connect(app.config["DATABASE"])
        bump_revision(other, world["team_a"], world["meeting_a"])
        other.close()
    threading.Thread(target=change).start()


def test_stream_sends_a_full_resync_at_once_then_each_change(app, world):
    broadcaster = Broadcaster(app.config["DATABASE"], app=app)
    assert broadcaster.open_stream(world["meeting_a"])
    events = sse_events(broadcaster, world["meeting_a"], max_seconds=5)
    assert next(events).startswith("retry:")
    first = next(events)
    assert first.startswith("event: changed")
    bump_from_elsewhere(app, world)
    started = time.monotonic()
    second = next(events)
    assert second.startswith("event: changed") and second != first
    assert time.monotonic() - started < 1.0
    events.close()
    assert broadcaster._watchers == {}  # the stream cleaned up after itself


def test_streams_are_capped(app, world):
    broadcaster = Broadcaster(app.config["DATABASE"], max_streams=2)
    assert broadcaster.open_stream(world["meeting_a"]) and broadcaster.open_stream(world["meeting_b"])
    assert not broadcaster.open_stream(world["meeting_a"])
    broadcaster.close_stream(world["meeting_a"])
    assert broadcaster.open_stream(world["meeting_a"])


def test_the_stream_endpoint_pushes_every_part_then_changed(as_user, world):
    member = as_user("member.a@example.org")
    response = member.get(meeting_url(world, "/stream"), buffered=False)
    assert response.mimetype == "text/event-stream"
    chunks = response.response
    assert next(chunks).startswith(b"retry:")
    resync = next(chunks).decode()
    assert [name for name, _ in parsed(resync)] == ["now", "clock", "story", "agenda", "changed"]
    assert "The meeting has not started yet" in resync and "<html" not in resync
    page = member.get(meeting_url(world, "/live")).text
    assert all(f'sse-swap="{name}"' in page for name in ("now", "clock", "story", "agenda"))
    response.close()


def test_one_render_per_change_for_every_screen_of_a_kind(app, world):
    broadcaster = app.extensions["belletje_live"]
    streams = []
    for _ in range(20):
        assert broadcaster.open_stream(world["meeting_a"])
        streams.append(sse_events(broadcaster, world["meeting_a"], screen(app, world), max_seconds=5))
    for events in streams:
        next(events)  # retry
        next(events)  # the re-sync: every part, rendered once, shared (it is fresh)
    before = broadcaster.renders
    bump_from_elsewhere(app, world)
    pushed = {next(events) for events in streams}
    assert len(pushed) == 1
    assert broadcaster.renders - before == 1
    for events in streams:
        events.close()


def test_each_kind_language_and_role_gets_its_own_render(app, world):
    broadcaster = app.extensions["belletje_live"]
    variants = [screen(app, world), screen(app, world, locale="nl"),
                screen(app, world, user="manager_a", role="manager"),
                screen(app, world, kind="console", user="chair_a", role="chair")]
    texts, before = [], broadcaster.renders
    for variant in variants:
        broadcaster.open_stream(world["meeting_a"])
        events = sse_events(broadcaster, world["meeting_a"], variant, max_seconds=5)
        next(events)
        texts.append(next(events))
        events.close()
    assert broadcaster.renders - before == 4
    assert "The meeting has not started yet" in texts[0] and "The meeting has not started yet" not in texts[1]
    assert "event: now" in texts[2] and "event: item" in texts[3] and "event: item" not in texts[2]


def test_a_pushed_fragment_carries_nobodys_csrf_token(as_user, world):
    chair = as_user("chair.a@example.org")
    chair.post(meeting_url(world, "/run/start"), headers=HX)
    response = chair.get(meeting_url(world, "/run/stream"), buffered=False)
    panel = text_of(next_change(events_of(response)))
    response.close()
    assert 'name="csrf_token" value=""' in panel
    assert not re.search(r'name="csrf_token" value="[^"]+"', panel)
    page = chair.get(meeting_url(world, "/run")).text  # the page itself keeps the reader's token
    assert re.search(r'name="csrf_token" value="[^"]+"', page)


def test_the_console_stream_is_the_chairs(as_user, world):
    assert as_user("member.a@example.org").get(meeting_url(world, "/run/stream")).status_code == 403


def test_at_the_end_each_phone_shows_whether_its_reader_rated(as_user, world, app):
    chair = as_user("chair.a@example.org")
    for step in ("/run/start", "/run/consent"):
        chair.post(meeting_url(world, step), headers=HX)
    chair.post(meeting_url(world, "/run/end"))
    rater = as_user("member.a@example.org")
    rater.post(meeting_url(world, "/rating"), {"heard": 4, "goals": 4, "approach": 4, "overall": 4}, headers=HX)
    panels = {}
    for name, user in (("mine", rater), ("theirs", chair)):  # one at a time: the test client shares one thread
        response = user.get(meeting_url(world, "/stream"), buffered=False)
        panels[name] = text_of(next_change(events_of(response)))
        response.close()
    assert "Thank you for rating" in panels["mine"] and '<form class="card rating"' not in panels["mine"]
    assert '<form class="card rating"' in panels["theirs"]


def logged_clients(db, user_id):
    return {r[0] for r in db.execute("SELECT client_id FROM access_log WHERE user_id = ?", [user_id])}


def add_client_item(db, world, reference, **changes):
    client_id = client_store.add_clients(db, Actor(None), world["team_a"], [
        ClientInput(reference, world["member_a"], date(2024, 3, 1), None)])[0]
    item_store.add_item(db, Actor(None), world["team_a"], world["meeting_a"], world["member_a"],
                        make_item(client_id=client_id, **changes))
    return client_id


def open_screen(app, world, **kwargs):
    """A live screen's event stream, as the stream view starts it (without the test client's shared thread)."""
    broadcaster = app.extensions["belletje_live"]
    assert broadcaster.open_stream(world["meeting_a"])
    events = sse_events(broadcaster, world["meeting_a"], screen(app, world, **kwargs), max_seconds=30)
    return (event for text in events for event in parsed(text))


def test_every_client_a_person_could_see_on_a_live_screen_is_logged_for_them(app, as_user, world, db):
    """NEN 7513: whoever had a live screen open has a log row for each client it could show, once a day, not per
    change."""
    add_client_item(db, world, "A-002", track="acute", label="issue")
    add_client_item(db, world, "A-003")
    chair, member = as_user("chair.a@example.org"), as_user("member.a@example.org")
    phone_events = open_screen(app, world)
    console_events = open_screen(app, world, kind="console", user="chair_a", role="chair")
    seen = {world["member_a"]: set(), world["chair_a"]: set()}
    steps = ["/run/start", "/run/consent", "/run/next", "/bell", "/run/bell/ack"] + ["/run/clock"] * 6
    for step in [None] + steps:
        if step:
            (member if step == "/bell" else chair).post(meeting_url(world, step), {"kind": "toggle"}, headers=HX)
        for user, events in ((world["member_a"], phone_events), (world["chair_a"], console_events)):
            seen[user] |= set(re.findall(r"\bA-\d{3}\b", text_of(next_change(events))))
    references = dict(db.execute("SELECT reference, id FROM clients WHERE team_id = ?", [world["team_a"]]).fetchall())
    for user, shown in seen.items():
        assert shown, "the screens showed client references"
        assert {references[ref] for ref in shown} <= logged_clients(db, user)
        assert {references[ref] for ref in shown} <= {r[0] for r in db.execute(
            "SELECT client_id FROM access_log WHERE user_id = ? AND action = 'live' AND ip = '10.0.0.9'", [user])}
    rows = db.execute("SELECT count(*) FROM access_log WHERE user_id = ? AND action = 'live' AND ip = '10.0.0.9'",
                      [world["member_a"]]).fetchone()[0]
    assert rows == 3  # one row per client on the agenda, not one per change
    phone_events.close()
    console_events.close()


def test_a_new_client_on_the_agenda_is_logged_again_once(app, world, db):
    events = open_screen(app, world)
    next_change(events)
    count = "SELECT count(*) FROM access_log WHERE user_id = ? AND action = 'live'"
    assert db.execute(count, [world["member_a"]]).fetchone()[0] == 1
    added = add_client_item(db, world, "A-004")
    next_change(events)
    assert added in logged_clients(db, world["member_a"])
    assert db.execute(count, [world["member_a"]]).fetchone()[0] == 2  # only the client not shown before
    for _ in range(3):
        bump_revision(db, world["team_a"], world["meeting_a"])
        next_change(events)
    assert db.execute(count, [world["member_a"]]).fetchone()[0] == 2
    events.close()


def test_re_reading_a_live_panel_takes_no_write_lock(as_user, world, db):
    member = as_user("member.a@example.org")
    assert member.get(meeting_url(world, "/live")).status_code == 200  # the first view is logged
    blocker = connect(db.conn.execute("PRAGMA database_list").fetchone()[2])
    blocker.conn.execute("BEGIN IMMEDIATE")  # someone holds the write lock for a long time
    try:
        started = time.monotonic()
        response = member.get(meeting_url(world, "/live/panel"))
        assert response.status_code == 200 and time.monotonic() - started < 1.0
    finally:
        blocker.conn.rollback()
        blocker.close()


def names(text: str) -> list[str]:
    return [name for name, _ in parsed(text)]


def test_a_screen_gets_a_part_only_when_its_text_changed():
    held = {}
    assert names(changed_events((Part("now", "<h1>A</h1>"), Part("clock", "10:00")), held)) == ["now", "clock"]
    assert names(changed_events((Part("now", "<h1>A</h1>"), Part("clock", "09:58")), held)) == ["clock"]
    assert changed_events((Part("now", "<h1>A</h1>"), Part("clock", "09:58")), held) == ""


def test_a_list_sends_its_changed_rows_alone_and_itself_when_it_holds_other_rows():
    def agenda(*texts):
        rows = tuple(Part(f"phone-item-{i}", text) for i, text in enumerate(texts))
        return (Part("agenda", "<ol>" + "".join(texts) + "</ol>", rows),)
    held = {}
    assert names(changed_events(agenda("a", "b"), held)) == ["agenda"]
    assert names(changed_events(agenda("a", "B"), held)) == ["phone-item-1"]
    assert names(changed_events(agenda("a", "B", "c"), held)) == ["agenda"]
    assert changed_events(agenda("a", "B", "c"), held) == ""
    assert names(changed_events(agenda("A", "B", "c"), held)) == ["phone-item-0"]


def test_a_bell_ring_pushes_the_bell_not_the_item_and_a_reconnect_gets_every_part(app, as_user, world):
    chair, member = as_user("chair.a@example.org"), as_user("member.a@example.org")
    for step in ("/run/start", "/run/consent", "/run/next"):
        chair.post(meeting_url(world, step), headers=HX)
    console = open_screen(app, world, kind="console", user="chair_a", role="chair")
    resync = next_change(console)
    assert list(resync) == ["item", "clock", "clock-controls", "controls", "bell", "ring", "budgets", "estimate",
                            "coming", "changed"]
    assert "Continue or step down?" in resync["item"] and 'data-status="running"' in resync["clock"]
    member.post(meeting_url(world, "/bell"), {"reason": "long_story"}, headers=HX)
    pushed = next_change(console)
    assert "ringing" in pushed["bell"] and "Long story" in pushed["bell"]
    assert not {"item", "clock-controls", "controls", "ring", "coming"} & set(pushed)
    again = open_screen(app, world, kind="console", user="chair_a", role="chair")
    assert list(next_change(again)) == list(resync)  # a new stream knows nothing of what the screen held
    console.close()
    again.close()


def test_the_chairs_actions_answer_with_messages_and_leave_the_panel_to_the_stream(as_user, world):
    chair = as_user("chair.a@example.org")
    chair.post(meeting_url(world, "/run/start"), headers=HX)
    response = chair.post(meeting_url(world, "/run/next"), headers=HX)
    assert response.headers["HX-Reswap"] == "none" and 'id="console-status"' in response.text
    assert "run-grid" not in response.text and 'hx-swap-oob="true"' in response.text


def tcp_pair(receive_buffer: int | None = None):
    """A real TCP connection on localhost: (the screen's end, the server's end)."""
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.socket()
    if receive_buffer:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    client.connect(listener.getsockname())
    server, _ = listener.accept()
    listener.close()
    return client, server


def serve_stream(events, sock) -> threading.Thread:
    """Write the stream's events to the socket as a server's thread does, until it ends or the socket fails."""
    def write():
        try:
            for chunk in events:
                sock.sendall(chunk.encode())
        except OSError:
            events.close()
    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def read_until_changed(sock) -> bytes:
    """What the screen reads up to and with the next `changed` event."""
    received = b""
    while b"event: changed" not in received:
        received += sock.recv(65536)
    return received


def test_a_screen_that_stops_reading_is_dropped_and_the_others_go_on(app, world):
    broadcaster = Broadcaster(app.config["DATABASE"], app=app)
    stalled, stalled_end = tcp_pair(receive_buffer=4096)
    reading, reading_end = tcp_pair()
    outlet = Outlet(stalled_end, stall_seconds=1)
    stalled_end.setblocking(False)
    with contextlib.suppress(BlockingIOError):  # the screen is as far behind as the buffers hold: it reads no more
        while True:
            stalled_end.send(b": behind\n\n" * 100)
    stalled_end.setblocking(True)
    threads = []
    for end, watch in ((stalled_end, outlet), (reading_end, Outlet(reading_end, stall_seconds=1))):
        assert broadcaster.open_stream(world["meeting_a"])
        threads.append(serve_stream(sse_events(broadcaster, world["meeting_a"], max_seconds=30, outlet=watch), end))
    reading.settimeout(5)
    read_until_changed(reading)  # the re-sync

    bump_from_elsewhere(app, world, delay=0)
    started = time.monotonic()
    read_until_changed(reading)  # the others are not held up by the stalled one
    assert time.monotonic() - started < 1.0
    while broadcaster.open_streams() > 1 and time.monotonic() - started < 10:
        time.sleep(0.05)
    assert broadcaster.open_streams() == 1, "the stalled screen's stream is still open"
    assert time.monotonic() - started < 1 + 3  # the stall time and a margin
    stalled.setblocking(False)
    with pytest.raises(ConnectionResetError):  # reset: its queued events are thrown away, nothing lingers
        while stalled.recv(65536):
            pass
    broadcaster.shutdown()  # the server stops: the other stream ends at once too
    for thread in threads:
        thread.join(5)
    assert broadcaster.open_streams() == 0
    for sock in (stalled, stalled_end, reading, reading_end):
        sock.close()


def test_a_stream_is_watched_where_the_server_hands_over_its_socket():
    client, end = tcp_pair()
    assert outlet_of({"gunicorn.socket": end}, 15).sock is end
    assert outlet_of({"werkzeug.socket": end}, 15).sock is end
    assert outlet_of({}, 15) is None  # waitress keeps its socket: it buffers a stream's output itself
    client.close()
    end.close()
