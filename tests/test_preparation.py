"""What a presenter prepares: whose input and of what kind, an announced finish, the evaluation with the client."""
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from meeting.core.items import validate_item
from meeting.core.preparation import chosen_inputs, validate_preparation, whose_input

TODAY = date(2026, 6, 30)
MEMBERS = {7, 8}
REFERENCES = {"C-1": 11}
MINUTES = {"announcement": 2, "question": 5, "issue": 10}


def item_form(**fields) -> MultiDict:
    base = {"track": "regular", "label": "question", "client_reference": "C-1", "title": "Continue?",
            "need": "A decision"}
    form = MultiDict(base | {k: v for k, v in fields.items() if not isinstance(v, list)})
    for key, values in fields.items():
        if isinstance(values, list):
            form.setlist(key, values)
    return form


def test_whose_input_and_the_evaluation_are_kept_on_the_item():
    item, errors = validate_item(item_form(input_from=["psychiatrist", "user:8", "peer_expert"], input_kind="advice",
                                           evaluated_with_client_on="2026-05-02", rom_personal="better"),
                                 REFERENCES, MINUTES, MEMBERS, TODAY)
    assert errors == {}
    assert (item.input_from, item.input_kind, item.proposed_outcome) == ("psychiatrist,user:8,peer_expert", "advice",
                                                                         None)
    assert item.evaluation_prep == '{"evaluated_with_client_on": "2026-05-02", "rom_personal": "better"}'


@pytest.mark.parametrize("fields, errors", [
    ({"input_from": ["surgeon"]}, {"input_from"}),
    ({"input_from": ["user:99"]}, {"input_from"}),  # not a member of the team
    ({"input_from": ["user:x"]}, {"input_from"}),
    ({"input_from": ["psychiatrist", "psychologist", "nurse", "peer_expert", "ips", "addiction_physician",
                     "social_worker", "whole_team", "user:7"]}, {"input_from"}),
    ({"input_kind": "gossip"}, {"input_kind"}),
    ({"input_kind": "second_opinion", "input_from": ["whole_team"]}, set()),
    ({"evaluated_with_client_on": "2026-07-01"}, {"evaluated_with_client_on"}),
    ({"proposed_outcome": "finish"}, {"proposed_outcome"}),  # a question, not an announcement
    ({"proposed_outcome": "finish", "label": "announcement"}, set()),
    ({"proposed_outcome": "finish", "label": "announcement", "track": "acute"}, {"proposed_outcome"}),
    ({"proposed_outcome": "step_up", "label": "announcement"}, {"proposed_outcome"}),
])
def test_preparation_errors(fields, errors):
    item, found = validate_item(item_form(**fields), REFERENCES, MINUTES, MEMBERS, TODAY)
    assert set(found) == errors
    assert (item is None) == bool(errors)


def test_an_acute_item_keeps_no_prepared_evaluation():
    item, errors = validate_item(item_form(track="acute", evaluated_with_client_on="2026-05-02"),
                                 REFERENCES, MINUTES, MEMBERS, TODAY)
    assert errors == {} and item.evaluation_prep == ""


def test_the_old_call_without_members_still_validates_an_item():
    item, errors = validate_item(item_form(), REFERENCES, MINUTES)
    assert errors == {} and item.input_from == "" and item.evaluation_prep == ""


def test_chosen_inputs_from_a_posted_form_or_a_stored_item():
    assert chosen_inputs(MultiDict([("input_from", "nurse"), ("input_from", "user:3")])) == ["nurse", "user:3"]
    assert chosen_inputs({"input_from": "nurse,user:3"}) == ["nurse", "user:3"]
    assert chosen_inputs({"input_from": ""}) == [] and chosen_inputs(None) == []


def test_whose_input_names_disciplines_and_colleagues_and_skips_the_unknown():
    assert whose_input("psychiatrist,user:8,user:99,nonsense", {8: "Ruben Vos"}) == [
        ("discipline", "Psychiatrist"), ("colleague", "Ruben Vos")]


def test_duplicates_are_named_once():
    prepared, errors = validate_preparation(MultiDict([("input_from", "ips"), ("input_from", "ips")]), "acute",
                                            "issue", None, MEMBERS, TODAY)
    assert errors == {} and prepared["input_from"] == "ips"
