"""Live updates: a change committed by any connection reaches every open stream of that meeting."""
import threading
import time

from meeting.store.db import connect
from meeting.web.live import Broadcaster, sse_events
from meeting.store.meetings import bump_revision


def test_stream_sends_a_full_resync_at_once_then_each_change(app, world):
    broadcaster = Broadcaster(app.config["DATABASE"])
    assert broadcaster.open_stream(world["meeting_a"])
    events = sse_events(broadcaster, world["meeting_a"], max_seconds=5)
    assert next(events).startswith("retry:")
    first = next(events)
    assert first.startswith("event: changed")

    def change_later():
        time.sleep(0.2)
        other = connect(app.config["DATABASE"])  # another connection, as another request thread would be
        bump_revision(other, world["team_a"], world["meeting_a"])
        other.close()

    threading.Thread(target=change_later).start()
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


def test_the_stream_endpoint_answers_with_an_event_stream(as_user, world):
    member = as_user("member.a@example.org")
    response = member.get(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/stream", buffered=False)
    assert response.mimetype == "text/event-stream"
    chunks = response.response
    assert next(chunks).startswith(b"retry:")
    assert next(chunks).startswith(b"event: changed")
    response.close()
