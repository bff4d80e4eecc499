"""What goes over the wire: compressed pages and assets, versioned static files cached for a year, a light
phone, small live updates, and an event stream that is never compressed or buffered."""
import re
import threading

import brotli
import pytest

from meeting.ops.rehearsal import build_room
from tests.conftest import Browser

ACCEPT = {"Accept-Encoding": "gzip, deflate, br"}
HX = {"HX-Request": "true"}
PASSWORD = "rehearsal password 1"


@pytest.fixture
def room(app, db):
    """A running meeting with a typical 14-item agenda and 59 members."""
    return build_room(db, 1, 59, PASSWORD)


def logged_in(app, email):
    user_agent = Browser(app.test_client())
    assert user_agent.login(email, PASSWORD).status_code == 302
    return user_agent


def wire_bytes(response) -> int:
    """The body as sent, plus the status line and headers."""
    head = len(f"HTTP/1.1 {response.status}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items())
    body = response.get_data()
    response.close()
    return head + len(body)


def next_update(chunks) -> bytes:
    """What a stream sends for one change (or its re-sync on connect): every event, up to and with `changed`."""
    sent = b""
    while b"event: changed" not in sent:
        sent += next(chunks)
    return sent


def elsewhere(user_agent, url, data=None):
    """A POST as another screen makes it: in a thread of its own, outside the open stream's request context."""
    answers = []
    thread = threading.Thread(target=lambda: answers.append(user_agent.post(url, data or {}, headers=HX)))
    thread.start()
    thread.join()
    return answers[0]


def test_the_phone_loads_in_under_60_kb_on_the_wire(app, room):
    phone = logged_in(app, room.members[0])
    page = phone.get(f"/teams/{room.team_id}/meetings/{room.meeting_id}/live", headers=ACCEPT)
    assert page.headers["Content-Encoding"] == "br"
    html = brotli.decompress(page.get_data()).decode()
    assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html)))
    assert len(assets) >= 4  # stylesheet, htmx, its SSE extension, our script
    total = wire_bytes(page) + sum(wire_bytes(phone.get(url, headers=ACCEPT)) for url in assets)
    assert total < 60_000, total


# The changes of a meeting, through the app's own routes: (change, who makes it, path, form)
CHANGES = [("a bell ring", "ringer", "/bell", {"reason": "over_time"}),
           ("the bell seen", "chair", "/run/bell/ack", {}),
           ("pause", "chair", "/run/clock", {"kind": "toggle"}),
           ("resume", "chair", "/run/clock", {"kind": "toggle"}),
           ("+2 minutes", "chair", "/run/clock", {"kind": "extend"}),
           ("a decision", "chair", "/run/items/{item}/decide", {"answer": "Yes", "outcome": "continue_adjusted",
                                                                 "decision": "We call the GP today.",
                                                                "needs_met": "yes"}),
           ("next item", "chair", "/run/next", {})]


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("kind", ["phone", "console"])
def test_each_live_update_is_under_5_kb(app, room, kind, language):
    """A live update is what one change sends one screen: the sum of the events it pushes (the stream is never
    compressed). The re-sync on connect carries every part and is not an update; it is measured, not bounded."""
    people = {"chair": logged_in(app, room.chair), "ringer": logged_in(app, room.members[1])}
    screen = people["chair"] if kind == "console" else logged_in(app, room.members[0])
    base = f"/teams/{room.team_id}/meetings/{room.meeting_id}"
    response = screen.get(base + ("/run/stream" if kind == "console" else "/stream"), buffered=False,
                          headers=ACCEPT | {"Accept-Language": language})
    assert "Content-Encoding" not in response.headers
    chunks = response.response
    assert next(chunks).startswith(b"retry:")
    sizes = {"re-sync": len(next_update(chunks))}
    for change, who, path, form in CHANGES:
        assert elsewhere(people[who], base + path.format(item=room.item_ids[0]), form).status_code == 200, change
        sent = next_update(chunks)
        sizes[change] = len(sent)
    response.close()
    print(f"{kind} ({language}), bytes per screen: {sizes}")
    assert b"Item 2: continue" in sent and b"countdown" in sent  # the decision and the next item went through
    updates = {change: size for change, size in sizes.items() if change != "re-sync"}
    assert max(updates.values()) < 5_000, updates


def test_the_event_stream_is_never_compressed_or_buffered(app, room):
    phone = logged_in(app, room.members[0])
    response = phone.get(f"/teams/{room.team_id}/meetings/{room.meeting_id}/stream", buffered=False, headers=ACCEPT)
    assert response.mimetype == "text/event-stream"
    assert "Content-Encoding" not in response.headers and response.headers["X-Accel-Buffering"] == "no"
    assert next(response.response).startswith(b"retry:")  # plain text, readable at once
    response.close()


def test_static_files_are_versioned_and_kept_for_a_year(app, room):
    phone = logged_in(app, room.members[0])
    html = phone.get(f"/teams/{room.team_id}/meetings/{room.meeting_id}/live").text
    script = re.search(r'src="(/static/belletje\.js\?v=[0-9a-f]{12})"', html).group(1)
    response = phone.get(script, headers=ACCEPT)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "br"
    assert b"fillTokens" in brotli.decompress(response.get_data())
    unversioned = phone.get("/static/belletje.js")
    unversioned.close()
    assert "immutable" not in unversioned.headers.get("Cache-Control", "")


def test_pages_are_compressed_only_for_browsers_that_accept_it(app, room):
    phone = logged_in(app, room.members[0])
    url = f"/teams/{room.team_id}/meetings/{room.meeting_id}/live"
    assert phone.get(url, headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    plain = phone.get(url)
    assert "Content-Encoding" not in plain.headers and "<html" in plain.text
    assert "Accept-Encoding" in plain.headers["Vary"]
