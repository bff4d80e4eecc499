"""The complex-case session (seed 004, work form "complex casuistry", theme finishing treatment).

Five timed steps, the worksheet's three levels with the seed's examples, and what each step asks of
the participants. Each step is timed by the item clock (`meeting.core.clock`): a step is an item of
the session with its own stored clock events, so its time is derived exactly as an agenda item's is
and a restart loses nothing. Pure: no Flask, no SQL, `now` passed in.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from meeting.core import clock
from meeting.core.dates import BEYOND_HORIZON, beyond_horizon
from meeting.core.evaluations import TWO_YEAR, milestone_kind
from meeting.core.i18n import N_
from meeting.core.text import CONTROL_CHARACTERS, has_control_characters, length_message, whole_number

STEPS = ("case_presentation", "systemic_analysis", "reflective_round", "options", "closing")
STEP_NAMES = {
    "case_presentation": N_("Case presentation"),
    "systemic_analysis": N_("Systemic analysis"),
    "reflective_round": N_("Reflective round"),
    "options": N_("Options for action"),
    "closing": N_("Closing and application"),
}
DEFAULT_MINUTES = {"case_presentation": 25, "systemic_analysis": 20, "reflective_round": 15, "options": 25,
                   "closing": 10}
MAX_STEP_MINUTES = 60
STEP_PROMPTS = {
    "case_presentation": (N_("One member presents their own case. The others listen and ask short clarifying"
                             " questions, without looking for solutions yet."),),
    "systemic_analysis": (N_("Fill in the hindering factors together: clinician, patient and organisation."),),
    "reflective_round": (N_("What do I recognise in my own practice? Do I tend to let treatments run on longer"
                            " than needed?"),
                         N_("At which level (patient, clinician or organisation) do I find finishing a treatment"
                            " the biggest challenge?")),
    "options": (N_("Which interventions are possible in this case at clinician, patient and organisation level?"),
                N_("What does this ask of the clinician?")),
    "closing": (N_("Everyone names one insight: where can I become sharper in my finishing moments?"),),
}
# The options for action end in the closing decision; recording it closes that step (as a decision closes
# an item), so the closing round's insights still have their own timed step afterwards.
DECISION_STEP = "options"
LEVELS = ("clinician", "patient", "organisation")  # the worksheet's columns, in the seed's order
FACTOR_NAMES = {"clinician": N_("Clinician factors"), "patient": N_("Patient factors"),
                "organisation": N_("Organisation factors")}
LEVEL_NAMES = {"clinician": N_("Clinician level"), "patient": N_("Patient level"),
               "organisation": N_("Organisation level")}
FACTOR_HINTS = {  # the worksheet's examples ("bijv.")
    "clinician": (N_("Sense of responsibility"), N_("Loyalty"), N_("Not knowing what to do"),
                  N_("Avoiding disappointment"), N_("Over-caring")),
    "patient": (N_("Fear of relapse or change"), N_("Dependence"), N_("Limited self-reliance"),
                N_("Secondary gain")),
    "organisation": (N_("Long waits for follow-up care"), N_("Unclear guidelines"), N_("Production pressure"),
                     N_("Funding structures")),
}
CARD_KINDS = {"systemic_analysis": "factor", "options": "option", "reflective_round": "insight",
              "closing": "insight"}
CARD_LIMITS = {"factor": 200, "option": 300, "insight": 400}
PREPARATION_FIELDS = ("request_and_start", "tried_towards_finishing", "finishing_hard")
PREPARATION_LIMIT = 1500
MAX_EXTERNAL_NAME = 100


@dataclass(frozen=True)
class Step:
    """One step of a session as stored: its item id, which step, its planned minutes."""
    id: int
    step: str
    minutes: int


@dataclass(frozen=True)
class StepProgress:
    """A step with its clock at a moment."""
    step: Step
    clock: clock.ClockState

    @property
    def state(self) -> str:
        """waiting (not started), current (running or paused) or done (its clock has ended)."""
        return {"not_started": "waiting", "ended": "done"}.get(self.clock.status, "current")


@dataclass(frozen=True)
class SessionView:
    """Everything the session's screens show about its steps and time at `now`."""
    steps: tuple[StepProgress, ...]
    current: StepProgress | None
    next_up: StepProgress | None
    planned_seconds: int  # the steps' minutes as planned, without extensions
    used_seconds: int  # time used by every step so far
    projected_seconds: int  # used so far plus what the current and waiting steps are still allowed

    @property
    def over_seconds(self) -> int:
        """How far the session will run over its planned length if the rest keeps to time (0 when not)."""
        return max(self.projected_seconds - self.planned_seconds, 0)


def session_view(steps: Iterable[Step], events: Mapping[int, list], current_id: int | None,
                 now: datetime) -> SessionView:
    """Derive the running session from its stored steps and their clock events."""
    ordered = sorted(steps, key=lambda s: STEPS.index(s.step))
    progress = tuple(StepProgress(s, clock.clock_state(events.get(s.id, ()), s.minutes * 60, now)) for s in ordered)
    current = next((p for p in progress if p.step.id == current_id), None)
    next_up = next((p for p in progress if p.state == "waiting" and p is not current), None)
    used = sum(p.clock.elapsed_seconds for p in progress)
    still_allowed = sum(max(p.clock.remaining_seconds, 0) for p in progress if p.state != "done")
    return SessionView(progress, current, next_up, sum(s.minutes * 60 for s in ordered), used, used + still_allowed)


def next_step_refusal(view: SessionView, state: str) -> str | None:
    """Why the chair cannot move on to the next step now, or None."""
    if state != "running":
        return N_("Start the session first.")
    if view.next_up is None:
        return N_("This is the last step: record the closing decision and end the session.")
    return None


def parse_minutes(form: Mapping) -> tuple[dict[str, int], dict[str, str]]:
    """Each step's minutes from `minutes_<step>` (blank: the seed's default); field -> message on error."""
    minutes, errors = {}, {}
    for step in STEPS:
        raw = str(form.get(f"minutes_{step}") or "").strip()
        value = whole_number(raw) if raw else DEFAULT_MINUTES[step]
        if value is None or not 1 <= value <= MAX_STEP_MINUTES:
            errors[f"minutes_{step}"] = N_("Give the minutes as a whole number from 1 to 60.")
        else:
            minutes[step] = value
    return minutes, errors


def validate_plan(form: Mapping, starts_at: datetime | None, now: datetime, client: Mapping | None,
                  presenter_ids: set[int], colleague_ids: set[int], session_day: date | None = None) -> dict[str, str]:
    """Field -> message for a planned session: a moment to come, an active client, a presenter from the
    team, the minutes per step, and after two years of treatment a named colleague; {} when valid."""
    errors = {}
    if starts_at is None:
        errors["day"] = N_("Give a date and a time.")
    elif starts_at < now:
        errors["day"] = N_("A session is planned from now on, not in the past.")
    elif beyond_horizon(starts_at, now):
        errors["day"] = BEYOND_HORIZON
    if client is None:
        errors["client_reference"] = N_("No active client with this reference in your team.")
    if _int(form.get("presenter_id")) not in presenter_ids:
        errors["presenter_id"] = N_("Choose who presents the case.")
    errors |= parse_minutes(form)[1] | _colleague_errors(form, colleague_ids)
    start = client and client.get("treatment_start")
    if start and session_day and milestone_kind(date.fromisoformat(start), session_day) == TWO_YEAR \
            and not colleague_named(form):
        errors["colleague_id"] = N_("After two years of treatment: name the colleague you invite to question"
                                    " the extension (from another team, or someone from outside).")
    return errors


def colleague_named(form: Mapping) -> bool:
    """Whether the plan names an invited colleague (a user from another team or an outside name)."""
    return bool(_int(form.get("colleague_id")) or str(form.get("external_colleague") or "").strip())


def _colleague_errors(form: Mapping, colleague_ids: set[int]) -> dict[str, str]:
    colleague, external = _int(form.get("colleague_id")), str(form.get("external_colleague") or "").strip()
    if colleague and external:
        return {"colleague_id": N_("Name one colleague: from another team, or from outside, not both.")}
    if colleague and colleague not in colleague_ids:
        return {"colleague_id": N_("Choose a colleague from another team.")}
    if has_control_characters(external):
        return {"external_colleague": CONTROL_CHARACTERS}
    if len(external) > MAX_EXTERNAL_NAME:
        return {"external_colleague": length_message(external, MAX_EXTERNAL_NAME)}
    return {}


def validate_preparation(form: Mapping) -> tuple[dict[str, str], dict[str, str]]:
    """The presenter's case preparation (texts, each optional); values and field -> message."""
    values = {field: str(form.get(field) or "").strip() for field in PREPARATION_FIELDS}
    errors = {}
    for field, text in values.items():
        if has_control_characters(text, multiline=True):
            errors[field] = CONTROL_CHARACTERS
        elif len(text) > PREPARATION_LIMIT:
            errors[field] = length_message(text, PREPARATION_LIMIT)
    return values, errors


def validate_card(step: str, form: Mapping) -> tuple[dict | None, dict[str, str]]:
    """A card for `step`: a factor or an option at a level, or one's insight; values or field -> message."""
    kind = CARD_KINDS.get(step)
    if kind is None:
        return None, {"step": N_("This step takes no cards.")}
    text = str(form.get("text") or "").strip()
    level = form.get("level") if kind != "insight" else None
    errors = {}
    if kind != "insight" and level not in LEVELS:
        errors["level"] = N_("Choose the level: clinician, patient or organisation.")
    if not text:
        errors["text"] = N_("Write something first.")
    elif has_control_characters(text, multiline=kind == "insight"):
        errors["text"] = CONTROL_CHARACTERS
    elif len(text) > CARD_LIMITS[kind]:
        errors["text"] = length_message(text, CARD_LIMITS[kind])
    return (None, errors) if errors else ({"step": step, "level": level, "text": text}, {})


def _int(value) -> int | None:
    return whole_number(value)


def board(cards: Iterable[Mapping]) -> dict[str, dict]:
    """The cards by step and, for factors and options, by level (insights under None), oldest first."""
    result: dict[str, dict[str | None, list]] = {
        step: {None: []} if kind == "insight" else {level: [] for level in LEVELS}
        for step, kind in CARD_KINDS.items()}
    for card in cards:
        if card["step"] in result:
            result[card["step"]].setdefault(card["level"], []).append(card)
    return result


def with_named_colleague(form: dict, session: Mapping) -> dict:
    """The two-year rule's colleague was named when the session was planned: the decision records them as invited."""
    if session.get("colleague_id") or (session.get("external_colleague") or "").strip():
        return form | {"colleague_invited": "yes"}
    return form
