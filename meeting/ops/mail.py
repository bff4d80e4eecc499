"""The outgoing mail channel: SMTP settings from the environment, composing in the recipient's language,
and the scheduler's job that sends the outbox after commit (never inside a write transaction).

Environment: BELLETJE_SMTP_HOST (no host: no mail), BELLETJE_SMTP_PORT, BELLETJE_SMTP_SECURITY (starttls, tls
or none), BELLETJE_SMTP_USER, BELLETJE_SMTP_PASSWORD, BELLETJE_MAIL_FROM (the sender), BELLETJE_BASE_URL (links
in mail and the calendar), BELLETJE_MAIL_LOCALE (the language for someone who chose none). BELLETJE_MAIL=console
prints every mail on standard output instead (the demo).
"""
import logging
import os
import smtplib
import ssl
import sys
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime as mail_date
from email.utils import formataddr, make_msgid
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.support import Translations

from meeting.core import mail as texts
from meeting.core.reminders import first_moment_allowed
from meeting.store import outbox
from meeting.store.db import utcnow

log = logging.getLogger("belletje.mail")
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
LOCALES = ("en", "nl")
SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
MOMENT = "EEEE d MMMM, HH:mm"


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes and as whom."""

    host: str
    port: int
    security: str = "starttls"
    user: str = ""
    password: str = ""
    sender: str = "belletje@localhost"
    base_url: str = "http://127.0.0.1:5000"
    default_locale: str = "nl"
    console: bool = False

    def __repr__(self) -> str:  # never the password in a log
        return f"MailSettings({self.host}:{self.port}, {self.security}, sender={self.sender})"


def settings_from_env(environ=os.environ) -> MailSettings | None:
    """The SMTP settings in the environment; None when no mail is configured."""
    console = environ.get("BELLETJE_MAIL") == "console"
    host = environ.get("BELLETJE_SMTP_HOST", "")
    if not host and not console:
        return None
    security = environ.get("BELLETJE_SMTP_SECURITY", "starttls").lower()
    if security not in SECURITY:
        raise ValueError(f"BELLETJE_SMTP_SECURITY must be one of {', '.join(SECURITY)}")
    locale = environ.get("BELLETJE_MAIL_LOCALE", "nl")
    return MailSettings(host=host, port=int(environ.get("BELLETJE_SMTP_PORT") or DEFAULT_PORTS[security]),
                        security=security, user=environ.get("BELLETJE_SMTP_USER", ""),
                        password=environ.get("BELLETJE_SMTP_PASSWORD", ""),
                        sender=environ.get("BELLETJE_MAIL_FROM", "belletje@localhost"),
                        base_url=base_url(environ), default_locale=locale if locale in LOCALES else "nl",
                        console=console)


def base_url(environ=os.environ) -> str:
    """Where Belletje is reached, for links in mail and calendars (no trailing slash)."""
    return environ.get("BELLETJE_BASE_URL", "http://127.0.0.1:5000").rstrip("/")


@lru_cache(maxsize=4)  # kept: each mail of a reminder round would read and parse the .mo file again
def catalogue(locale: str) -> Translations:
    """The translations of `locale` (English: the texts as they are)."""
    return Translations.load(str(TRANSLATIONS), [locale])


def language(settings: MailSettings, chosen: str | None) -> str:
    """The recipient's language: their own choice, else the install's default."""
    return chosen if chosen in LOCALES else settings.default_locale


def compose(kind: str, facts: dict, locale: str, timezone: str, link: str, team: str | None,
            account_link: str | None) -> texts.Mail:
    """A mail in `locale`: moments among the facts shown in the team's time zone."""
    shown = {key: format_datetime(value, MOMENT, tzinfo=ZoneInfo(timezone), locale=locale)
             if isinstance(value, datetime) else value for key, value in facts.items()}
    return texts.compose(kind, shown, link, team, account_link, catalogue(locale).gettext)


def queue(db, settings: MailSettings, kind: str, key: str, user: dict, facts: dict, link: str, now: datetime,
          team: dict | None = None, expires_at: datetime | None = None) -> bool:
    """Compose a mail to `user` and put it in the outbox (inside the caller's transaction); False if queued before.

    Reminders wait out the recipient's quiet hours; a set-password mail does not (someone waits for it).
    """
    timezone = team["timezone"] if team else "Europe/Amsterdam"
    reminder = kind not in ("set_password", "test")
    quiet = timezone if reminder and not user.get("mail_any_time") else None
    send_after = first_moment_allowed(now, quiet)
    if expires_at is not None and send_after >= expires_at:
        return False
    account = f"{settings.base_url}/account/" if reminder else None
    mail = compose(kind, facts, language(settings, user.get("locale")), timezone, link,
                   team["name"] if team else None, account)
    return outbox.enqueue(db, key, kind, user.get("id"), user["email"], mail, now, send_after, expires_at, quiet)


def message(settings: MailSettings, row: dict) -> EmailMessage:
    """The MIME message of an outbox row: plain text with an HTML alternative."""
    mail = EmailMessage()
    mail["Subject"] = row["subject"]
    mail["From"] = formataddr(("Belletje", settings.sender))
    mail["To"] = row["to_address"]
    mail["Date"] = mail_date(utcnow())
    domain = settings.sender.rpartition("@")[2] or "localhost"
    mail["Message-ID"] = make_msgid(idstring=f"outbox{row['id']}", domain=domain)
    mail["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a reminder
    mail["X-Belletje-Kind"] = row.get("kind", "test")  # for a recipient's mail filters
    mail.set_content(row["text_body"])
    mail.add_alternative(row["html_body"], subtype="html")
    return mail


def send(settings: MailSettings, mail: EmailMessage, timeout: float = 20) -> None:
    """Hand one message to the relay (or print it, with BELLETJE_MAIL=console); raises on any failure."""
    if settings.console:
        print(f"---------- mail (BELLETJE_MAIL=console) ----------\n{mail.get_body(('plain',)).get_content()}"
              f"[To: {mail['To']} · Subject: {mail['Subject']}]", file=sys.stdout, flush=True)
        return
    context = ssl.create_default_context()
    if settings.security == "tls":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    with client:
        if settings.security == "starttls":
            client.starttls(context=context)
        if settings.user:
            client.login(settings.user, settings.password)
        client.send_message(mail)


def describe(error: Exception) -> str:
    """A failed send as the admin reads it: the relay's code and words, else the kind of failure."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {code} {_text(words)}" for address, (code, words) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _text(words) -> str:
    return words.decode(errors="replace") if isinstance(words, bytes) else str(words)


def deliver(db, settings: MailSettings | None, now: datetime, transport=send) -> dict[str, int]:
    """Send every mail whose time has come, each after the transaction that claimed it: sent, retried or failed."""
    done = {"sent": 0, "retry": 0, "failed": 0}
    if settings is None:
        return done
    for row in outbox.claim_due(db, now):
        try:
            transport(settings, message(settings, row))
        except (smtplib.SMTPException, OSError, ValueError) as error:
            next_try = texts.next_attempt(row["attempts"], now)
            if next_try is not None:
                next_try = first_moment_allowed(next_try, row["quiet_timezone"])
            outbox.mark_attempt_failed(db, row, describe(error), next_try, now)
            done["retry" if next_try else "failed"] += 1
            log.warning("mail %s to user %s not sent (attempt %s): %s", row["id"], row["user_id"], row["attempts"],
                        error)
            continue
        outbox.mark_sent(db, row["id"], now)
        done["sent"] += 1
    return done


def start_demo_server(port: int = 8025):
    """A local SMTP server (aiosmtpd) that prints the plain text of every mail it receives; returns its controller."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Printer:
        async def handle_DATA(self, server, session, envelope):
            received = message_from_bytes(envelope.content, policy=policy.default)
            body = received.get_body(("plain",))
            print(f"---------- mail to {', '.join(envelope.rcpt_tos)}: {received['Subject']} ----------\n"
                  f"{body.get_content() if body else ''}", flush=True)
            return "250 OK"

    controller = Controller(Printer(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def demo_mail(environ, local_server: bool, db=None) -> str:
    """Point the demo's mail somewhere a newcomer sees it (a real relay in the environment wins); says where.

    The demo team's members take mail at any hour, so the reminders due at start-up show at once, evening or not."""
    if db is not None:
        from meeting.ops.demo import TEAM_NAME
        from meeting.store import reminders as reminder_store
        from meeting.store import teams as team_store
        team = team_store.get_team_by_name(db, TEAM_NAME)
        if team:
            reminder_store.allow_any_time(db, [member["id"] for member in team_store.members(db, team["id"])])
    if environ.get("BELLETJE_SMTP_HOST"):
        return f"Mail goes to {environ['BELLETJE_SMTP_HOST']} (BELLETJE_SMTP_HOST)."
    if local_server:
        controller = start_demo_server()
        environ.update({"BELLETJE_SMTP_HOST": "127.0.0.1", "BELLETJE_SMTP_PORT": str(controller.port),
                        "BELLETJE_SMTP_SECURITY": "none"})
        return (f"Mail goes to a local SMTP server on 127.0.0.1:{controller.port} that prints each message here"
                " (set BELLETJE_SMTP_HOST for a real relay).")
    environ["BELLETJE_MAIL"] = "console"
    return ("Mail is printed here, on the console (use --demo-mail for a local SMTP server, or set BELLETJE_SMTP_HOST"
            " for a real relay).")
