"""Members read each other's prepared stories for a coming meeting from the agenda (pseudonymous, logged)."""
from flask import Blueprint, abort, render_template

from meeting.store import stories as story_store
from meeting.web.review_helpers import input_names
from meeting.web.shared import actor, get_db, login_guarded, team_view

bp = login_guarded(Blueprint("stories", __name__))
STORY = "/teams/<int:team_id>/items/<int:item_id>/story"


def _story(team_id: int, item_id: int) -> dict:
    return story_store.read_story(get_db(), actor(), team_id, item_id) or abort(404)


@bp.get(STORY)
@team_view("member", "chair")
def story(team_id: int, item_id: int):
    """A colleague's preparation as a page (without script, or to share the link)."""
    return render_template("agenda/story.html", item=_story(team_id, item_id), input_names=input_names(team_id))


@bp.get(STORY + "/fragment")
@team_view("member", "chair")
def story_fragment(team_id: int, item_id: int):
    """The same preparation as a fragment, opened in place on the agenda."""
    return render_template("agenda/_story.html", item=_story(team_id, item_id), input_names=input_names(team_id))
