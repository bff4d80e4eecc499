"""Faults and hostile input in a real browser: a server killed mid-item, and script in stored text."""
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from http.cookiejar import CookieJar

from playwright.sync_api import expect

from meeting.core.items import ItemInput
from meeting.store import items as item_store
from meeting.store.audit import Actor
from meeting.store.db import connect

from .conftest import CHAIR, DEMO_PASSWORD, MEMBER
from .test_live_meeting import (
    _add_meeting,
    _bring_in,
    _meeting_with_open_item,
    _open_phone,
    _remaining_now,
    _through_opening_phases,
    _unique,
)

MEMBER2 = "vp2@fact-noord.example"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RECOVERY_BUDGET_MS = 30_000


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Chair:
    """The chair's second window, over plain HTTP: posts decisions and knows which ones the server confirmed."""

    def __init__(self, base_url: str, email: str = CHAIR):
        self.base, self.jar = base_url, CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.post("/login", {"email": email, "password": DEMO_PASSWORD})

    def post(self, path: str, fields: dict) -> int:
        token = CSRF.search(self.opener.open(self.base + "/login", timeout=5).read().decode()).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def _add_questions(db_path, meeting_id: int, count: int) -> list[int]:
    """Acute questions on the meeting, written by another process as the planner would."""
    db = connect(db_path)
    presenter = db.execute("SELECT id FROM users WHERE email = ?", [MEMBER2]).fetchone()[0]
    ids = [item_store.add_item(db, Actor(None), 1, meeting_id, presenter, ItemInput(
        "acute", "question", None, f"Question {n}", "An answer", "", "", "", "", 2)) for n in range(count)]
    db.close()
    return ids


def test_a_server_killed_mid_item_loses_no_decision_and_every_screen_recovers(
        projector, phone, new_context, login, live_server, restart_server):
    chair = login(projector.new_page(), CHAIR)
    title = _unique("Aggression on the ward")
    meeting_id, _ = _meeting_with_open_item(chair, new_context("phone"), login, "08:07",
                                            [(title, "Is the safety plan still right?")])
    member = login(phone.new_page(), MEMBER)
    _open_phone(member, meeting_id)
    questions = _add_questions(live_server.db_path, meeting_id, 12)
    confirmed, stop = [], threading.Event()
    writer = Chair(live_server.url)

    def write_decisions():
        for item_id in questions:
            if stop.is_set():
                return
            try:
                status = writer.post(f"/teams/1/meetings/{meeting_id}/run/items/{item_id}/decide", {"answer": "Yes"})
            except OSError:  # the server is gone: this one is not confirmed
                continue
            if status == 302:
                confirmed.append(item_id)
            time.sleep(0.1)

    chair.wait_for_timeout(1000)
    thread = threading.Thread(target=write_decisions)
    thread.start()
    deadline = time.monotonic() + 20
    while len(confirmed) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    before = _remaining_now(chair)
    live_server.kill()  # mid-item, while decisions are being written
    stop.set()
    thread.join(15)
    assert len(confirmed) >= 4, confirmed
    live_server.start()

    with closing(sqlite3.connect(live_server.db_path)) as db:
        decided = {r[0] for r in db.execute("SELECT item_id FROM decisions WHERE meeting_id = ?", [meeting_id])}
    assert set(confirmed) <= decided, f"confirmed but lost: {sorted(set(confirmed) - decided)}"

    # the screens reconnect by themselves (no reload by the test): a bell after the restart reaches both
    assert Chair(live_server.url).post(f"/teams/1/meetings/{meeting_id}/bell", {}) in (200, 302)
    expect(chair.locator("#bell.ringing")).to_be_visible(timeout=RECOVERY_BUDGET_MS)
    expect(member.locator(f"#phone-item-{confirmed[0]} .item-state")).to_have_text(re.compile("decided", re.I),
                                                                                   timeout=RECOVERY_BUDGET_MS)

    # and the clock went on where it was: the server's stored events, not the browser, keep time
    after = _remaining_now(chair)
    elapsed = (after["now"] - before["now"]) / 1000
    assert after["status"] == "running"
    assert abs(after["remaining"] - (before["remaining"] - elapsed)) <= 2.0, (before, after, elapsed)
    expect(chair.locator("#current-item h1.item-title")).to_have_text(title)


def test_script_in_an_item_never_runs_on_any_screen(projector, phone, new_context, login):
    chair = login(projector.new_page(), CHAIR)
    meeting_id = _add_meeting(chair, "08:11")
    presenter = login(new_context("phone").new_page(), MEMBER2)
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
    _bring_in(presenter, meeting_id, hostile, hostile)
    dialogs = []
    for page in (chair, presenter):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    member = login(phone.new_page(), MEMBER)
    member.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    pages = [(presenter, f"/teams/1/meetings/{meeting_id}/"), (chair, f"/teams/1/meetings/{meeting_id}/plan"),
             (chair, f"/teams/1/meetings/{meeting_id}/run"), (member, f"/teams/1/meetings/{meeting_id}/live")]
    for page, url in pages:
        page.goto(url)
        if not url.endswith("/live"):  # the phone shows items once the meeting runs
            expect(page.get_by_text(hostile).first).to_be_visible()  # shown as the text it is
        assert page.evaluate("window.__pwned") is None, url
    _through_opening_phases(chair)  # start; the look back and the consent block when not empty
    chair.locator("#next-item").click()
    expect(member.locator("#phone-state .item-title")).to_have_text(hostile)  # pushed live, still as text
    for page, _url in pages:
        assert page.evaluate("window.__pwned") is None
    assert dialogs == []
