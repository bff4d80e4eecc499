"""The decision form as both session kinds read it: the weekly meeting's items and a complex-case session's close."""
from flask_babel import gettext as _

from meeting.core import closing, decision_extras
from meeting.core.text import whole_number


def posted_decision(form) -> dict:
    """The posted decision as a plain dict, with up to three action rows."""
    values = {key: form.get(key, "").strip() for key in form if not key.startswith("action-")}
    values["actions"] = [{"description": form.get(f"action-{i}-description", "").strip(),
                          "owner": form.get(f"action-{i}-owner", ""), "due": form.get(f"action-{i}-due", "")}
                         for i in range(3)]
    return values


def decision_errors(item: dict, form: dict, today, member_ids: set[int]) -> dict:
    """Field -> message: the core's closing rules, the evaluation with the client and consultation, the owners."""
    errors = closing.validate_decision(item, form, today) | decision_extras.validate_decision_extras(item, form, today)
    return errors | {f"actions.{i}.owner": _("Choose a team member as owner.") for i, action in enumerate(form["actions"])
                     if action["owner"] and whole_number(action["owner"]) not in member_ids}
