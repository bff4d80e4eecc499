"""Members on their phones: the upcoming meetings, submitting items, the agenda."""
from dataclasses import replace
from datetime import datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from meeting.core import items as item_rules
from meeting.core import planning, preparation
from meeting.core.text import parse_whole_number
from meeting.store import client_evaluations as evaluation_store
from meeting.store import clients as client_store
from meeting.store import items as item_store
from meeting.store import meetings as meeting_store
from meeting.store import teams as team_store
from meeting.store.db import utcnow
from meeting.web import review_helpers
from meeting.web.shared import actor, get_db, login_guarded, shown, team_today, team_view, translate

bp = login_guarded(Blueprint("agenda", __name__))
PRESENTERS = ("member", "chair")


@bp.get("/teams/<int:team_id>/meetings")
@team_view()
def meetings(team_id: int):
    """The coming meetings (the schedule's, created by the scheduler, a team's creation or its settings) and my items
    on them."""
    upcoming = meeting_store.upcoming(get_db(), team_id, utcnow())
    mine = item_store.items_of_presenter(get_db(), team_id, current_user.id, [m["id"] for m in upcoming])
    return render_template("agenda/meetings.html", meetings=upcoming, mine=mine, now=utcnow(),
                           past=meeting_store.recently_closed(get_db(), team_id))


@bp.get("/teams/<int:team_id>/meetings/<int:meeting_id>/")
@team_view()
def agenda(team_id: int, meeting_id: int):
    """A meeting's agenda in its planned order with times; own items show their state."""
    meeting = meeting_store.get_meeting(get_db(), team_id, meeting_id) or abort(404)
    if meeting["kind"] != "weekly":  # a complex-case session has its own pages (views/session.py)
        abort(404)
    rows = item_store.agenda_items(get_db(), actor(), team_id, meeting_id)
    slots = planning.schedule([item_rules.agenda_item(r, team_today(g.team),
                                                      g.team["evaluation_interval_months"]) for r in rows],
                              meeting["order_policy"], datetime.fromisoformat(meeting["starts_at"]))
    by_id = {r["id"]: r for r in rows}
    mine = item_store.items_of_presenter(get_db(), team_id, current_user.id, [meeting_id])
    return render_template("agenda/agenda.html", meeting=meeting, slots=slots, by_id=by_id, mine=mine,
                           to_prepare={r["id"]: preparation.still_to_prepare(r) for r in rows},
                           state=item_rules.effective_state(meeting, utcnow()),
                           consent_ids={i.id for i in planning.consent_block([s.item for s in slots],
                                                                             meeting["order_policy"])})


@bp.route("/teams/<int:team_id>/items/new", methods=["GET", "POST"])
@team_view(*PRESENTERS)
def new_item(team_id: int):
    """Bring in an item, on a phone, in under a minute."""
    choices = _meeting_choices(team_id)
    if request.method == "GET":
        wanted = request.args.get("meeting_id", type=parse_whole_number)
        form = {"meeting_id": wanted or (choices and choices[0]["id"]), "track": request.args.get("track", ""),
                "client_reference": request.args.get("client", "")}
        return render_template("agenda/item_form.html", form=form, errors={}, meetings=choices, item=None,
                               check=_client_check(team_id, form), **_form_context(None, choices))
    meeting = next((m for m in choices if m["id"] == request.form.get("meeting_id", type=parse_whole_number)), None)
    values, errors = item_rules.validate_item(request.form, _references(team_id), _default_minutes(),
                                                **_preparation_context(team_id))
    if meeting is None:
        errors["meeting_id"] = _("Choose a meeting whose agenda is still open.")
    if errors:
        return render_template("agenda/item_form.html", form=request.form, errors=errors, meetings=choices, item=None,
                               check=_client_check(team_id, request.form), **_form_context(None, choices)), 400
    late = not item_rules.open_for_submission(meeting, utcnow())
    item_store.add_item(get_db(), actor(), team_id, meeting["id"], current_user.id, values, late=late)
    flash(_("Your item is on the agenda."))
    _say_what_is_still_to_prepare(vars(values), meeting)
    return redirect(url_for("agenda.agenda", team_id=team_id, meeting_id=meeting["id"]))


def _say_what_is_still_to_prepare(values: dict, meeting: dict) -> None:
    """Tell the presenter, after a save, what the item still lacks of its preparation and until when (a late item,
    after the deadline, can no longer be completed: nothing to say)."""
    missing = preparation.still_to_prepare(values)
    if missing and item_rules.open_for_submission(meeting, utcnow()):
        flash(_("Still to prepare until the deadline (%(moment)s): %(parts)s.",
                moment=format_datetime(datetime.fromisoformat(meeting["deadline_at"]), "EEE d MMM HH:mm"),
                parts=", ".join(translate(preparation.PREPARATION_PARTS[part]) for part in missing)))


def _form_context(item: dict | None, meetings: list[dict]) -> dict:
    """What the item form shows besides the item: the colleagues one may name for input, and of the item's client
    the last evaluation with the client and the day it falls due when this review is the last before it."""
    named = [m for m in team_store.members(get_db(), g.team["id"]) if m["active"] and m["id"] != current_user.id]
    client_id = item and item["client_id"]
    if not client_id:
        return {"named_colleagues": named, "needed_by": None, "last_evaluated_with_client": None}
    needed = review_helpers.with_client_needed([client_id], meetings[0]["starts_at"]) if meetings else {}
    return {"named_colleagues": named, "needed_by": needed.get(client_id),
            "last_evaluated_with_client": evaluation_store.last_with_client(get_db(), client_id)}


def _meeting_choices(team_id: int) -> list[dict]:
    """Meetings a member may submit to (deadline not passed); a chair may add late items until it closes."""
    now = utcnow()
    allowed = ("planned", "frozen", "running") if g.role == "chair" else ("planned",)
    return [m for m in meeting_store.upcoming(get_db(), team_id, now)
            if item_rules.effective_state(m, now) in allowed]


def _references(team_id: int) -> dict[str, int]:
    return client_store.active_reference_ids(get_db(), team_id)


def _preparation_context(team_id: int) -> dict:
    """What checking a preparation needs: the colleagues one may name, and today in the team's time zone."""
    return {"member_ids": {m["id"] for m in team_store.members(get_db(), team_id) if m["active"]},
            "today": team_today(g.team)}


def _default_minutes() -> dict[str, int]:
    return {label: g.team[f"minutes_{label}"] for label in item_rules.LABEL_NAMES}


@bp.route("/teams/<int:team_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@team_view(*PRESENTERS)
def edit_item(team_id: int, item_id: int):
    """The presenter edits an own item until the agenda freezes."""
    item, meeting = _own_open_item(team_id, item_id)
    if request.method == "GET":
        form = dict(item, client_reference=item["client_reference"] or "", meeting_id=meeting["id"],
                    title=shown(item["title"]), need=shown(item["need"]))
        return render_template("agenda/item_form.html", form=form, errors={}, meetings=[meeting], item=item,
                               check=_client_check(team_id, form), **_form_context(item, [meeting]))
    values, errors = item_rules.validate_item(request.form, _references(team_id), _default_minutes(),
                                                **_preparation_context(team_id))
    if not errors:
        try:
            item_store.update_item(get_db(), actor(), team_id, item_id, request.form.get("version",
                                                                                         type=parse_whole_number),
                                   _generated_kept(values, item))
            flash(_("Your item is saved."))
            _say_what_is_still_to_prepare(vars(values), meeting)
            return redirect(url_for("agenda.agenda", team_id=team_id, meeting_id=meeting["id"]))
        except item_store.Conflict:
            errors["version"] = _("Someone changed this item meanwhile. Reload it and make your change again.")
    return render_template("agenda/item_form.html", form=request.form, errors=errors, meetings=[meeting], item=item,
                           check=_client_check(team_id, request.form), **_form_context(item, [meeting])), \
        409 if "version" in errors else 400


def _generated_kept(values: item_rules.ItemInput, item: dict) -> item_rules.ItemInput:
    """A generated title or need the presenter left as shown stays generated (each reader keeps their language);
    one they changed is theirs, as typed."""
    kept = {field: item[field] for field in ("title", "need") if getattr(values, field) == shown(item[field])}
    return replace(values, **kept)


@bp.post("/teams/<int:team_id>/items/<int:item_id>/withdraw")
@team_view(*PRESENTERS)
def withdraw_item(team_id: int, item_id: int):
    """The presenter takes an own item off the agenda before the freeze."""
    item, meeting = _own_open_item(team_id, item_id)
    item_store.set_item_state(get_db(), team_id, item_id, "withdrawn")
    flash(_("Your item is withdrawn."))
    return redirect(url_for("agenda.agenda", team_id=team_id, meeting_id=meeting["id"]))


def _own_open_item(team_id: int, item_id: int) -> tuple[dict, dict]:
    """The current user's own planned item on a meeting still open for changes; else 404/403."""
    item = item_store.get_item(get_db(), actor(), team_id, item_id) or abort(404)
    if item["presenter_id"] != current_user.id:
        abort(403)
    meeting = meeting_store.get_meeting(get_db(), team_id, item["meeting_id"])
    if item["state"] != "planned" or not item_rules.open_for_submission(meeting, utcnow()):
        abort(403)
    return item, meeting


@bp.post("/teams/<int:team_id>/items/<int:item_id>/discuss")
@team_view()
def discuss_announcement(team_id: int, item_id: int):
    """Anyone may pull an announcement out of the consent block: it becomes a question to discuss."""
    item = item_store.get_item(get_db(), actor(), team_id, item_id) or abort(404)
    if item["label"] == "announcement" and item["state"] == "planned":
        item_store.relabel(get_db(), team_id, item_id, "question")
        flash(_("The announcement is taken out of the consent block and will be discussed."))
    if request.form.get("back") == "live":
        return redirect(url_for("live.phone", team_id=team_id, meeting_id=item["meeting_id"]))
    return redirect(url_for("agenda.agenda", team_id=team_id, meeting_id=item["meeting_id"]))


@bp.get("/teams/<int:team_id>/client-check")
@team_view(*PRESENTERS)
def client_check(team_id: int):
    """The client reference as it is typed: the client it names with what is known, else its matches, else why none."""
    return render_template("agenda/_client_check.html", check=_client_check(team_id, request.args), oob=True)


def _client_check(team_id: int, form) -> dict | None:
    """What the item form says under the client reference (None while it is empty); each client shown is logged."""
    text = (form.get("client_reference") or "").strip().upper()[:20]
    if not text:
        return None
    known = evaluation_store.known_for_item(get_db(), actor(), team_id, text, utcnow())
    if known:
        return {"state": "found", "client": known, "rows": [known]}
    rows = client_store.reference_suggestions(get_db(), actor(), team_id, text)
    return {"state": "partial" if rows else "none", "text": text, "rows": rows}


@bp.get("/teams/<int:team_id>/client-suggestions")
@team_view(*PRESENTERS)
def client_suggestions(team_id: int):
    """Search-as-you-type: matching references as <option>s for the form's datalist."""
    text = request.args.get("client_reference", "").strip()[:20]
    rows = client_store.reference_suggestions(get_db(), actor(), team_id, text) if text else []
    return render_template("agenda/_client_suggestions.html", rows=rows)
