"""Template helpers for the review's preparation: whose input, the prepared evaluation with the client,
the meeting rating, registered as Jinja globals; and what a view reads for them (`with_client_needed`)."""
from datetime import date

from flask import g

from meeting.core import client_evaluation, consultation, evaluations, meeting_rating, preparation
from meeting.store import client_evaluations as evaluation_store
from meeting.store import teams as team_store
from meeting.web.shared import get_db, translate


def init_app(app) -> None:
    """Make the helpers and choice lists available to every template."""
    app.jinja_env.globals.update(
        whose_input=whose_input, chosen_inputs=preparation.chosen_inputs,
        evaluation_values=client_evaluation.form_values,
        recorded_values=client_evaluation.recorded_values,
        DISCIPLINES=preparation.DISCIPLINES, INPUT_KINDS=preparation.INPUT_KINDS,
        PROPOSED_OUTCOMES=preparation.PROPOSED_OUTCOMES, PREPARATION_PARTS=preparation.PREPARATION_PARTS,
        PROPOSED_OUTCOME_BADGES=preparation.PROPOSED_OUTCOME_BADGES, ROM_DOMAINS=client_evaluation.ROM_DOMAINS,
        DIRECTIONS=client_evaluation.DIRECTIONS, ARROWS=client_evaluation.ARROWS,
        EVALUATION_LIMITS=client_evaluation.TEXT_LIMITS, CONSULTATION_LIMITS=consultation.LIMITS,
        RATING_DIMENSIONS=meeting_rating.DIMENSIONS, RATING_NAMES=meeting_rating.NAMES,
        RATING_QUESTIONS=meeting_rating.QUESTIONS, RATING_ANCHORS=meeting_rating.ANCHORS,
        RATING_SCALE=meeting_rating.SCALE, RATING_CHANGE_LIMIT=meeting_rating.CHANGE_LIMIT,
        rating_averages_shown=meeting_rating.averages_shown, RATING_FEWER_THAN_MIN=meeting_rating.FEWER_THAN_MIN)


def input_names(team_id: int) -> dict[int, str]:
    """The name of each member of the team, former ones included (an item may want input from one who left): what a
    view passes as `input_names` to a template that shows whose input an item wants."""
    return {m["id"]: m["name"] for m in team_store.members(get_db(), team_id)}


def whose_input(item: dict, names: dict[int, str]) -> list[str]:
    """The disciplines (translated) and colleagues (by name, from the view's `input_names`) the item's presenter wants
    input from."""
    return [_in_a_sentence(translate(text)) if kind == "discipline" else text
            for kind, text in preparation.whose_input(item.get("input_from"), names)]


def _in_a_sentence(name: str) -> str:
    """'Psychiatrist' as it reads after 'from': lower case, unless it starts with an abbreviation (IPS)."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def with_client_needed(client_ids: list[int], starts_at: str) -> dict[int, date]:
    """Per client (of `client_ids`) whose evaluation with the client falls due before the team's next review after
    the meeting starting at `starts_at` (`client_evaluation.needed_before_next_review`): the day it falls due. For a
    view to pass to its template."""
    review_day = evaluations.local_day(starts_at, g.team["timezone"])
    dues = evaluation_store.with_client_dues(get_db(), g.team["id"], client_ids)
    return {client_id: due for client_id, due in dues.items()
            if client_evaluation.needed_before_next_review(due, review_day, g.team["evaluation_interval_months"])}
