"""Actions follow through: only done closes them; a move needs a new date after today."""
from datetime import date

import pytest

from meeting.core.actions import status_after, validate_review

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize("review, status", [("done", "done"), ("not_done", "open"), ("moved", "open")])
def test_only_done_closes_an_action(review, status):
    assert status_after(review) == status


@pytest.mark.parametrize("review, due, field", [
    ("moved", "", "due"), ("moved", "2026-13-01", "due"), ("moved", "2026-03-10", "due"),
    ("lost", "", "status"), (None, "", "status")])
def test_a_bad_review_is_refused(review, due, field):
    assert set(validate_review(review, due, TODAY)) == {field}


@pytest.mark.parametrize("review, due", [("moved", "2026-03-11"), ("done", ""), ("not_done", "")])
def test_a_good_review_passes(review, due):
    assert validate_review(review, due, TODAY) == {}
