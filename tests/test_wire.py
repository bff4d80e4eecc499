"""What goes over the wire: compressed pages and assets, versioned static files cached for a year, a light
phone, small live updates, and an event stream that is never compressed or buffered."""
import re

import brotli
import pytest

from meeting.ops.rehearsal import build_room
from tests.conftest import Browser

ACCEPT = {"Accept-Encoding": "gzip, deflate, br"}
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


def first_panel_event(user_agent, url) -> str:
    response = user_agent.get(url, buffered=False, headers=ACCEPT)
    try:
        assert "Content-Encoding" not in response.headers
        return next(chunk for chunk in response.response if chunk.startswith(b"event: panel")).decode()
    finally:
        response.close()


def test_the_phone_loads_in_under_60_kb_on_the_wire(app, room):
    phone = logged_in(app, room.members[0])
    page = phone.get(f"/teams/{room.team_id}/meetings/{room.meeting_id}/live", headers=ACCEPT)
    assert page.headers["Content-Encoding"] == "br"
    html = brotli.decompress(page.get_data()).decode()
    assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html)))
    assert len(assets) >= 4  # stylesheet, htmx, its SSE extension, our script
    total = wire_bytes(page) + sum(wire_bytes(phone.get(url, headers=ACCEPT)) for url in assets)
    assert total < 60_000, total


@pytest.mark.xfail(strict=True, reason="open in issue 13: the panels grew with the prepared story (issue 11) and "
                   "the accessible badges (issue 15) to 8.3 KB (phone) and 6.8 KB (console); the next step is to "
                   "push the agenda list apart from the current item, only when it changed")
@pytest.mark.parametrize("kind", ["phone", "console"])
def test_each_live_update_is_under_5_kb(app, room, kind):
    who = room.chair if kind == "console" else room.members[0]
    stream = "/run/stream" if kind == "console" else "/stream"
    event = first_panel_event(logged_in(app, who), f"/teams/{room.team_id}/meetings/{room.meeting_id}{stream}")
    assert "countdown" in event and len(event.encode()) < 5_000, len(event.encode())


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
