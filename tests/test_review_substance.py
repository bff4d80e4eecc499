"""The review's substance through the web: the preparation on every screen, the evaluation with the client at
the decision and in the minutes and dashboard, logged reads of colleagues' stories, a finish approved in the
consent block, and external consultations whose answers come back to the agenda."""
import re
from datetime import date, timedelta

import pytest

from meeting.core.i18n import plain
from meeting.store import clients as client_store
from meeting.store import now

HX = {"HX-Request": "true"}


def team_today() -> date:
    return now.team_today("Europe/Amsterdam")


def urls(world) -> dict:
    team, meeting = world["team_a"], world["meeting_a"]
    return {"run": f"/teams/{team}/meetings/{meeting}/run", "live": f"/teams/{team}/meetings/{meeting}/live",
            "minutes": f"/teams/{team}/meetings/{meeting}/minutes", "new": f"/teams/{team}/items/new",
            "edit": f"/teams/{team}/items/{world['item_a']}/edit", "dashboard": f"/teams/{team}/dashboard",
            "story": f"/teams/{team}/items/{world['item_a']}/story",
            "decide": f"/teams/{team}/meetings/{meeting}/run/items/{world['item_a']}/decide"}


def prepared(world, **changes) -> dict:
    """The edit form of team A's regular review (item_a, presented by member.a), fully prepared."""
    evaluated = (team_today() - timedelta(days=20)).isoformat()
    return {"version": "1", "meeting_id": str(world["meeting_a"]), "track": "regular", "label": "question",
            "client_reference": "A-001", "title": "Continue or step down?", "need": "Do we step down to the GP?",
            "input_from": ["psychiatrist", f"user:{world['chair_a']}"], "input_kind": "second_opinion",
            "current_state": "Stable for ten months; work is what is stuck.",
            "request_and_start": "Referred after a first psychosis.", "evaluated_with_client_on": evaluated,
            "relatives_invited": "yes", "relatives_present": "no", "client_view": "Wants to find work.",
            "rom_done": "yes", "rom_personal": "better", "rom_social": "same", "minutes": "10"} | changes


@pytest.fixture
def member(as_user, world):
    """member.a, who has prepared item_a in full."""
    member = as_user("member.a@example.org")
    response = member.post(urls(world)["edit"], prepared(world))
    assert response.status_code == 302, response.text
    return member


def open_item(as_user, world):
    chair = as_user("chair.a@example.org")
    for step in ("/start", "/consent", "/next"):
        chair.post(urls(world)["run"] + step, headers=HX)
    return chair


def test_the_item_form_keeps_whose_input_and_the_prepared_evaluation(member, world, db):
    row = db.execute("SELECT input_from, input_kind, evaluation_prep FROM items WHERE id = ?",
                     [world["item_a"]]).fetchone()
    assert row[0] == f"psychiatrist,user:{world['chair_a']}" and row[1] == "second_opinion"
    assert '"rom_personal": "better"' in row[2] and '"relatives_invited": "yes"' in row[2]
    form = member.get(urls(world)["edit"]).text
    assert re.search(r'value="psychiatrist" checked', form) and re.search(rf'value="user:{world["chair_a"]}" checked',
                                                                          form)
    assert re.search(r'name="rom_personal" value="better" aria-label="[^"]+" checked', form)
    assert "50 of 500 characters" not in form and "26 of 500 characters" in form  # the need's live count


def test_a_refused_preparation_saves_nothing_and_says_why(member, world, db):
    response = member.post(urls(world)["edit"], prepared(world, version="2", input_from=["user:99999"],
                                                           evaluated_with_client_on="2999-01-01"))
    assert response.status_code == 400
    assert "Choose disciplines and colleagues of your team." in response.text
    assert "This date lies in the future." in response.text
    assert db.execute("SELECT version FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == 2


def test_the_current_item_shows_its_preparation_on_the_projector_and_the_phones(member, as_user, world):
    chair = open_item(as_user, world)
    panel = chair.get(urls(world)["run"] + "/panel", headers=HX).text
    assert 'id="projector-whose-input"' in panel and "from psychiatrist, chair a" in panel
    assert "A second opinion" in panel and "Stable for ten months; work is what is stuck." in panel
    assert 'id="projector-story-full"' in panel and "Referred after a first psychosis." not in panel  # fetched on S
    whole = chair.get(urls(world)["run"] + f"/items/{world['item_a']}/story", headers=HX).text
    assert "Referred after a first psychosis." in whole and "Stable for ten months" in whole and "<html" not in whole
    assert member.get(urls(world)["run"] + f"/items/{world['item_a']}/story").status_code == 403  # the chair's screen
    phone = member.get(urls(world)["live"] + "/panel", headers=HX).text
    assert 'id="phone-need"' in phone and "Do we step down to the GP?" in phone
    assert "from psychiatrist, chair a" in phone and "Stable for ten months" in phone


def test_the_decision_records_the_evaluation_with_the_client_in_minutes_and_dashboard(member, as_user, world, db):
    manager = as_user("manager.a@example.org")
    before = manager.get(urls(world)["dashboard"]).text
    assert 'id="evaluated-with-client">0%<' in before and 'id="with-client-overdue">1<' in before
    chair = open_item(as_user, world)
    form = chair.get(urls(world)["decide"]).text
    assert 'id="decision-story"' in form and "Stable for ten months" in form
    evaluated = (team_today() - timedelta(days=20)).isoformat()
    assert f'name="evaluated_with_client_on" type="date" value="{evaluated}"' in form  # as prepared

    response = chair.post(urls(world)["decide"], {
        "answer": "Not yet: IPS first.", "outcome": "continue_adjusted", "decision": "IPS for three months.",
        "needs_met": "yes", "continuation_answer": "Work is the goal left.", "colleague_invited": "yes",
        "evaluated_with_client_on": evaluated, "relatives_invited": "yes", "relatives_present": "no",
        "client_view": "Wants to find work.", "rom_done": "yes", "rom_personal": "better", "rom_social": "same",
        "somatic_screening_on": (team_today() - timedelta(days=60)).isoformat(), "agreements": "Nurse: IPS referral."})
    assert response.status_code == 302, response.text
    row = db.execute("""SELECT evaluated_on, relatives_invited, rom_personal, rom_symptomatic, clinician_id, client_id
        FROM client_evaluations WHERE item_id = ?""", [world["item_a"]]).fetchone()
    assert row == (evaluated, "yes", "better", None, world["member_a"], world["client_a"])
    assert db.execute("SELECT count(*) FROM access_log WHERE action = 'client-evaluation' AND client_id = ?",
                      [world["client_a"]]).fetchone()[0] == 1

    minutes = chair.get(urls(world)["minutes"]).text
    assert "Treatment plan evaluated with the client on" in minutes
    assert "Relatives invited: Yes; came: No" in minutes and "Personal recovery ↑" in minutes
    assert "Stable for ten months; work is what is stuck." in minutes and "from psychiatrist, chair a" in minutes
    markdown = chair.get(urls(world)["minutes"] + ".md").text
    assert "Personal recovery ↑" in markdown and "Current state of the treatment: Stable for ten months" in markdown

    after = manager.get(urls(world)["dashboard"]).text
    assert 'id="evaluated-with-client">100%<' in after and 'id="with-client-overdue">0<' in after
    assert "member a" in after.split('id="with-client-per-clinician"')[1]


def test_a_future_evaluation_date_keeps_the_item_open(member, as_user, world, db):
    chair = open_item(as_user, world)
    response = chair.post(urls(world)["decide"], {
        "answer": "Yes", "outcome": "continue_adjusted", "decision": "Go on.", "needs_met": "yes",
        "continuation_answer": "Still needed.", "colleague_invited": "no", "evaluated_with_client_on": "2999-01-01"})
    assert response.status_code == 400 and "This date lies in the future." in response.text
    assert db.execute("SELECT state FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == "planned"
    assert db.execute("SELECT count(*) FROM client_evaluations").fetchone()[0] == 0


def test_reading_a_colleagues_story_from_the_agenda_is_logged_per_read(member, as_user, world, db):
    chair = as_user("chair.a@example.org")
    agenda = chair.get(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/").text
    assert "Read the preparation" in agenda and "Stable for ten months" not in agenda
    fragment = chair.hx(urls(world)["story"] + "/fragment")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert f'id="story-{world["item_a"]}"' in fragment.text and "Stable for ten months" in fragment.text
    assert "Personal recovery" in fragment.text
    assert "A-001" in chair.get(urls(world)["story"]).text
    reads = db.execute("SELECT user_id, client_id, detail FROM access_log WHERE action = 'story-read'").fetchall()
    assert reads == [(world["chair_a"], world["client_a"], f"item={world['item_a']}")] * 2
    assert as_user("manager.a@example.org").get(urls(world)["story"]).status_code == 403
    db.execute("UPDATE items SET state = 'withdrawn' WHERE id = ?", [world["item_a"]])
    assert chair.get(urls(world)["story"]).status_code == 404


def test_a_finish_approved_in_the_consent_block_is_an_evaluation_and_leaves_the_active_count(as_user, world, db):
    member = as_user("member.a@example.org")
    evaluated = (team_today() - timedelta(days=5)).isoformat()
    response = member.post(urls(world)["new"], {
        "meeting_id": str(world["meeting_a"]), "track": "regular", "label": "announcement", "client_reference": "A-001",
        "title": "Treatment finishes", "need": "Please approve.", "proposed_outcome": "finish",
        "evaluated_with_client_on": evaluated, "relatives_invited": "yes", "rom_done": "yes", "rom_personal": "better"})
    assert response.status_code == 302, response.text
    item_id = db.execute("SELECT id FROM items WHERE title = 'Treatment finishes'").fetchone()[0]
    assert client_store.count_active(db, world["team_a"]) == 1
    chair = as_user("chair.a@example.org")
    chair.post(urls(world)["run"] + "/start", headers=HX)
    chair.post(urls(world)["run"] + "/phase", {"phase": "consent"}, headers=HX)
    chair.post(urls(world)["run"] + "/consent", headers=HX)

    decision = db.execute("SELECT announcement_outcome, outcome FROM decisions WHERE item_id = ?", [item_id]).fetchone()
    assert decision == ("approved", "finish")
    assert db.execute("SELECT outcome, next_evaluation_on FROM evaluations WHERE item_id = ?",
                      [item_id]).fetchone() == ("finish", None)
    assert db.execute("SELECT status, finished_on FROM clients WHERE id = ?",
                      [world["client_a"]]).fetchone() == ("finished", team_today().isoformat())
    assert client_store.count_active(db, world["team_a"]) == 0
    assert db.execute("SELECT evaluated_on, rom_personal FROM client_evaluations WHERE item_id = ?",
                      [item_id]).fetchone() == (evaluated, "better")
    minutes = chair.get(urls(world)["minutes"]).text
    assert "Finish the treatment" in minutes and "Treatment plan evaluated with the client on" in minutes


def test_an_announced_finish_needs_a_regular_announcement_about_a_client(as_user, world, db):
    response = as_user("member.a@example.org").post(urls(world)["new"], {
        "meeting_id": str(world["meeting_a"]), "track": "acute", "label": "announcement", "title": "Finish?",
        "need": "Approve.", "proposed_outcome": "finish"})
    assert response.status_code == 400
    assert ("Only an announcement about a client&#39;s regular review can say that the treatment finishes."
            in response.text)


def test_consultation_is_asked_in_a_decision_and_its_answer_comes_back_as_an_item(member, as_user, world, db):
    chair = open_item(as_user, world)
    form = {"answer": "We ask outside.", "outcome": "consultation", "decision": "Ask the consultation centre.",
            "needs_met": "partly", "continuation_answer": "Stuck.", "colleague_invited": "no",
            "exemplary_situation": "self_neglect"}
    refused = chair.post(urls(world)["decide"], form)
    assert refused.status_code == 400 and "Say what you ask the consultant." in refused.text
    response = chair.post(urls(world)["decide"], form | {"consultation_question": "How do we reach her at home?",
                                                        "consultation_asked_of": "Centre for consultation"})
    assert response.status_code == 302, response.text
    assert db.execute("SELECT exemplary_situation FROM decisions WHERE item_id = ?",
                      [world["item_a"]]).fetchone()[0] == "self_neglect"  # a regular review may be tagged too
    consultation_id, answer_item = db.execute("SELECT id, answer_item_id FROM consultations WHERE item_id = ?",
                                              [world["item_a"]]).fetchone()
    assert answer_item is None

    page = member.get(f"/teams/{world['team_a']}/consultations")
    assert "How do we reach her at home?" in page.text and "A-001" in page.text
    answer_url = f"/teams/{world['team_a']}/consultations/{consultation_id}/answer"
    assert member.post(answer_url, {"answer": "", "need": "x"}).status_code == 400
    response = member.post(answer_url, {"answer": "Visit together with the GP; keep contact short and regular.",
                                        "need": "Do we follow the advice?"})
    assert response.status_code == 302
    item = db.execute("""SELECT i.title, i.label, i.track, i.client_id, i.presenter_id, i.current_state, i.state,
        m.state FROM consultations k JOIN items i ON i.id = k.answer_item_id JOIN meetings m ON m.id = i.meeting_id
        WHERE k.id = ?""", [consultation_id]).fetchone()
    assert (plain(item[0]), *item[1:6]) == ("Consultation answer: Continue or step down?", "issue", "regular",
                                            world["client_a"], world["member_a"],
                                            "Visit together with the GP; keep contact short and regular.")
    assert item[6] == "planned" and item[7] in ("planned", "frozen")
    again = member.post(answer_url, {"answer": "Another answer", "need": "x"}, follow_redirects=True)
    assert "This consultation has an answer already." in again.text
    assert db.execute("SELECT count(*) FROM access_log WHERE action = 'consultation-answer'").fetchone()[0] == 1
    minutes = chair.get(urls(world)["minutes"]).text
    assert "Asked of Centre for consultation: How do we reach her at home?" in minutes


def test_a_deferred_item_carries_its_preparation_to_the_next_meeting(member, as_user, world, db):
    chair = open_item(as_user, world)
    chair.post(urls(world)["run"] + f"/items/{world['item_a']}/defer", {"reason": "Psychiatrist absent"}, headers=HX)
    copy = db.execute("SELECT input_from, input_kind, evaluation_prep, current_state FROM items WHERE origin_item_id "
                      "= ?",
                      [world["item_a"]]).fetchone()
    original = db.execute("SELECT input_from, input_kind, evaluation_prep, current_state FROM items WHERE id = ?",
                          [world["item_a"]]).fetchone()
    assert copy == original and "rom_personal" in copy[2]


def test_every_new_control_has_its_own_accessible_name(member, as_user, world):
    """Radios of the same options ("Yes", "Better", "4") are told apart by their question."""
    form = member.get(urls(world)["edit"]).text
    labels = re.findall(r'aria-label="([^"]+)"', form.split('id="evaluation-with-client"')[1])
    assert len(labels) == len(set(labels)) == 2 + 2 + 2 + 3 * 4, labels
    assert "Relatives came? Yes" in labels and "Social recovery: direction Better" in labels
    chair = as_user("chair.a@example.org")
    chair.post(urls(world)["run"] + "/start")
    chair.post(urls(world)["run"] + "/end")
    rating = member.get(urls(world)["live"]).text
    scores = re.findall(r'<input type="radio" name="\w+" value="\d" aria-label="([^"]+)"', rating)
    assert len(scores) == len(set(scores)) == 20 and "Overall: 5" in scores


def test_the_consent_block_says_which_announcement_finishes_a_treatment(as_user, world, db):
    member = as_user("member.a@example.org")
    member.post(urls(world)["new"], {"meeting_id": str(world["meeting_a"]), "track": "regular", "label": "announcement",
                                     "client_reference": "A-001", "title": "Finishes", "need": "Approve.",
                                     "proposed_outcome": "finish"})
    agenda = member.get(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/").text
    assert "treatment finishes, client agrees" in agenda
    chair = as_user("chair.a@example.org")
    chair.post(urls(world)["run"] + "/start", headers=HX)
    chair.post(urls(world)["run"] + "/phase", {"phase": "consent"}, headers=HX)
    assert "treatment finishes, client agrees" in chair.get(urls(world)["run"] + "/panel").text
    assert "treatment finishes, client agrees" in member.get(urls(world)["live"] + "/panel").text
