"""What a mail says: a subject, plain text and the same as HTML, in the recipient's language. Pure.

Mail is not a secure channel: a mail says only what happens, when, and a link that leads through sign-in.
It never names a client (not even by reference), an item's title, story or decision; the facts a mail is
composed from are counts, moments and team names, nothing else.
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from meeting.core.i18n import N_

SUBJECTS = {
    "deadline": N_("Agenda closes %(deadline)s: %(team)s"),
    "actions": N_("Your actions before the meeting of %(meeting)s"),
    "evaluations": N_("Evaluations with the client due within four weeks"),
    "minutes": N_("The minutes of %(meeting)s are ready"),
    "rating": N_("How did the meeting of %(meeting)s go?"),
    "session": N_("Complex-case session on %(meeting)s"),
    "set_password": N_("Set your password for Belletje"),
    "test": N_("Belletje test message"),
}
LINES = {
    "deadline": (N_("The agenda of the meeting of %(meeting)s closes at %(deadline)s."),
                 N_("Bring in your items, with their preparation, before then.")),
    "deadline_relevant": (N_("You have a client due for a review at this meeting, or an item still to prepare."),),
    "actions": (N_("Actions of yours due before the meeting of %(meeting)s: %(count)s."),
                N_("Mark what is done, so the look back at the meeting goes quickly.")),
    "evaluations": (N_("Clients of yours whose evaluation with the client is due within four weeks or overdue: "
                       "%(count)s."),
                    N_("Plan the evaluations with these clients; the list is in Belletje.")),
    "minutes": (N_("The minutes of the meeting of %(meeting)s are ready to read."),),
    "rating": (N_("You have not yet rated the meeting of %(meeting)s. It takes a minute and helps the team."),),
    "session": (N_("A complex-case session you present in or are invited to takes place on %(meeting)s."),
                N_("Its preparation is still open.")),
    "set_password": (N_("An account in Belletje has been made for you, or a new password was asked for."),
                     N_("Set your password with this link. It works once and for a limited time."),
                     N_("If you did not expect this mail, you can ignore it.")),
    "test": (N_("This is a test message from Belletje. Mail is configured correctly."),),
}
OPEN_LINK = N_("Open in Belletje")
SIGN_OFF = N_("%(team)s, via Belletje")
WHY = N_("You get this reminder because of your settings. Change them on your account page: %(account)s")


@dataclass(frozen=True)
class Mail:
    """One composed message."""

    subject: str
    text: str
    html: str


def compose(kind: str, facts: Mapping[str, object], link: str, team: str | None, account_link: str | None,
            gettext: Callable[[str], str]) -> Mail:
    """The mail of `kind` from its facts (counts, moments, team names), signed with the team's name."""
    params = {**facts, "team": team or "Belletje"}
    lines = [gettext(line) % params for line in LINES[kind]]
    if kind == "deadline" and facts.get("relevant"):
        lines.append(gettext(LINES["deadline_relevant"][0]))
    sign_off = gettext(SIGN_OFF) % params if team else "Belletje"
    why = gettext(WHY) % {"account": account_link} if account_link else ""
    text = "\n\n".join([*lines, f"{gettext(OPEN_LINK)}: {link}", f"-- \n{sign_off}", *([why] if why else [])]) + "\n"
    html = "".join([*(f"<p>{escape(line)}</p>" for line in lines),
                    f'<p><a href="{escape(link)}">{escape(gettext(OPEN_LINK))}</a></p>',
                    f"<p>{escape(sign_off)}</p>",
                    f'<p style="color:#555;font-size:smaller">{escape(why)}</p>' if why else ""])
    return Mail(gettext(SUBJECTS[kind]) % params, text, f"<!DOCTYPE html><html><body>{html}</body></html>")


BACK_OFF_MINUTES = (1, 5, 30, 120)  # after the 1st, 2nd, … failed attempt


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When a mail that failed `attempts` times is tried again; None after the last attempt (it failed)."""
    if attempts > len(BACK_OFF_MINUTES):
        return None
    return now + timedelta(minutes=BACK_OFF_MINUTES[attempts - 1])
