"""Dutch everywhere, including what the app stores: on the demo team, after a weekly meeting and a complex-case session
have run to their end through the app's own routes, every page a Dutch member, chair and manager can open (every GET
rule of the app, with the demo's ids) shows none of the English the app itself writes, and no number with a decimal
point."""
import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.support import Translations

from meeting.core import budget, closing, consultation, evaluations, handover, items, planning, session, teams
from meeting.core.access_log import ACCESS_ACTIONS
from meeting.core.i18n import GENERATED
from meeting.ops.demo import DEMO_PASSWORD, build_demo, demo_email
from tests.conftest import Browser, today

HX = {"HX-Request": "true"}
DUTCH = Translations.load(str(Path(__file__).resolve().parent.parent / "meeting" / "translations"), ["nl"])
# What the app writes itself: generated titles and reasons, step names, outcomes, states, roles, access-log events.
APP_TEXTS = [handover.ANNOUNCEMENT_TITLE, handover.ANNOUNCEMENT_NEED, planning.DUE_REVIEW_TITLE,
             planning.DUE_REVIEW_NEED,
             *evaluations.PROMPTS.values(), *session.STEP_NAMES.values(), closing.NOT_REACHED,
             planning.REASON_OVER_ACUTE_BUDGET, planning.REASON_OVER_REGULAR_BUDGET,
             planning.REASON_ANNOUNCEMENTS_OVER_BUDGET, *budget._SPENT.values(), *budget._OUT_OF_ORDER.values(),
             consultation.ANSWER_TITLE, *closing.OUTCOMES.values(), *closing.ANNOUNCEMENT_OUTCOMES.values(),
             *closing.EXEMPLARY_SITUATIONS.values(), *closing.WORDED_BY.values(), *teams.ROLES.values(),
             *ACCESS_ACTIONS.values(), *items.ITEM_STATES.values(), *items.MEETING_STATES.values(),
             *handover.STATUSES.values(), *handover.POINT_NAMES.values()]
FILE_NAMES = ("minutes", "complex-case-session", "summary", "overdue", "milestones", "clinicians", "meetings", "items",
              "trend")
# A number with a decimal point: digits, a point, digits, not part of a longer dotted run (an IP address, a date) and
# not a Dutch group of thousands ("2.000").
DECIMAL_POINT = re.compile(r"(?<![\d.])\d+\.(?!\d{3}\b)\d+(?![\d.])")
# A planned length or a budget written as minutes:seconds reads as a time of day ("gepland 10:00").
CLOCK_LIKE_LENGTH = re.compile(r"\b(?:gepland|budget|van)\s+\d{1,3}:\d{2}\b")
SHOWN_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
SKIPPED = ("static", "auth.", "run.stream", "run.session_stream", "live.stream", "live.session_stream")


def english(message: str) -> re.Pattern:
    """The English words of an app text, its placeholders matching any value."""
    pieces = re.split(r"%\(\w+\)s", message)
    return re.compile(r"\b" + ".+?".join(re.escape(piece) for piece in pieces) + (r"\b" if message[-1].isalnum()
                                                                                  else ""))


PHRASES = {message: english(message) for message in APP_TEXTS if DUTCH.ugettext(message) != message}


def shown_text(body: str) -> str:
    """What a reader sees or hears of a page: its text without scripts and tags, and its labelling attributes."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    labels = " ".join(SHOWN_ATTRIBUTES.findall(body))
    return html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + labels)


def dutch_user(app, local_part: str) -> Browser:
    """A demo user logged in who chose Dutch on the account page."""
    user = Browser(app.test_client())
    assert user.login(demo_email(local_part), DEMO_PASSWORD).status_code == 302
    assert user.post("/account/language", {"locale": "nl"}).status_code == 302
    return user


@pytest.fixture
def ran(app, db):
    """The demo after its coming meeting ran to its end (a due review decided with external consultation and an action,
    another not reached, the handovers' announcements approved) and a complex-case session ran to its closing."""
    team_id = build_demo(db, today())
    chair, member, manager = (dutch_user(app, name) for name in ("voorzitter", "psychiater", "manager"))
    member_id = db.execute("SELECT id FROM users WHERE email = ?", [demo_email("psychiater")]).fetchone()[0]
    meeting_id = db.execute("""SELECT i.meeting_id FROM items i JOIN meetings m ON m.id = i.meeting_id
        WHERE i.handover_id IS NOT NULL AND m.state = 'planned' ORDER BY m.starts_at LIMIT 1""").fetchone()[0]
    due = [r[0] for r in db.execute("""SELECT id FROM clients WHERE team_id = ? AND clinician_id = ?
        AND status = 'active' AND last_evaluation IS NOT NULL ORDER BY last_evaluation LIMIT 2""",
                                    [team_id, member_id])]
    meeting = f"/teams/{team_id}/meetings/{meeting_id}"
    for client_id in due:
        assert chair.post(f"{meeting}/plan/due/{client_id}", headers=HX).status_code == 200
    run = meeting + "/run"
    chair.post(run + "/start", headers=HX)
    chair.post(run + "/phase", {"phase": "consent"}, headers=HX)
    chair.post(run + "/consent", headers=HX)
    chair.post(run + "/phase", {"phase": "items"}, headers=HX)
    chair.post(run + "/next", headers=HX)
    current = db.execute("SELECT current_item_id FROM meetings WHERE id = ?", [meeting_id]).fetchone()[0]
    decided = chair.post(f"{run}/items/{current}/decide", {
        "answer": "Nog niet: eerst advies van buiten", "outcome": "consultation", "decision": "Vraag het CCE om advies",
        "needs_met": "partly", "continuation_answer": "Het herstel stokt", "colleague_invited": "yes",
        "consultation_question": "Hoe doorbreken we het patroon?", "consultation_asked_of": "CCE",
        "action-0-description": "Aanvraag CCE indienen", "action-0-owner": str(member_id),
        "action-0-due": (today() + timedelta(days=14)).isoformat()})
    assert decided.status_code == 302, decided.text
    assert chair.post(run + "/end").status_code == 302
    asked = db.execute("SELECT id FROM consultations WHERE team_id = ?", [team_id]).fetchone()[0]
    assert member.post(f"/teams/{team_id}/consultations/{asked}/answer",
                       {"answer": "Werk met een signaleringsplan", "need": "Wat doen we ermee?"}).status_code == 302
    session_id = ran_session(db, chair, team_id, member_id)
    return {"team": team_id, "meeting": meeting_id, "session": session_id, "member": member_id,
            "users": {"member": member, "chair": chair, "manager": manager}}


def ran_session(db, chair: Browser, team_id: int, member_id: int) -> int:
    """A complex-case session planned, run step by step, closed with its decision (an action for the member), ended."""
    reference = db.execute("SELECT reference FROM clients WHERE team_id = ? AND clinician_id = ? AND status = 'active'"
                           " ORDER BY treatment_start LIMIT 1", [team_id, member_id]).fetchone()[0]
    planned = chair.post(f"/teams/{team_id}/sessions/new", {
        "client_reference": reference, "day": (today() + timedelta(days=2)).isoformat(), "time": "14:00",
        "presenter_id": str(member_id), "external_colleague": "Dr. Q, CCE"})
    assert planned.status_code == 302, planned.text
    session_id = db.execute("SELECT max(id) FROM meetings WHERE kind = 'complex_case'").fetchone()[0]
    url = f"/teams/{team_id}/sessions/{session_id}"
    chair.post(url + "/run/start", headers=HX)
    for _ in range(3):
        chair.post(url + "/run/next", headers=HX)
    decided = chair.post(url + "/decide", {
        "outcome": "continue_adjusted", "decision": "Doorgaan met bijgestelde doelen", "needs_met": "yes",
        "continuation_answer": "Werk en wonen zijn nog niet stabiel", "exemplary_situation": "self_neglect",
        "action-0-description": "Terugvalpreventieplan opstellen", "action-0-owner": str(member_id),
        "action-0-due": (today() + timedelta(days=21)).isoformat()})
    assert decided.status_code == 302, decided.text
    chair.post(url + "/run/next", headers=HX)
    assert chair.post(url + "/run/end").status_code == 302
    return session_id


def urls(app, db, ids: dict) -> list[str]:
    """Every GET rule of the app with each fitting id of the demo (no stream, no sign-in page, no static file)."""
    team, meeting, session_id = ids["team"], ids["meeting"], ids["session"]
    weekly = [meeting, *(r[0] for r in db.execute("""SELECT id FROM meetings WHERE team_id = ? AND kind = 'weekly'
        AND (starts_at > (SELECT starts_at FROM meetings WHERE id = ?) OR state = 'closed') ORDER BY starts_at DESC
        LIMIT 2""", [team, meeting]))]
    pairs = db.execute(f"""SELECT meeting_id, id FROM items WHERE meeting_id IN ({', '.join('?' * len(weekly))})
        AND (title LIKE ? OR deferred_reason IS NOT NULL OR id IN (SELECT item_id FROM decisions)) ORDER BY id DESC
        LIMIT 12""", [*weekly, GENERATED + "%"]).fetchall()
    values = {"team_id": [team], "meeting_id": weekly, "session_id": [session_id], "item_id": [p[1] for p in pairs],
              "handover_id": [r[0] for r in db.execute("SELECT id FROM handovers WHERE team_id = ?", [team])],
              "client_id": [r[0] for r in db.execute("SELECT client_id FROM handovers WHERE team_id = ?", [team])],
              "table": ["summary", "overdue", "milestones", "clinicians", "meetings", "items", "trend"],
              "user_id": [ids["member"]]}
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(SKIPPED) or "token" in rule.arguments:
            continue
        combos = [{}]
        for name in sorted(rule.arguments):
            choices = [session_id] if name == "meeting_id" and "/sessions/" in rule.rule else values[name]
            combos = [dict(c, **{name: v}) for c in combos for v in choices]
        if {"meeting_id", "item_id"} <= rule.arguments:
            combos = [c for c in combos if (c["meeting_id"], c["item_id"]) in pairs]
        found += [rule.build(c)[1] for c in combos]
    return found


def test_a_dutch_team_sees_no_english_the_app_wrote_and_no_decimal_point(app, db, ran):
    pages, seen = urls(app, db, ran), {}
    assert len(pages) > 80
    for role, user in ran["users"].items():
        for url in pages:
            response = user.get(url)
            assert response.status_code < 500, (role, url)
            body = response.get_data(as_text=True)
            assert GENERATED not in body and "\\u001e" not in body, (role, url)  # never the stored form
            text = shown_text(body) if response.mimetype == "text/html" else body
            english_found = [message for message, pattern in PHRASES.items() if pattern.search(text)]
            assert not english_found, (role, url, english_found)
            name = response.headers.get("Content-Disposition", "")
            assert not [word for word in FILE_NAMES if re.search(rf"[\"'-]{word}[-.]", name)], (role, url, name)
            if response.mimetype in ("text/html", "text/markdown"):  # a CSV or calendar is read by a program first
                assert not DECIMAL_POINT.findall(text), (role, url, DECIMAL_POINT.findall(text))
                assert not CLOCK_LIKE_LENGTH.findall(text), (role, url, CLOCK_LIKE_LENGTH.findall(text))
            seen[(role, url)] = text
    everything = " ".join(seen.values())
    # not vacuous: what the app generated is on these pages, in Dutch, and so is a number with a decimal comma
    for dutch in ("Overdracht FN-", "Het team volgt de overdracht", "maanden in behandeling",
                  "Niet aan bod gekomen in het MDO", "Antwoord extern consult:", "Handelingsopties verkennen · FN-",
                  "Casusbespreking"):
        assert dutch in everything, dutch
    assert re.search(r"\d,\d", seen[("manager", f"/teams/{ran['team']}/dashboard")])


def test_what_the_app_stored_shows_in_english_to_an_english_reader(db, ran):
    """The same rows, read by a member who chose English: stored as message ids, not in the chair's Dutch."""
    member = ran["users"]["member"]
    assert member.post("/account/language", {"locale": "en"}).status_code == 302
    team, meeting = ran["team"], ran["meeting"]
    pages = " ".join(shown_text(member.get(url).get_data(as_text=True)) for url in (
        f"/teams/{team}/", f"/teams/{team}/meetings/{meeting}/minutes", f"/teams/{team}/meetings"))
    pages += member.get(f"/teams/{team}/meetings/{meeting}/minutes.md").get_data(as_text=True)
    for words in ("Not reached in the meeting", "Handover FN-", "months in treatment)", "Options for action · FN-"):
        assert words in pages, words
    for words in ("Niet aan bod gekomen", "Overdracht FN-", "maanden in behandeling", "Handelingsopties verkennen"):
        assert words not in pages, words


def test_a_presenter_who_keeps_a_generated_title_keeps_it_generated_and_what_they_change_is_theirs(as_user, world, db):
    """The due review the chair added, edited by its presenter in Dutch: the title left as shown stays a message id
    (an English colleague still reads it in English); the need the presenter rewrote is stored as typed."""
    chair, member = as_user("chair.a@example.org"), as_user("member.a@example.org")
    team, meeting = world["team_a"], world["meeting_a"]
    assert chair.post(f"/teams/{team}/meetings/{meeting}/plan/due/{world['client_a']}", headers=HX).status_code == 200
    item_id, stored_title = db.execute("SELECT id, title FROM items WHERE meeting_id = ? ORDER BY id DESC LIMIT 1",
                                       [meeting]).fetchone()
    member.post("/account/language", {"locale": "nl"})
    form = member.get(f"/teams/{team}/items/{item_id}/edit").text
    title = html.unescape(re.search(r'id="title" name="title" maxlength="120" value="([^"]*)"', form).group(1))
    assert title.startswith("Bespreking A-001 (") and title.endswith("maanden in behandeling)")
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    response = member.post(f"/teams/{team}/items/{item_id}/edit", {
        "version": version, "meeting_id": str(meeting), "track": "regular", "label": "question",
        "client_reference": "A-001", "title": title, "need": "Doorgaan of afschalen?", "minutes": "10"})
    assert response.status_code == 302, response.text
    assert db.execute("SELECT title, need FROM items WHERE id = ?", [item_id]).fetchone() == (
        stored_title, "Doorgaan of afschalen?")
