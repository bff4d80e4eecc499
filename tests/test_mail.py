"""Mail between the meetings, through a real SMTP server (aiosmtpd on a local port), on a simulated clock."""
import re
import socket
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from meeting.core.clients import ClientInput
from meeting.core.session import DEFAULT_MINUTES
from meeting.ops import mail, reminders
from meeting.ops.demo import build_demo
from meeting.store import calendar, meeting_ratings, outbox
from meeting.store import clients as client_store
from meeting.store import items as item_store
from meeting.store import meetings as meeting_store
from meeting.store import reminders as reminder_store
from meeting.store import sessions as session_store
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.audit import Actor
from tests.conftest import PASSWORD, make_item

AMS = ZoneInfo("Europe/Amsterdam")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


@dataclass
class Inbox:
    """What the SMTP server received; addresses in `refuse` get a permanent error, in `busy` a temporary one
    as many times as the count says."""

    messages: list = field(default_factory=list)
    refuse: set = field(default_factory=set)
    busy: dict = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        if self.busy.get(address, 0) > 0:
            self.busy[address] -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str, kind: str | None = None) -> list:
        return [m for m in self.kind(kind) if m["To"] == address]

    def kind(self, kind: str | None) -> list:
        return [m for m in self.messages if kind is None or m["X-Belletje-Kind"] == kind]

    def __repr__(self) -> str:
        return repr([(m["X-Belletje-Kind"], m["To"]) for m in self.messages])

    def take(self) -> list:
        taken, self.messages[:] = list(self.messages), []
        return taken


def free_port() -> int:
    """A port nothing listens on (aiosmtpd 1.4's Controller cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, mail.MailSettings(host="127.0.0.1", port=controller.port, security="none",
                                   sender="belletje@ggz.example", base_url="https://belletje.ggz.example")
    controller.stop()


def run(db, settings, now: datetime) -> None:
    """One scheduler tick: queue what is due, then send (after the queueing committed)."""
    reminders.queue_reminders(db, settings, now.astimezone(ZoneInfo("UTC")))
    mail.deliver(db, settings, now.astimezone(ZoneInfo("UTC")))


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def html(message) -> str:
    return message.get_body(("html",)).get_content()


CLINICAL = ("FN-7731", "FN-7732", "FN-7734", "Suicidal thoughts after discharge", "Stable for months",
            "Relapse in alcohol use")


@pytest.fixture
def team(db):
    """Team Noord meeting on Thursday 1 April 2027 13:30 (after the DST change), deadline 24 h before.

    en (English) has a client due for review; nl (Dutch) an issue with nothing prepared; idle has neither;
    off turned the deadline reminder off; colleague belongs to another team and is invited to a session.
    """
    team_id = team_store.create_team(db, "FACT Noord")
    ids = {"team": team_id}
    for key, locale in (("en", "en"), ("nl", "nl"), ("idle", "nl"), ("off", "en"), ("chair", "nl")):
        ids[key] = user_store.create_user(db, f"{key}@ggz.example", f"Person {key}", PASSWORD)
        user_store.set_locale(db, ids[key], locale)
        team_store.set_role(db, team_id, ids[key], "chair" if key == "chair" else "member")
    other = team_store.create_team(db, "FACT Zuid")
    ids["colleague"] = user_store.create_user(db, "colleague@ggz.example", "Colleague", PASSWORD)
    team_store.set_role(db, other, ids["colleague"], "member")
    ids["client"], ids["client2"] = client_store.add_clients(db, Actor(None), team_id, [
        ClientInput("FN-7731", ids["en"], date(2026, 4, 20), None),
        ClientInput("FN-7732", ids["nl"], date(2027, 3, 1), None)])
    calendar.refresh_stale(db)
    team = team_store.get_team(db, team_id)
    ids["meeting"] = meeting_store.add_extra(db, team, local(2027, 4, 1, 13, 30))
    item_store.add_item(db, Actor(None), team_id, ids["meeting"], ids["nl"],
                        make_item(label="issue", title="Suicidal thoughts after discharge", current_state="",
                                  client_id=ids["client2"]))
    reminder_store.set_own_choices(db, ids["off"], {"deadline": "off"}, False)
    return ids


def assert_no_clinical_text(messages, words=CLINICAL):
    for message in messages:
        whole = f"{message['Subject']}\n{plain(message)}\n{html(message)}"
        for word in words:
            assert word.lower() not in whole.lower(), f"{word!r} in a mail: {message['Subject']}"


def test_the_deadline_reminder_reaches_the_concerned_a_day_before_once_in_their_language(db, smtp, team):
    inbox, settings = smtp
    run(db, settings, local(2027, 3, 29, 9, 0))
    run(db, settings, local(2027, 3, 30, 8, 59))  # the day before the deadline's day, before the reminder time
    assert inbox.kind("deadline") == []
    run(db, settings, local(2027, 3, 30, 9, 0))
    run(db, settings, local(2027, 3, 30, 9, 1))  # a second tick: nothing twice
    run(db, settings, local(2027, 3, 31, 9, 0))
    received = {m["To"]: m for m in inbox.kind("deadline")}
    assert len(received) == len(inbox.kind("deadline"))
    assert sorted(received) == ["en@ggz.example", "nl@ggz.example"]  # idle has nothing to bring, off said no
    english, dutch = received["en@ggz.example"], received["nl@ggz.example"]
    assert english["Subject"] == "Agenda closes Wednesday 31 March, 13:30: FACT Noord"
    assert "The agenda of the meeting of Thursday 1 April, 13:30 closes at Wednesday 31 March, 13:30." in plain(english)
    assert "You have a client due for a review at this meeting, or an item still to prepare." in plain(english)
    assert "https://belletje.ggz.example/teams/" in plain(english) and "FACT Noord, via Belletje" in plain(english)
    assert dutch["Subject"].startswith("Agenda sluit woensdag 31 maart, 13:30")
    assert "FACT Noord, via Belletje" in plain(dutch)
    assert 'href="https://belletje.ggz.example/teams/' in html(dutch)
    assert english["Auto-Submitted"] == "auto-generated"
    assert_no_clinical_text(inbox.messages)


def test_whoever_asked_for_it_always_gets_the_deadline_reminder(db, smtp, team):
    inbox, settings = smtp
    reminder_store.set_own_choices(db, team["idle"], {"deadline": "always"}, False)
    run(db, settings, local(2027, 3, 30, 9, 0))
    idle = inbox.to("idle@ggz.example", "deadline")
    assert len(idle) == 1 and "client due for a review" not in plain(idle[0])


def test_the_chairs_default_holds_until_a_person_chooses_otherwise(db, smtp, team):
    inbox, settings = smtp
    reminder_store.set_team_defaults(db, team["team"], {"deadline": "always"}, "10:30")
    reminder_store.set_own_choices(db, team["nl"], {"deadline": "off"}, False)
    run(db, settings, local(2027, 3, 30, 10, 29))
    assert inbox.kind("deadline") == []
    run(db, settings, local(2027, 3, 30, 10, 30))
    assert sorted(m["To"] for m in inbox.kind("deadline")) == ["chair@ggz.example", "en@ggz.example",
                                                               "idle@ggz.example"]


def test_nothing_arrives_in_the_quiet_hours_unless_chosen(db, smtp, team):
    """A Tuesday meeting: its deadline reminder falls on Sunday; it waits for Monday 08:00, except for who chose any
    time."""
    inbox, settings = smtp
    meeting = meeting_store.add_extra(db, team_store.get_team(db, team["team"]), local(2027, 4, 6, 13, 30))
    item_store.add_item(db, Actor(None), team["team"], meeting, team["en"], make_item(label="issue", current_state=""))
    reminder_store.set_own_choices(db, team["nl"], {"deadline": "always"}, True)
    run(db, settings, local(2027, 4, 4, 9, 0))  # Sunday
    assert [m["To"] for m in inbox.take()] == ["nl@ggz.example"]
    for moment in (local(2027, 4, 4, 18, 0), local(2027, 4, 5, 7, 59)):  # Sunday evening, Monday before eight
        run(db, settings, moment)
        assert inbox.messages == []
    run(db, settings, local(2027, 4, 5, 8, 0))
    assert [m["To"] for m in inbox.take()] == ["en@ggz.example"]
    run(db, settings, local(2027, 4, 5, 9, 0))
    assert inbox.kind("deadline") == []


def test_my_actions_due_before_the_next_meeting_two_days_before_it(db, smtp, team):
    inbox, settings = smtp
    db.execute("INSERT INTO decisions (item_id, meeting_id, decided_at) SELECT id, meeting_id, '2027-03-20' FROM items"
               " WHERE meeting_id = ?", [team["meeting"]])
    decision = db.execute("SELECT max(id) FROM decisions").fetchone()[0]
    for owner, due in ((team["en"], "2027-03-31"), (team["en"], "2027-04-01"), (team["nl"], "2027-04-20"),
                       (team["chair"], "2027-03-25")):
        db.execute("INSERT INTO actions (decision_id, team_id, description, owner_id, due_on) VALUES (?, ?, ?, ?, ?)",
                   [decision, team["team"], "Relapse in alcohol use: call FN-7731's GP", owner, due])
    reminder_store.set_own_choices(db, team["off"], {"deadline": "off"}, False)
    run(db, settings, local(2027, 3, 30, 8, 59))
    assert inbox.kind("actions") == []
    run(db, settings, local(2027, 3, 30, 9, 0))
    run(db, settings, local(2027, 3, 30, 12, 0))
    actions = inbox.kind("actions")
    received = {m["To"]: m for m in actions}
    assert sorted(received) == ["chair@ggz.example", "en@ggz.example"]  # nl's action is due after the meeting
    assert len(actions) == 2
    assert "Actions of yours due before the meeting of Thursday 1 April, 13:30: 2." in plain(received["en@ggz.example"])
    assert received["chair@ggz.example"]["Subject"] == "Jouw acties vóór het MDO van donderdag 1 april, 13:30"
    assert "Jouw acties met een uiterste datum vóór het MDO van donderdag 1 april, 13:30: 1." in plain(
        received["chair@ggz.example"])
    assert_no_clinical_text(inbox.messages)


def test_the_weekly_digest_of_evaluations_with_the_client_falling_due(db, smtp, team):
    inbox, settings = smtp
    reminder_store.set_own_choices(db, team["en"], {"deadline": "off"}, False)
    reminder_store.set_own_choices(db, team["nl"], {"deadline": "off"}, False)
    client_store.add_clients(db, Actor(None), team["team"],
                             [ClientInput("FN-7734", team["chair"], date(2026, 4, 10), None)])
    run(db, settings, local(2027, 3, 29, 8, 59))  # Monday, before the reminder time
    assert inbox.kind("evaluations") == []
    run(db, settings, local(2027, 3, 29, 9, 0))
    run(db, settings, local(2027, 3, 31, 10, 0))  # later that week: the digest is weekly
    digest = inbox.to("en@ggz.example", "evaluations")
    # FN-7731 started 20 April 2026: its evaluation with the client is due by 20 April 2027, within four weeks
    assert len(digest) == 1 and "within four weeks or overdue: 1." in plain(digest[0])
    assert not inbox.to("nl@ggz.example", "evaluations")  # FN-7732 started a month ago
    [dutch] = inbox.to("chair@ggz.example", "evaluations")
    assert dutch["Subject"] == "Evaluaties met de cliënt binnen vier weken"
    assert "binnen vier weken moet plaatsvinden of al te laat is: 1." in plain(dutch)
    inbox.take()
    run(db, settings, local(2027, 4, 5, 9, 0))  # the next Monday
    assert sorted(m["To"] for m in inbox.kind("evaluations")) == ["chair@ggz.example", "en@ggz.example"]
    assert_no_clinical_text(inbox.messages)


def test_minutes_when_the_meeting_ends_and_the_rating_reminder_to_who_did_not_rate(db, smtp, team):
    inbox, settings = smtp
    for key in ("en", "nl", "off"):
        reminder_store.set_own_choices(db, team[key], {"deadline": "off"}, False)
    reminder_store.set_own_choices(db, team["idle"], {"minutes": "off", "rating": "off"}, False)
    ended = local(2027, 4, 1, 15, 0)
    db.execute("UPDATE meetings SET state = 'closed', ended_at = ? WHERE id = ?",
               [ended.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds"), team["meeting"]])
    meeting_ratings.rate(db, team["meeting"], team["en"], {"heard": 4, "goals": 4, "approach": 4, "overall": 4,
                                                             "change_next": ""})
    run(db, settings, local(2027, 4, 1, 15, 1))
    minutes = inbox.kind("minutes")
    inbox.take()
    assert sorted(m["To"] for m in minutes) == ["chair@ggz.example", "en@ggz.example", "nl@ggz.example",
                                                "off@ggz.example"]
    assert {m["Subject"] for m in minutes} == {"The minutes of Thursday 1 April, 13:30 are ready",
                                               "De notulen van het MDO van donderdag 1 april, 13:30 staan klaar"}
    run(db, settings, local(2027, 4, 2, 8, 59))
    assert inbox.messages == []
    run(db, settings, local(2027, 4, 2, 9, 0))
    ratings = inbox.kind("rating")
    inbox.take()
    assert sorted(m["To"] for m in ratings) == ["chair@ggz.example", "nl@ggz.example", "off@ggz.example"]
    assert all("/live" in plain(m) for m in ratings)
    assert {m["Subject"] for m in ratings} == {"How did the meeting of Thursday 1 April, 13:30 go?",
                                               "Hoe ging het MDO van donderdag 1 april, 13:30?"}
    assert_no_clinical_text(minutes + ratings)


def test_a_session_with_its_preparation_open_reminds_its_presenter_and_the_invited_colleague(db, smtp, team):
    inbox, settings = smtp
    for key in ("en", "nl", "off"):
        reminder_store.set_own_choices(db, team[key], {"deadline": "off"}, False)
    team_row = team_store.get_team(db, team["team"])
    open_one = session_store.create(db, Actor(None), team_row, local(2027, 4, 8, 10, 0), team["client"], team["en"],
                                    dict(DEFAULT_MINUTES), team["colleague"], "")
    prepared = session_store.create(db, Actor(None), team_row, local(2027, 4, 8, 14, 0), team["client2"], team["nl"],
                                    dict(DEFAULT_MINUTES), None, "")
    session_store.save_preparation(db, Actor(team["nl"]), team["team"], prepared,
                                   {"request_and_start": "Suicidal thoughts after discharge",
                                    "tried_towards_finishing": "x",
                                    "finishing_hard": "y", "preparation_notes": ""}, local(2027, 4, 1, 10, 0))
    run(db, settings, local(2027, 4, 6, 8, 59))
    assert inbox.kind("session") == []
    run(db, settings, local(2027, 4, 6, 9, 0))
    received = {m["To"]: m for m in inbox.kind("session")}
    assert sorted(received) == ["colleague@ggz.example", "en@ggz.example"]
    assert f"/sessions/{open_one}/prepare" in plain(received["en@ggz.example"])
    assert "/sessions/" not in plain(received["colleague@ggz.example"])  # not a member: the link leads home
    assert "Complex-case session on Thursday 8 April, 10:00" == received["en@ggz.example"]["Subject"]
    # the colleague chose no language: the install's (Dutch)
    assert received["colleague@ggz.example"]["Subject"] == "Werkvorm complexe casuïstiek op donderdag 8 april, 10:00"
    assert_no_clinical_text(inbox.messages)


def test_a_failed_delivery_is_retried_with_back_off_and_then_shown_to_the_admin(db, smtp, team, as_user):
    inbox, settings = smtp
    reminder_store.set_own_choices(db, team["en"], {"evaluations": "off"}, False)  # one mail each
    inbox.busy["en@ggz.example"] = 1  # one temporary failure, then delivered
    inbox.refuse.add("nl@ggz.example")  # refused every time
    start = local(2027, 3, 30, 9, 0)
    run(db, settings, start)
    assert inbox.kind("deadline") == []  # en and nl each went out to a single recipient: both failed
    run(db, settings, start + timedelta(seconds=59))  # the back-off: not before a minute
    assert inbox.kind("deadline") == []
    run(db, settings, start + timedelta(minutes=1))
    assert [m["To"] for m in inbox.kind("deadline")] == ["en@ggz.example"]
    inbox.take()
    elapsed = 1
    for wait in (5, 30, 120):
        elapsed += wait
        run(db, settings, start + timedelta(minutes=elapsed))
    assert inbox.kind("deadline") == []
    failed = [f for f in outbox.failed(db) if f["kind"] == "deadline"]
    assert [(f["to_address"], f["attempts"]) for f in failed] == [("nl@ggz.example", 5)]
    assert "550" in failed[0]["last_error"]
    run(db, settings, start + timedelta(days=1))
    # failed for good: not tried again
    assert [f["attempts"] for f in outbox.failed(db)] == [5] and inbox.kind("deadline") == []
    page = as_user("admin@example.org").get("/admin/").text
    assert "nl@ggz.example" in page and "550 5.1.1 No such mailbox" in page


def test_a_mail_is_dropped_once_what_it_reminds_of_has_passed(db, smtp, team):
    """The relay was unreachable until after the deadline: the deadline reminder is not sent late."""
    inbox, settings = smtp
    reminders.queue_reminders(db, settings, local(2027, 3, 30, 9, 0))
    mail.deliver(db, settings, local(2027, 3, 31, 13, 31))
    assert inbox.kind("deadline") == []
    assert ({f["last_error"] for f in outbox.failed(db) if f["kind"] == "deadline"}
            == {"expired before it could be sent"})


def test_no_mail_without_smtp_settings(db, team):
    reminders.queue_reminders(db, None, local(2027, 3, 31, 9, 0))
    assert outbox.waiting(db) == 0
    assert mail.settings_from_env({}) is None
    settings = mail.settings_from_env({"BELLETJE_SMTP_HOST": "relay.ggz.example", "BELLETJE_SMTP_SECURITY": "tls",
                                       "BELLETJE_SMTP_PASSWORD": "secret"})
    assert (settings.port, settings.security) == (465, "tls") and "secret" not in repr(settings)


def test_the_set_password_link_goes_by_mail_and_is_not_kept_once_sent(app, db, smtp, world, as_user, monkeypatch):
    inbox, settings = smtp
    for name, value in {"BELLETJE_SMTP_HOST": "127.0.0.1", "BELLETJE_SMTP_PORT": str(settings.port),
                        "BELLETJE_SMTP_SECURITY": "none", "BELLETJE_MAIL_FROM": "belletje@ggz.example"}.items():
        monkeypatch.setenv(name, value)
    admin = as_user("admin@example.org")
    response = admin.post("/admin/users", {"name": "New Colleague", "email": "new@ggz.example"})
    assert response.status_code == 200
    assert "on its way to new@ggz.example" in response.text and "/set-password/" not in response.text
    mail.deliver(db, mail.settings_from_env(), datetime.now(ZoneInfo("UTC")))
    [message] = inbox.take()
    link = re.search(r"https?://\S+/set-password/\S+", plain(message)).group(0)
    # no language chosen yet: the install's (Dutch)
    assert message["To"] == "new@ggz.example" and message["Subject"] == "Stel je wachtwoord voor Belletje in"
    assert db.execute("SELECT text_body || html_body FROM outbox").fetchone()[0] == ""
    browser = app.test_client()
    assert browser.get(link.replace("http://localhost", "")).status_code == 200
    user_id = user_store.get_user_by_email(db, "new@ggz.example")["id"]
    admin.post(f"/admin/users/{user_id}/link")
    mail.deliver(db, mail.settings_from_env(), datetime.now(ZoneInfo("UTC")))
    assert len(inbox.take()) == 1


def test_without_mail_the_admin_still_sees_the_link(world, as_user, monkeypatch):
    monkeypatch.delenv("BELLETJE_SMTP_HOST", raising=False)
    monkeypatch.delenv("BELLETJE_MAIL", raising=False)
    response = as_user("admin@example.org").post("/admin/users", {"name": "New Colleague", "email": "new@ggz.example"})
    assert "/set-password/" in response.text


def test_mail_test_command_sends_through_the_relay(app, smtp, monkeypatch):
    inbox, settings = smtp
    monkeypatch.setenv("BELLETJE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BELLETJE_SMTP_PORT", str(settings.port))
    monkeypatch.setenv("BELLETJE_SMTP_SECURITY", "none")
    monkeypatch.setenv("BELLETJE_MAIL_LOCALE", "en")
    result = app.test_cli_runner().invoke(args=["mail-test", "it@ggz.example"])
    assert result.exit_code == 0, result.output
    [message] = inbox.messages
    assert message["To"] == "it@ggz.example" and "Mail is configured correctly" in plain(message)
    monkeypatch.setenv("BELLETJE_SMTP_PORT", "1")  # nothing listens there
    result = app.test_cli_runner().invoke(args=["mail-test", "it@ggz.example"])
    assert result.exit_code != 0 and "Not sent via 127.0.0.1:1" in result.output


def test_no_mail_ever_names_a_demo_client_or_item(db, smtp):
    """Two simulated weeks of the demo team with every reminder on at any hour: no reference, no title in any mail."""
    inbox, settings = smtp
    start = date.today()
    build_demo(db, start)
    references = [r[0] for r in db.execute("SELECT reference FROM clients")]
    titles = [r[0] for r in db.execute("SELECT DISTINCT title FROM items WHERE step IS NULL")]
    texts = [r[0] for r in db.execute("SELECT description FROM actions")]
    assert references and titles
    for user_id in [r[0] for r in db.execute("SELECT id FROM users")]:
        reminder_store.set_own_choices(db, user_id, {"deadline": "always"}, True)
    db.execute("UPDATE meetings SET state = 'closed', ended_at = starts_at WHERE starts_at < ? AND state != 'closed'",
               [start.isoformat()])
    moment = datetime.combine(start, datetime.min.time(), tzinfo=AMS)
    for hour in range(0, 14 * 24, 3):
        meeting_store.ensure_upcoming(db, team_store.list_teams(db)[0], moment + timedelta(hours=hour))
        run(db, settings, moment + timedelta(hours=hour))
    assert len(inbox.messages) > 10
    kinds = {row[0] for row in db.execute("SELECT DISTINCT kind FROM outbox")}
    assert {"deadline", "evaluations"} <= kinds
    assert_no_clinical_text(inbox.messages, references + titles + texts)


def test_the_admin_sends_a_failed_mail_again(db, smtp, team, as_user):
    inbox, settings = smtp
    inbox.refuse.add("nl@ggz.example")
    start = local(2027, 3, 30, 9, 0)
    for minutes in (0, 1, 6, 36, 156):
        run(db, settings, start + timedelta(minutes=minutes))
    [failed] = [f for f in outbox.failed(db) if f["kind"] == "deadline"]
    inbox.refuse.clear()
    admin = as_user("admin@example.org")
    assert admin.post("/admin/mail/retry", {"mail_id": str(failed["id"])}).status_code == 302
    assert admin.post("/admin/mail/retry", {"mail_id": "nonsense"}).status_code == 302
    run(db, settings, start + timedelta(minutes=157))
    assert len(inbox.to("nl@ggz.example", "deadline")) == 1 and outbox.failed(db) == []


def test_a_send_cut_off_by_a_crash_is_never_sent_again_by_itself(db, smtp, team):
    inbox, settings = smtp
    reminders.queue_reminders(db, settings, local(2027, 3, 30, 9, 0))
    claimed = outbox.claim_due(db, local(2027, 3, 30, 9, 0))  # claimed, and then the process died
    assert claimed
    run(db, settings, local(2027, 3, 30, 9, 5))
    assert inbox.messages == []  # still claimed
    run(db, settings, local(2027, 3, 30, 9, 11))
    assert inbox.messages == []
    assert {f["id"] for f in outbox.failed(db)} == {row["id"] for row in claimed}
    assert all("may have gone" in f["last_error"] for f in outbox.failed(db))
