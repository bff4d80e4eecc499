"""The rating of the meeting at its end, for a group, on the four dimensions of a session-rating scale
(seed 001, chapter 3): heard and understood, worked on what we wanted, the way we worked suited us, overall.
The item texts are our own. Anonymous: one tap per dimension and one thing to change next time. Pure.
"""
from collections.abc import Mapping

from meeting.core.i18n import N_
from meeting.core.text import CONTROL_CHARACTERS, has_control_characters, length_message, whole_number

DIMENSIONS = ("heard", "goals", "approach", "overall")
NAMES = {  # short names, for the minutes and the dashboard
    "heard": N_("Heard and understood"),
    "goals": N_("Worked on what we wanted"),
    "approach": N_("The way we worked suited us"),
    "overall": N_("Overall"),
}
QUESTIONS = {  # what a participant answers on the phone
    "heard": N_("Did we listen to each other, so that presenters felt heard and understood?"),
    "goals": N_("Did we work on the questions the presenters brought in?"),
    "approach": N_("Did the way we worked (the chair, the time, the bell) suit us?"),
    "overall": N_("All in all, was this a good meeting for us?"),
}
ANCHORS = {  # what 1 and 5 mean
    "heard": (N_("not at all"), N_("completely")),
    "goals": (N_("not at all"), N_("completely")),
    "approach": (N_("not at all"), N_("completely")),
    "overall": (N_("poor"), N_("good")),
}
SCALE = (1, 2, 3, 4, 5)
CHANGE_LIMIT = 300
MIN_RATERS = 3  # averages show from this many raters on
FEWER_THAN_MIN = N_("Fewer than 3 ratings: the averages show from 3 on, so nobody's own scores can be read.")


def validate(form: Mapping) -> tuple[dict, dict[str, str]]:
    """A participant's rating: a score from 1 to 5 per dimension, and an optional thing to change; and errors."""
    errors: dict[str, str] = {}
    values: dict[str, int | str | None] = {}
    for name in DIMENSIONS:
        raw = str(form.get(name) or "").strip()
        if whole_number(raw) not in SCALE:
            errors[name] = N_("Tap a score from 1 to 5.")
        else:
            values[name] = whole_number(raw)
    change = str(form.get("change_next") or "").strip()
    if len(change) > CHANGE_LIMIT:
        errors["change_next"] = length_message(change, CHANGE_LIMIT)
    elif has_control_characters(change, multiline=True):
        errors["change_next"] = CONTROL_CHARACTERS
    values["change_next"] = change
    return ({} if errors else values), errors


def averages_shown(raters: int) -> bool:
    """Whether averages over `raters` may be shown: from three on, as surveys do, so nobody's own scores show."""
    return raters >= MIN_RATERS


def shown_weeks(weeks: list[Mapping]) -> list[Mapping]:
    """The weeks (or months) whose averages may be shown: a week of one meeting would show its few raters' scores."""
    return [week for week in weeks if averages_shown(week["raters"])]


def period_averages(weeks: list[Mapping]) -> dict:
    """Over weekly averages: the period's average per dimension, weighted by raters (None without any), and raters."""
    raters = sum(week["raters"] for week in weeks)
    averages = {name: (sum(week[name] * week["raters"] for week in weeks) / raters if raters else None)
                for name in DIMENSIONS}
    return averages | {"raters": raters}

