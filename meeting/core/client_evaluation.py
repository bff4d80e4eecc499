"""The evaluation of the treatment plan with the client (WGBO, at least yearly; care standard for severe
mental illness, section 3.5): prepared by the presenter, recorded with the team's decision. Pure.

Not the team's review in the meeting (its own six-monthly norm): this is the talk with the client and
their relatives, with ROM on the three recovery domains, the somatic screening and who does what.
"""
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from meeting.core.dates import parse_date
from meeting.core.evaluations import add_months, local_day
from meeting.core.i18n import N_
from meeting.core.text import CONTROL_CHARACTERS, has_control_characters, length_message

LEGAL_MINIMUM_MONTHS = 12
WORKLIST_WEEKS = 8  # the regiebehandelaar's list shows who falls due within this many weeks
YES_NO = {"yes": N_("Yes"), "no": N_("No")}
ROM_DOMAINS = {"rom_personal": N_("Personal recovery"), "rom_social": N_("Social recovery"),
               "rom_symptomatic": N_("Symptomatic recovery")}
DIRECTIONS = {"better": N_("Better"), "same": N_("Same"), "worse": N_("Worse"), "not_measured": N_("Not measured")}
ARROWS = {"better": "↑", "same": "→", "worse": "↓", "not_measured": "–"}
DATES = ("evaluated_with_client_on", "somatic_screening_on")
CHOICES = {"relatives_invited": YES_NO, "relatives_present": YES_NO, "rom_done": YES_NO} | {
    domain: DIRECTIONS for domain in ROM_DOMAINS}
TEXT_LIMITS = {"client_view": 300, "agreements": 600}
FIELDS = (*DATES, *CHOICES, *TEXT_LIMITS)
COLUMNS = {"evaluated_with_client_on": "evaluated_on"}  # form field -> column, where they differ

_FUTURE = N_("This date lies in the future.")
EARLIEST = date(1950, 1, 1)  # the registry's earliest treatment start: before it no date is a real one


def _text(form: Mapping, name: str) -> str:
    value = form.get(name)
    return "" if value is None else str(value).strip()


def _date_errors(form: Mapping, name: str, today: date | None, not_before: date | None) -> dict[str, str]:
    raw = _text(form, name)
    if not raw:
        return {}
    day = parse_date(raw)
    if day is None:
        return {name: N_("Enter a date as YYYY-MM-DD.")}
    if today is not None and day > today:
        return {name: _FUTURE}
    if day < (not_before or EARLIEST):  # the treatment's start when known, else the registry's earliest
        return {name: N_("This date lies before the start of the treatment.")}
    return {}


def _consistency_errors(form: Mapping) -> dict[str, str]:
    """Relatives came only if invited; without ROM the domains are not measured."""
    errors = {}
    if _text(form, "relatives_present") == "yes" and _text(form, "relatives_invited") == "no":
        errors["relatives_present"] = N_("Relatives who came were invited: choose yes for invited too.")
    if _text(form, "rom_done") == "no":
        errors |= {domain: N_("Without ROM in the last 12 months, the domains were not measured.")
                   for domain in ROM_DOMAINS if _text(form, domain) not in ("", "not_measured")}
    return errors


def validate(form: Mapping, today: date | None, treatment_start: date | None = None) -> tuple[dict, dict[str, str]]:
    """Check the evaluation fields (none is required; each date between the treatment's start and `today`);
    return field -> value and errors."""
    errors: dict[str, str] = {}
    for name in DATES:
        errors |= _date_errors(form, name, today, treatment_start)
    for name, choices in CHOICES.items():
        if _text(form, name) and _text(form, name) not in choices:
            errors[name] = N_("Choose one of the options.")
    for name, limit in TEXT_LIMITS.items():
        if len(_text(form, name)) > limit:
            errors[name] = length_message(_text(form, name), limit)
        elif has_control_characters(_text(form, name), multiline=True):
            errors[name] = CONTROL_CHARACTERS
    errors |= _consistency_errors(form)
    values = {name: _text(form, name) or None for name in FIELDS}
    return ({} if errors else values), errors


def is_blank(values: Mapping) -> bool:
    """Whether nothing of the evaluation was filled in."""
    return not any(values.get(name) for name in FIELDS)


def columns(values: Mapping) -> dict:
    """The stored row's columns for validated values (text fields as '' rather than NULL)."""
    return {COLUMNS.get(name, name): (values.get(name) or ("" if name in TEXT_LIMITS else None)) for name in FIELDS}


def to_preparation(values: Mapping) -> str:
    """The prepared evaluation as stored on the item (JSON), '' when nothing was prepared."""
    kept = {name: values[name] for name in FIELDS if values.get(name)}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True) if kept else ""


def from_preparation(text: str | None) -> dict[str, str]:
    """The prepared evaluation stored on an item, as form values."""
    try:
        stored = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {name: str(stored[name]) for name in FIELDS if stored.get(name)} if isinstance(stored, dict) else {}


def form_values(form: Mapping | None) -> dict[str, str]:
    """The evaluation's values to show: posted fields if the form has any, else the item's preparation."""
    form = form or {}
    if any(name in form for name in FIELDS):
        return {name: _text(form, name) for name in FIELDS if _text(form, name)}
    return from_preparation(form.get("evaluation_prep"))


def recorded_values(row: Mapping | None) -> dict[str, str]:
    """A recorded evaluation's filled-in fields, by form field name, as the summary shows them."""
    row = row or {}
    return {name: row[COLUMNS.get(name, name)] for name in FIELDS if row.get(COLUMNS.get(name, name))}


def window_start(day: date) -> date:
    """The first day of the 12 months before `day` in which an evaluation with the client counts."""
    return add_months(day, -LEGAL_MINIMUM_MONTHS)


def legal_status(treatment_start: date, last_with_client: date | None, day: date) -> str:
    """On `day`: 'evaluated' within 12 months, 'not_yet_due' (under a year in treatment), or 'overdue'."""
    start = window_start(day)
    if last_with_client is not None and start <= last_with_client <= day:
        return "evaluated"
    return "not_yet_due" if treatment_start > start else "overdue"


def validate_outside_meeting(form: Mapping, today: date, treatment_start: date | None) -> tuple[dict, dict[str, str]]:
    """`validate`, for an evaluation recorded from the worklist rather than with a decision: its date is required."""
    values, errors = validate(form, today, treatment_start)
    if not _text(form, "evaluated_with_client_on") and "evaluated_with_client_on" not in errors:
        errors = errors | {"evaluated_with_client_on": N_("Enter the day the plan was evaluated with the client.")}
    return ({} if errors else values), errors


def _last_day_covered(base: date) -> date:
    """The last day whose 12-month window (`window_start`) still reaches back to `base`."""
    day = add_months(base, LEGAL_MINIMUM_MONTHS)
    while window_start(day + timedelta(days=1)) <= base:  # a window from the end of February
        day += timedelta(days=1)
    while window_start(day) > base:
        day -= timedelta(days=1)
    return day


def covered_until(evaluated_on: date) -> date:
    """The last day an evaluation with the client on `evaluated_on` counts, by `legal_status`: 'evaluated' on every
    day from `evaluated_on` through this one."""
    return _last_day_covered(evaluated_on)


def not_yet_due_until(treatment_start: date) -> date:
    """The last day a client who started on `treatment_start` is, by `legal_status`, 'not_yet_due' (unless
    evaluated): while the start lies in the window."""
    return _last_day_covered(treatment_start - timedelta(days=1))


def with_client_due(treatment_start: date, last_with_client: date | None) -> date:
    """The last day the client is, by `legal_status`, evaluated with or not yet due: overdue from the day after."""
    due = not_yet_due_until(treatment_start)
    return max(due, covered_until(last_with_client)) if last_with_client else due


def worklist_until(today: date) -> date:
    """The last due date the worklist shows on `today`: overdue, or due within `WORKLIST_WEEKS` weeks."""
    return today + timedelta(weeks=WORKLIST_WEEKS)


def needed_before_next_review(due: date, review_day: date, norm_months: int) -> bool:
    """Whether a review on `review_day` is the client's last before the evaluation with the client falls due:
    the next team review (one norm interval on) would come after it. The legal minimum is at stake."""
    return due < add_months(review_day, norm_months)


@dataclass(frozen=True)
class DueWithClient:
    """A client on the worklist: due date, overdue or not, and the first agenda with a review of the client."""

    client_id: int
    reference: str
    clinician_id: int
    clinician: str
    due: date
    overdue: bool
    days: int  # overdue: days past the due date; else days left
    review_on: date | None  # the first coming meeting with a review of the client
    review_in_time: bool  # that meeting is on or before the due date


def worklist(rows: list[Mapping], today: date, timezone: str) -> list[DueWithClient]:
    """The worklist from the store's rows (client_id, reference, clinician_id, clinician, with_client_due,
    review_starts_at): those overdue or due by `worklist_until`, most urgent first; a review dated by its meeting's
    day in the team's time zone."""
    found = []
    for row in rows:
        due = parse_date(row["with_client_due"])
        if due is None or due > worklist_until(today):
            continue
        review_on = local_day(row["review_starts_at"], timezone) if row.get("review_starts_at") else None
        found.append(DueWithClient(row["client_id"], row["reference"], row["clinician_id"], row["clinician"], due,
                                   today > due, abs((today - due).days), review_on,
                                   review_on is not None and review_on <= due))
    return sorted(found, key=lambda entry: (entry.due, entry.reference))


def by_clinician(entries: list[DueWithClient]) -> list[tuple[str, list[DueWithClient]]]:
    """The worklist grouped per clinician, by name (a chair's and a manager's view)."""
    groups: dict[tuple[str, int], list[DueWithClient]] = {}
    for entry in entries:
        groups.setdefault((entry.clinician, entry.clinician_id), []).append(entry)
    return [(name, groups[(name, key)]) for name, key in sorted(groups)]


def legal_minimum_report(counts: list[Mapping], day: date, clinician_limit: int | None = None) -> dict:
    """Evaluated with the client within 12 months on `day`: in all, per team and per clinician (all by name, or
    the `clinician_limit` with the most overdue, ties by name; with how many there are), from the store's counts
    per team and clinician (`legal_minimum_figures`)."""
    teams = legal_minimum_figures(counts, "team_id", "team")
    clinicians = legal_minimum_figures(counts, "clinician_id", "clinician")
    return {"day": day, "window_start": window_start(day), "total": legal_minimum_total(teams), "teams": teams,
            "clinicians": clinicians if clinician_limit is None else most_overdue(clinicians, clinician_limit),
            "clinicians_total": len(clinicians)}


def legal_minimum_total(teams: Sequence[Mapping]) -> dict:
    """The legal minimum's figures summed over the teams."""
    return {key: sum(team[key] for team in teams) for key in ("active", "evaluated", "not_yet_due", "overdue")}


def most_overdue(rows: list[dict], limit: int) -> list[dict]:
    """Of rows ordered by name, the `limit` with the most overdue first (ties keep their order)."""
    return sorted(rows, key=lambda row: -row["overdue"])[:limit]


def legal_minimum_figures(counts: list[Mapping], key: str, name: str) -> list[dict]:
    """Per `key` (team_id, clinician_id), by `name` (ties by `key`): active clients, evaluated with the client, not
    yet due, overdue.

    `counts` are the store's counts per group (team and clinician), by `legal_status`: in treatment,
    evaluated, not_yet_due; the rest is overdue. Groups with no client in treatment are left out.
    """
    groups: dict = {}
    for row in counts:
        if not row["in_treatment"]:
            continue
        group = groups.setdefault(row[key], {name: row[name], "active": 0, "evaluated": 0, "not_yet_due": 0,
                                             "overdue": 0})
        group["active"] += row["in_treatment"]
        group["evaluated"] += row["evaluated"]
        group["not_yet_due"] += row["not_yet_due"]
        group["overdue"] += row["in_treatment"] - row["evaluated"] - row["not_yet_due"]
    return [groups[group_key] for group_key in sorted(groups, key=lambda k: (str(groups[k][name]), k))]
