"""The step-down handover (seed 001, chapter 6): what a good move from the team to lower-intensity care
needs, when it is done, when the client leaves the active count, and what the dashboard flags.

Deciding "step down" or "finish" opens a handover. Each point of its checklist is done, not applicable
or open, with a note. The client leaves the active count on the recorded last-contact date, not before.
Pure: no Flask, no SQL, `today` passed in.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from meeting.core.dates import parse_date
from meeting.core.i18n import N_, generated
from meeting.core.items import ItemInput
from meeting.core.text import TextField, text_errors

OPENING_OUTCOMES = ("step_down", "finish")
KINDS = {"step_down": N_("Step down"), "finish": N_("Finish")}  # the short names of the opening outcomes
POINTS = ("stable", "network", "warm_handover", "crisis_agreement", "signalling_letter", "no_gap")
POINT_NAMES = {
    "stable": N_("Stable enough"),
    "network": N_("The network knows and will help"),
    "warm_handover": N_("Warm handover meeting"),
    "crisis_agreement": N_("Crisis re-referral agreement"),
    "signalling_letter": N_("Letter with the relapse-signalling plan sent"),
    "no_gap": N_("No gap: the new care starts before the last contact"),
}
POINT_HINTS = {
    "stable": N_("No crisis in the recent past, no acute suicidality, medication that can be continued"
                 " outside specialist care."),
    "network": N_("The people around the client know about the move and are willing to support."),
    "warm_handover": N_("A joint meeting of the client, their relatives, the referring and the receiving"
                        " clinician: give the date and who attended."),
    "crisis_agreement": N_("How the client comes back to the team quickly in a crisis."),
    "signalling_letter": N_("A letter written for the receiving care, with the signs of relapse and what to do."),
    "no_gap": N_("A wait after the team has stopped raises the risk of a crisis: the new care starts on or"
                 " before the last contact with the team."),
}
STATUSES = {"open": N_("Open"), "done": N_("Done"), "not_applicable": N_("Not applicable")}
RECEIVING_CARE = {"basic_mental_health": N_("Basic mental-health care"),
                  "gp_nurse": N_("GP with mental-health nurse"), "other": N_("Other")}
NOTE_LIMIT = 500
ATTENDEES_LIMIT = 300
NOTE, ATTENDEES = TextField(NOTE_LIMIT, multiline=True), TextField(ATTENDEES_LIMIT)  # who attended: one line
DATE_RANGE = timedelta(days=366)  # dates lie within a year of today
DONE_LISTED = timedelta(days=90)
ANNOUNCEMENT_TITLE = N_("Handover %(reference)s: %(done)s of %(total)s points done")
ANNOUNCEMENT_NEED = N_("The team follows the handover until every point is done or does not apply.")

_BAD_DATE = N_("Enter a date as YYYY-MM-DD.")
_DATE_FIELDS = ("warm_meeting_on", "new_care_starts_on", "last_contact_on")


def opens_handover(outcome: str | None) -> bool:
    """Whether a review's outcome opens a handover: stepping down and finishing do."""
    return outcome in OPENING_OUTCOMES


def initial_last_contact(outcome: str, today: date) -> date | None:
    """Finishing makes the decision day the last contact until the team records another; stepping down
    keeps the client until a last contact is recorded."""
    return today if outcome == "finish" else None


def gap_days(new_care_starts_on: date | None, last_contact_on: date | None) -> int | None:
    """Days between the team's last contact and the new care's start (positive: a gap); None when unknown."""
    if new_care_starts_on is None or last_contact_on is None:
        return None
    return (new_care_starts_on - last_contact_on).days


def gap_flag(handover: Mapping, statuses: Mapping[str, str], today: date) -> str | None:
    """What the dashboard flags: "gap" when the new care starts after the last contact, "unknown" when the
    last contact has passed without a start date for the new care; None otherwise."""
    last, start = parse_date(handover.get("last_contact_on")), parse_date(handover.get("new_care_starts_on"))
    days = gap_days(start, last)
    if days is not None and days > 0:
        return "gap"
    if last is not None and last <= today and start is None and statuses.get("no_gap") != "not_applicable":
        return "unknown"
    return None


def listed_since(today: date) -> date:
    """The team's list shows a handover done on this day or later (and every open one)."""
    return today - DONE_LISTED


def progress(statuses: Mapping[str, str]) -> int:
    """How many points are done or do not apply."""
    return sum(1 for point in POINTS if statuses.get(point) in ("done", "not_applicable"))


def is_done(statuses: Mapping[str, str], last_contact_on: date | None) -> bool:
    """Done when every point is done or does not apply and the last contact is recorded."""
    return progress(statuses) == len(POINTS) and last_contact_on is not None


def validate(form: Mapping, today: date) -> tuple[dict | None, dict[str, str]]:
    """The checklist as posted: statuses, notes, receiving care, dates, attendees; values or field -> message."""
    statuses = {p: str(form.get(f"status_{p}") or "open") for p in POINTS}
    notes = {p: str(form.get(f"note_{p}") or "").strip() for p in POINTS}
    errors = {f"status_{p}": N_("Choose done, not applicable or open.") for p,
              s in statuses.items() if s not in STATUSES}
    for point, note in notes.items():
        errors |= text_errors({f"note_{point}": note}, {f"note_{point}": NOTE})
        if statuses[point] == "not_applicable" and not note:
            errors[f"note_{point}"] = N_("Say in the note why this does not apply.")
    dates, date_errors = _dates(form, today)
    attendees = str(form.get("warm_attendees") or "").strip()
    errors |= date_errors | text_errors({"warm_attendees": attendees}, {"warm_attendees": ATTENDEES})
    care = str(form.get("receiving_care") or "") or None
    if care is not None and care not in RECEIVING_CARE:
        errors["receiving_care"] = N_("Choose the receiving care.")
    errors |= _point_needs(statuses, dates, attendees)
    if errors:
        return None, errors
    return {"statuses": statuses, "notes": notes, "receiving_care": care, "warm_attendees": attendees, **dates}, {}


def _dates(form: Mapping, today: date) -> tuple[dict[str, date | None], dict[str, str]]:
    dates, errors = {}, {}
    for field in _DATE_FIELDS:
        raw = str(form.get(field) or "").strip()
        dates[field] = parse_date(raw)
        if raw and dates[field] is None:
            errors[field] = _BAD_DATE
        elif dates[field] and abs(dates[field] - today) > DATE_RANGE:  # type: ignore[operator]
            errors[field] = N_("Give a date within a year of today.")
    return dates, errors


def _point_needs(statuses: Mapping[str, str], dates: Mapping, attendees: str) -> dict[str, str]:
    """A warm handover is done with its date and who attended; no gap only when the dates show none."""
    errors = {}
    if statuses["warm_handover"] == "done" and not (dates["warm_meeting_on"] and attendees):
        errors["status_warm_handover"] = N_("Give the date of the warm handover and who attended.")
    if statuses["no_gap"] == "done":
        days = gap_days(dates["new_care_starts_on"], dates["last_contact_on"])
        if days is None:
            errors["status_no_gap"] = N_("Give the new care's start and the last contact with the team.")
        elif days > 0:
            errors["status_no_gap"] = N_("The new care starts after the last contact: that leaves a gap."
                                         " Change a date, or keep this point open.")
    return errors


@dataclass(frozen=True)
class Leaving:
    """What the last-contact date does to the client now: column changes, and the date the handover
    records as applied (None: the client is back in the count)."""
    client: dict
    left_on: date | None


def leaving(last_contact_on: date | None, left_on: date | None, client: Mapping, today: date) -> Leaving | None:
    """The client leaves the active count on the recorded last-contact date, not before.

    `left_on` is the date this handover last applied. A later last contact brings the client back; a
    client someone reopened by hand after leaving is left alone. None when nothing changes.
    """
    status, finished_on = client["status"], parse_date(client.get("finished_on"))
    ours = left_on is not None and status == "finished" and finished_on == left_on
    if last_contact_on is not None and last_contact_on <= today:
        if left_on is None:
            changes = {"status": "finished", "finished_on": last_contact_on} if status == "active" else {}
            return Leaving(changes, last_contact_on)
        if ours and last_contact_on != left_on:
            return Leaving({"finished_on": last_contact_on}, last_contact_on)
        return None
    if ours:
        return Leaving({"status": "active", "finished_on": None}, None)
    return None


def announcement(client_id: int, reference: str, done: int, minutes: int) -> ItemInput:
    """The short announcement that keeps an open handover on the next agendas (its texts stored as generated)."""
    return ItemInput(track="regular", label="announcement", client_id=client_id,
                     title=generated(ANNOUNCEMENT_TITLE, reference=reference, done=done, total=len(POINTS)),
                     need=generated(ANNOUNCEMENT_NEED), current_state="", request_and_start="",
                     tried_towards_finishing="", finishing_hard="", minutes=minutes)


def annotated(rows: list[Mapping], today: date) -> list[dict]:
    """Handover rows (with their no-gap point's status) plus their age in days and gap flag; flagged first,
    then open ones, oldest first."""
    result = []
    for row in rows:
        flag = gap_flag(row, {"no_gap": row.get("no_gap")}, today)  # type: ignore[dict-item]
        days = gap_days(parse_date(row.get("new_care_starts_on")), parse_date(row.get("last_contact_on")))
        opened = cast(date, parse_date(row["opened_on"]))  # NOT NULL
        result.append(dict(row, age_days=(today - opened).days, flag=flag,
                           gap_days=days if flag == "gap" else None))
    return sorted(result, key=lambda r: (r["flag"] is None, r["done_on"] is not None, -r["age_days"]))
