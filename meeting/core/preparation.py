"""What a presenter prepares beyond the title and the need: whose input they want and of what kind,
a finish announced for the consent block, and the prepared evaluation with the client. Pure.

Seed 001, chapter 5: the presenter says what role they want from the team members ("rol en functie
van de teamleden"), so advice is not brushed aside and the discussion stays with their question.
"""
from collections.abc import Mapping
from datetime import date

from meeting.core import client_evaluation
from meeting.core.i18n import N_

DISCIPLINES = {
    "psychiatrist": N_("Psychiatrist"),
    "psychologist": N_("Psychologist"),
    "nurse": N_("Nurse"),
    "peer_expert": N_("Peer expert"),
    "ips": N_("IPS employment specialist"),
    "addiction_physician": N_("Addiction physician"),
    "social_worker": N_("Social worker"),
    "whole_team": N_("The whole team"),
}
INPUT_KINDS = {"advice": N_("Advice"), "decision": N_("A decision of the team"),
               "second_opinion": N_("A second opinion")}
PROPOSED_OUTCOMES = {"finish": N_("The treatment finishes: the client and I agree.")}
PROPOSED_OUTCOME_BADGES = {"finish": N_("treatment finishes, client agrees")}  # as others read it
MAX_INPUT_CHOICES = 8
COLLEAGUE = "user:"


def chosen_inputs(form: Mapping | None) -> list[str]:
    """The input codes of a posted form (a list) or a stored item ('a,b'), in their order."""
    form = form or {}
    raw = form.getlist("input_from") if hasattr(form, "getlist") else form.get("input_from")
    if isinstance(raw, str):
        raw = raw.split(",")
    return [code.strip() for code in raw or () if code and code.strip()]


def _input_errors(codes: list[str], kind: str, member_ids: set[int]) -> dict[str, str]:
    errors = {}
    for code in codes:
        colleague = code.removeprefix(COLLEAGUE)
        if code not in DISCIPLINES and not (code.startswith(COLLEAGUE) and colleague.isdigit()
                                            and int(colleague) in member_ids):
            errors["input_from"] = N_("Choose disciplines and colleagues of your team.")
    if len(codes) > MAX_INPUT_CHOICES:
        errors["input_from"] = N_("Name at most eight: whose input do you need most?")
    if kind and kind not in INPUT_KINDS:
        errors["input_kind"] = N_("Choose advice, a decision of the team or a second opinion.")
    return errors


def _proposal_errors(form: Mapping, track: str | None, label: str | None, client_id: int | None) -> dict[str, str]:
    proposed = (form.get("proposed_outcome") or "").strip()
    if not proposed:
        return {}
    if proposed not in PROPOSED_OUTCOMES:
        return {"proposed_outcome": N_("Choose one of the options.")}
    if track != "regular" or label != "announcement" or not client_id:
        return {"proposed_outcome": N_(
            "Only an announcement about a client's regular review can say that the treatment finishes.")}
    return {}


def validate_preparation(form: Mapping, track: str | None, label: str | None, client_id: int | None,
                         member_ids: set[int], today: date | None) -> tuple[dict, dict[str, str]]:
    """The item's preparation fields (input_from, input_kind, proposed_outcome, evaluation_prep) and errors.

    Only a regular review keeps a prepared evaluation with the client.
    """
    codes = list(dict.fromkeys(chosen_inputs(form)))
    kind = (form.get("input_kind") or "").strip()
    errors = _input_errors(codes, kind, member_ids) | _proposal_errors(form, track, label, client_id)
    evaluation, evaluation_errors = client_evaluation.validate(form, today) if track == "regular" else ({}, {})
    errors |= evaluation_errors
    if errors:
        return {}, errors
    return {"input_from": ",".join(codes), "input_kind": kind or None,
            "proposed_outcome": (form.get("proposed_outcome") or "").strip() or None,
            "evaluation_prep": client_evaluation.to_preparation(evaluation)}, {}


def whose_input(input_from: str | None, names: Mapping[int, str]) -> list[tuple[str, str]]:
    """(kind, text) per wanted input: ('discipline', N_ name) or ('colleague', the colleague's name)."""
    shown = []
    for code in chosen_inputs({"input_from": input_from or ""}):
        if code in DISCIPLINES:
            shown.append(("discipline", DISCIPLINES[code]))
        elif code.startswith(COLLEAGUE) and code.removeprefix(COLLEAGUE).isdigit():
            name = names.get(int(code.removeprefix(COLLEAGUE)))
            if name:
                shown.append(("colleague", name))
    return shown


PREPARATION_PARTS = {"current_state": N_("the current state of the treatment"),
                     "case": N_("the case preparation"),
                     "evaluation": N_("the evaluation with the client"),
                     "whose_input": N_("whose input you want")}
CASE_PROMPTS = ("request_and_start", "tried_towards_finishing", "finishing_hard")


def still_to_prepare(item: Mapping) -> list[str]:
    """What an item on the agenda still lacks of its preparation (PREPARATION_PARTS' keys, in that order).

    A quick submission needs only track, label, client, title and need; the rest may follow until the deadline.
    An announcement needs nothing more (the team only takes note; an announced finish has what the consent block
    records); a question or issue needs the current state and whose input; a regular review also the case
    preparation and the evaluation with the client.
    """
    if item.get("label") == "announcement":
        return []
    missing: list[str] = []
    if not (item.get("current_state") or "").strip():
        missing.append("current_state")
    if item.get("track") == "regular":
        if not any((item.get(field) or "").strip() for field in CASE_PROMPTS):
            missing.append("case")
        if not item.get("evaluation_prep"):
            missing.append("evaluation")
    if not chosen_inputs({"input_from": item.get("input_from") or ""}):
        missing.append("whose_input")
    return missing
