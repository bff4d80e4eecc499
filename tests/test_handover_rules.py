"""The step-down handover's pure rules: its checklist, when it is done, gaps, and when the client leaves."""
from datetime import date

import pytest

from meeting.core import handover
from meeting.core.handover import POINTS
from meeting.core.i18n import plain

TODAY = date(2026, 3, 10)
ALL_DONE = {f"status_{p}": "done" for p in POINTS} | {
    "warm_meeting_on": "2026-03-02", "warm_attendees": "client, father, POH-ggz, own nurse",
    "new_care_starts_on": "2026-03-20", "last_contact_on": "2026-03-24"}


def test_stepping_down_and_finishing_open_a_handover():
    assert handover.opens_handover("step_down") and handover.opens_handover("finish")
    assert not any(handover.opens_handover(o) for o in ("continue_adjusted", "consultation", None))
    assert handover.initial_last_contact("finish", TODAY) == TODAY
    assert handover.initial_last_contact("step_down", TODAY) is None


@pytest.mark.parametrize("name, changes, fields", [
    ("all done without a gap", {}, set()),
    ("nothing ticked yet", {f"status_{p}": "open" for p in POINTS}, set()),
    ("not applicable needs a note", {"status_network": "not_applicable"}, {"note_network"}),
    ("not applicable with a note", {"status_network": "not_applicable", "note_network": "Lives alone, no one"}, set()),
    ("warm handover without its date", {"warm_meeting_on": ""}, {"status_warm_handover"}),
    ("warm handover without who attended", {"warm_attendees": " "}, {"status_warm_handover"}),
    ("no gap while the new care starts later", {"new_care_starts_on": "2026-04-20"}, {"status_no_gap"}),
    ("no gap without the last contact", {"last_contact_on": ""}, {"status_no_gap"}),
    ("the new care starting on the last contact leaves no gap", {"new_care_starts_on": "2026-03-24"}, set()),
    ("a gap is allowed while the point is open", {"status_no_gap": "open", "new_care_starts_on": "2026-05-01"}, set()),
    ("an impossible date", {"warm_meeting_on": "2026-02-30"}, {"warm_meeting_on", "status_warm_handover"}),
    ("a date years away", {"last_contact_on": "2029-01-01"}, {"last_contact_on"}),
    ("an unknown status", {"status_stable": "maybe"}, {"status_stable"}),
    ("an unknown receiving care", {"receiving_care": "hospital"}, {"receiving_care"}),
    ("control characters in a note", {"note_stable": "ok\x00"}, {"note_stable"}),
    ("a note too long", {"note_stable": "x" * 501}, {"note_stable"}),
])
def test_the_checklist(name, changes, fields):
    values, errors = handover.validate(ALL_DONE | changes, TODAY)
    assert set(errors) == fields, name
    assert (values is None) == bool(fields)


def test_validated_values_hold_dates_and_every_point():
    values, _ = handover.validate(ALL_DONE | {"receiving_care": "gp_nurse", "note_stable": " lithium stopped "}, TODAY)
    assert values["last_contact_on"] == date(2026, 3, 24) and values["receiving_care"] == "gp_nurse"
    assert set(values["statuses"]) == set(POINTS) and values["notes"]["stable"] == "lithium stopped"


def test_done_when_every_point_is_done_or_not_applicable_and_the_last_contact_is_known():
    statuses = {p: "done" for p in POINTS}
    assert handover.is_done(statuses, TODAY)
    assert not handover.is_done(statuses, None)
    assert handover.is_done(statuses | {"network": "not_applicable"}, TODAY)
    assert not handover.is_done(statuses | {"network": "open"}, TODAY)
    assert handover.progress(statuses | {"network": "open", "stable": "not_applicable"}) == 5


@pytest.mark.parametrize("stored, no_gap, flag", [
    ({"new_care_starts_on": "2026-04-01", "last_contact_on": "2026-03-15"}, "open", "gap"),
    ({"new_care_starts_on": "2026-03-15", "last_contact_on": "2026-03-15"}, "open", None),
    ({"new_care_starts_on": None, "last_contact_on": "2026-03-01"}, "open", "unknown"),
    ({"new_care_starts_on": None, "last_contact_on": "2026-03-01"}, "not_applicable", None),
    ({"new_care_starts_on": None, "last_contact_on": "2026-03-30"}, "open", None),  # not yet passed
    ({"new_care_starts_on": None, "last_contact_on": None}, "open", None),
])
def test_the_dashboard_flags_a_gap_between_the_last_contact_and_the_new_care(stored, no_gap, flag):
    assert handover.gap_flag(stored, {"no_gap": no_gap}, TODAY) == flag


ACTIVE = {"status": "active", "finished_on": None}


@pytest.mark.parametrize("name, last, left, client, expected", [
    ("no last contact yet", None, None, ACTIVE, None),
    ("last contact still to come", date(2026, 3, 11), None, ACTIVE, None),
    ("last contact today: leaves today", TODAY, None, ACTIVE,
     handover.Leaving({"status": "finished", "finished_on": TODAY}, TODAY)),
    ("last contact passed: leaves on that date", date(2026, 3, 1), None, ACTIVE,
     handover.Leaving({"status": "finished", "finished_on": date(2026, 3, 1)}, date(2026, 3, 1))),
    ("applied already", TODAY, TODAY, {"status": "finished", "finished_on": "2026-03-10"}, None),
    ("finished by hand before: only recorded", TODAY, None, {"status": "finished", "finished_on": "2026-02-01"},
     handover.Leaving({}, TODAY)),
    ("last contact moved earlier", date(2026, 3, 5), TODAY, {"status": "finished", "finished_on": "2026-03-10"},
     handover.Leaving({"finished_on": date(2026, 3, 5)}, date(2026, 3, 5))),
    ("last contact moved to the future: back in the count", date(2026, 4, 1), TODAY,
     {"status": "finished", "finished_on": "2026-03-10"},
     handover.Leaving({"status": "active", "finished_on": None}, None)),
    ("reopened by hand after leaving: left alone", date(2026, 4, 1), TODAY, ACTIVE, None),
    ("reopened by hand, date passed: left alone", TODAY, TODAY, ACTIVE, None),
])
def test_the_client_leaves_the_active_count_on_the_last_contact_date_not_before(name, last, left, client, expected):
    assert handover.leaving(last, left, client, TODAY) == expected, name


def test_the_announcement_keeps_the_handover_on_the_agenda():
    item = handover.announcement(5, "FN-001A", 2, 2)
    assert (item.track, item.label, item.client_id, item.minutes) == ("regular", "announcement", 5, 2)
    assert plain(item.title) == "Handover FN-001A: 2 of 6 points done"


def test_annotated_rows_put_gaps_first_then_the_oldest_open_ones():
    rows = [{"id": 1, "opened_on": "2026-03-01", "done_on": None, "no_gap": "open"},
            {"id": 2, "opened_on": "2026-01-01", "done_on": None, "no_gap": "open"},
            {"id": 3, "opened_on": "2026-03-05", "done_on": None, "no_gap": "open",
             "new_care_starts_on": "2026-04-01", "last_contact_on": "2026-03-20"},
            {"id": 4, "opened_on": "2025-12-01", "done_on": "2026-02-01", "no_gap": "done"}]
    result = handover.annotated(rows, TODAY)
    assert [r["id"] for r in result] == [3, 2, 1, 4]
    assert result[0]["flag"] == "gap" and result[0]["gap_days"] == 12 and result[1]["age_days"] == 68
