"""External consultation when a team is stuck (seed 000): what is asked, of whom, and the answer, which
comes back to the agenda as an item. Pure."""
from collections.abc import Mapping

from meeting.core.i18n import N_, generated
from meeting.core.items import ItemInput
from meeting.core.text import CONTROL_CHARACTERS, has_control_characters, length_message

LIMITS = {"consultation_question": 500, "consultation_asked_of": 120, "answer": 1500, "need": 500}
ANSWER_MINUTES = 10
ANSWER_TITLE = N_("Consultation answer: %(title)s")


def _text(form: Mapping, name: str) -> str:
    value = form.get(name)
    return "" if value is None else str(value).strip()


def _text_errors(form: Mapping, name: str, missing: str) -> dict[str, str]:
    text = _text(form, name)
    if not text:
        return {name: missing}
    if len(text) > LIMITS[name]:
        return {name: length_message(text, LIMITS[name])}
    if has_control_characters(text, multiline=name != "consultation_asked_of"):
        return {name: CONTROL_CHARACTERS}
    return {}


def asks_consultation(form: Mapping) -> bool:
    """Whether the decision's outcome is to ask for external consultation."""
    return _text(form, "outcome") == "consultation"


def validate_request(form: Mapping) -> dict[str, str]:
    """With the outcome 'external consultation': what is asked, and of whom; {} when valid or not asked."""
    if not asks_consultation(form):
        return {}
    return (_text_errors(form, "consultation_question", N_("Say what you ask the consultant.")) |
            _text_errors(form, "consultation_asked_of", N_("Say whom you ask: a centre or a named expert.")))


def validate_answer(form: Mapping) -> dict[str, str]:
    """The consultation's answer as the team received it, and what the presenter needs from the team now."""
    return (_text_errors(form, "answer", N_("Write down the answer you received.")) |
            _text_errors(form, "need", N_("Say what you need from the team.")))


def answer_item(consultation: Mapping, answer: str, need: str) -> ItemInput:
    """The item that brings the answer back to the team: same track and client, an issue to discuss; its title is
    generated from the asking item's (shown in each reader's language), the need and the answer as typed."""
    return ItemInput(track=consultation["track"], label="issue", client_id=consultation["client_id"],
                     title=generated(ANSWER_TITLE, title=consultation["title"]), need=need.strip()[:500],
                     current_state=answer.strip()[:1500],
                     request_and_start="", tried_towards_finishing="", finishing_hard="", minutes=ANSWER_MINUTES)
