"""Closing rules per label and track, deferral, next evaluation, milestones, carry-over, the bell."""
from datetime import UTC, date, datetime, timedelta

import pytest

from meeting.core.closing import (
    ANNOUNCEMENT_OUTCOMES,
    BELL_REASONS,
    EXEMPLARY_SITUATIONS,
    OUTCOMES,
    Phrase,
    carry_over,
    counts_as_evaluation,
    may_ring,
    next_evaluation_date,
    ring_wait_seconds,
    validate_decision,
    validate_deferral,
)
from meeting.core.evaluations import milestone_kind

TODAY = date(2025, 6, 10)
ACUTE_ANN = {"track": "acute", "label": "announcement"}
ACUTE_Q = {"track": "acute", "label": "question"}
ACUTE_ISSUE = {"track": "acute", "label": "issue", "treatment_start": date(2020, 1, 1)}
REG_ISSUE = {"track": "regular", "label": "issue", "treatment_start": date(2025, 1, 1)}  # 5 months
REG_ANN = {"track": "regular", "label": "announcement", "client_id": 7, "treatment_start": date(2025, 1, 1)}
TEAM_ANN = {"track": "regular", "label": "announcement", "client_id": None, "treatment_start": None}
REG_Q = {"track": "regular", "label": "question", "treatment_start": date(2025, 1, 1)}
REG_11M = {"track": "regular", "label": "issue", "treatment_start": date(2024, 6, 11)}
REG_1Y = {"track": "regular", "label": "issue", "treatment_start": date(2024, 6, 10)}
REG_2Y = {"track": "regular", "label": "issue", "treatment_start": date(2023, 6, 10)}
REG_2Y_TEXT = {"track": "regular", "label": "issue", "treatment_start": "2023-06-10"}
REG_NO_START = {"track": "regular", "label": "issue", "treatment_start": None}
REVIEW = {"outcome": "continue_adjusted", "decision": "See client every two weeks", "needs_met": "yes"}
WHY = {"continuation_answer": "Relapse prevention plan still to finish"}
REVIEW_KEYS = {"outcome", "decision", "needs_met"}


def with_(*parts: dict, **extra) -> dict:
    """One form from several dicts and keyword fields."""
    form = {}
    for part in parts:
        form |= part
    return form | extra


def action(description="Call GP", owner="Nurse A", due="2025-06-20") -> dict:
    """One action row of a decision form."""
    return {"description": description, "owner": owner, "due": due}


# (id, item, form, expected error fields)
DECISION_CASES = [
    ("announcement approved", ACUTE_ANN, {"announcement_outcome": "approved"}, set()),
    ("announcement noted", ACUTE_ANN, {"announcement_outcome": "noted"}, set()),
    ("announcement without outcome", ACUTE_ANN, {}, {"announcement_outcome"}),
    ("announcement with unknown outcome", ACUTE_ANN, {"announcement_outcome": "maybe"},
     {"announcement_outcome"}),
    ("question answered", ACUTE_Q, {"answer": "Yes, ask the GP"}, set()),
    ("question with blank answer", ACUTE_Q, {"answer": "   "}, {"answer"}),
    ("question without answer", ACUTE_Q, {}, {"answer"}),
    ("issue decided", ACUTE_ISSUE, REVIEW, set()),
    ("issue with nothing", ACUTE_ISSUE, {}, REVIEW_KEYS),
    ("issue with unknown outcome", ACUTE_ISSUE, with_(REVIEW, outcome="wait"), {"outcome"}),
    ("issue with blank decision", ACUTE_ISSUE, with_(REVIEW, decision=" "), {"decision"}),
    ("issue with unknown needs_met", ACUTE_ISSUE, with_(REVIEW, needs_met="maybe"), {"needs_met"}),
    ("needs met partly", ACUTE_ISSUE, with_(REVIEW, needs_met="partly"), set()),
    ("continue unchanged without reason", ACUTE_ISSUE, with_(REVIEW, outcome="continue_unchanged"),
     {"reason"}),
    ("continue unchanged with reason", ACUTE_ISSUE,
     with_(REVIEW, outcome="continue_unchanged", reason="Stable, plan works"), set()),
    ("worded by chair", ACUTE_ISSUE, with_(REVIEW, worded_by="chair"), set()),
    ("worded by someone unknown", ACUTE_ISSUE, with_(REVIEW, worded_by="manager"), {"worded_by"}),
    ("acute exemplary situation", ACUTE_ISSUE, with_(REVIEW, exemplary_situation="self_harm"), set()),
    ("acute unknown situation", ACUTE_ISSUE, with_(REVIEW, exemplary_situation="theft"),
     {"exemplary_situation"}),
    ("acute question with situation", ACUTE_Q, {"answer": "x", "exemplary_situation": "aggression"},
     set()),
    ("regular item with situation: seed 000 is about stuck long treatments", REG_ISSUE,
     with_(REVIEW, exemplary_situation="aggression"), set()),
    ("regular item with unknown situation", REG_ISSUE, with_(REVIEW, exemplary_situation="theft"),
     {"exemplary_situation"}),
    ("acute issue ignores milestones", ACUTE_ISSUE, REVIEW, set()),
    ("regular review decided", REG_ISSUE, REVIEW, set()),
    ("regular review with nothing", REG_ISSUE, {}, REVIEW_KEYS),
    ("regular announcement also needs the outcome", REG_ANN, {"announcement_outcome": "approved"},
     REVIEW_KEYS),
    ("regular announcement approved with outcome", REG_ANN,
     with_(REVIEW, announcement_outcome="approved"), set()),
    ("regular announcement not agreed comes back", REG_ANN, {"announcement_outcome": "not_agreed"},
     set()),
    ("team-wide announcement needs only its outcome", TEAM_ANN, {"announcement_outcome": "noted"}, set()),
    ("regular question needs answer and outcome", REG_Q, {"answer": "Yes"}, REVIEW_KEYS),
    ("regular question complete", REG_Q, with_(REVIEW, answer="Yes"), set()),
    ("regular question, outcome only", REG_Q, REVIEW, {"answer"}),
    ("11 months: no milestone", REG_11M, REVIEW, set()),
    ("one year: continuation question", REG_1Y, REVIEW, {"continuation_answer"}),
    ("one year: blank continuation", REG_1Y, with_(REVIEW, continuation_answer="  "),
     {"continuation_answer"}),
    ("one year answered", REG_1Y, with_(REVIEW, WHY), set()),
    ("two years: both questions", REG_2Y, REVIEW, {"continuation_answer", "colleague_invited"}),
    ("two years: colleague unknown answer", REG_2Y, with_(REVIEW, WHY, colleague_invited="maybe"),
     {"colleague_invited"}),
    ("two years: colleague not invited is an answer", REG_2Y, with_(REVIEW, WHY, colleague_invited="no"),
     set()),
    ("two years: complete", REG_2Y, with_(REVIEW, WHY, colleague_invited="yes"), set()),
    ("two years, start stored as text", REG_2Y_TEXT, with_(REVIEW, WHY), {"colleague_invited"}),
    ("no treatment start known", REG_NO_START, REVIEW, set()),
    ("next evaluation in the future", REG_ISSUE, with_(REVIEW, next_evaluation_on="2025-09-01"), set()),
    ("next evaluation today", REG_ISSUE, with_(REVIEW, next_evaluation_on="2025-06-10"),
     {"next_evaluation_on"}),
    ("next evaluation in the past", REG_ISSUE, with_(REVIEW, next_evaluation_on=date(2025, 1, 1)),
     {"next_evaluation_on"}),
    ("next evaluation not a date", REG_ISSUE, with_(REVIEW, next_evaluation_on="01-09-2025"),
     {"next_evaluation_on"}),
    ("next evaluation after finish", REG_ISSUE,
     with_(REVIEW, outcome="finish", next_evaluation_on="2025-09-01"), {"next_evaluation_on"}),
    ("finish without next date", REG_ISSUE, with_(REVIEW, outcome="finish"), set()),
    ("complete action", ACUTE_ISSUE, with_(REVIEW, actions=[action()]), set()),
    ("action due today", ACUTE_ISSUE, with_(REVIEW, actions=[action(due=TODAY)]), set()),
    ("blank action row ignored", ACUTE_ISSUE, with_(REVIEW, actions=[action("", " ", "")]), set()),
    ("action without owner", ACUTE_ISSUE, with_(REVIEW, actions=[action(owner="")]),
     {"actions.0.owner"}),
    ("second action due yesterday", ACUTE_ISSUE,
     with_(REVIEW, actions=[action(), action(due="2025-06-09")]), {"actions.1.due"}),
    ("action due not a date", ACUTE_ISSUE, with_(REVIEW, actions=[action(due="next week")]),
     {"actions.0.due"}),
    ("action with description only", ACUTE_Q,
     {"answer": "x", "actions": [action(owner=None, due=None)]}, {"actions.0.owner", "actions.0.due"}),
]


@pytest.mark.parametrize("item, form, expected",
                         [c[1:] for c in DECISION_CASES], ids=[c[0] for c in DECISION_CASES])
def test_validate_decision(item, form, expected):
    errors = validate_decision(item, form, TODAY, {})
    assert set(errors) == expected
    assert all(isinstance(m, str) and m.strip() for m in errors.values())


@pytest.mark.parametrize("item, form, field, message", [
    (ACUTE_ISSUE, with_(REVIEW, outcome="continue_unchanged"), "reason",
     "Give the reason to continue unchanged."),
    (REG_1Y, REVIEW, "continuation_answer",
     "After a year of treatment: why continue, and what do we still want to achieve?"),
    (ACUTE_ISSUE, with_(REVIEW, actions=[action(due="2025-06-09")]), "actions.0.due",
     "The due date is in the past."),
    (ACUTE_ISSUE, with_(REVIEW, actions=[action(due="soon")]), "actions.0.due",
     "Enter a date as YYYY-MM-DD."),
    (REG_ISSUE, with_(REVIEW, exemplary_situation="theft"), "exemplary_situation",
     "Choose one of the exemplary situations."),
])
def test_decision_messages(item, form, field, message):
    assert validate_decision(item, form, TODAY)[field] == message


@pytest.mark.parametrize("settings, item, expected", [
    ({"one_year_months": 6}, REG_ISSUE, set()),  # 5 months: below a 6-month mark
    ({"one_year_months": 5}, REG_ISSUE, {"continuation_answer"}),
    ({"two_year_months": 5}, REG_ISSUE, {"continuation_answer", "colleague_invited"}),
    (None, REG_ISSUE, set()),
])
def test_milestone_months_come_from_settings(settings, item, expected):
    assert set(validate_decision(item, REVIEW, TODAY, settings)) == expected


def test_unknown_label_is_a_programming_error():
    with pytest.raises(ValueError):
        validate_decision({"track": "acute", "label": "gossip"}, {}, TODAY, {})


@pytest.mark.parametrize("item, form, expected", [
    (REG_ISSUE, REVIEW, True),
    (REG_ANN, with_(REVIEW, announcement_outcome="approved"), True),
    (REG_ANN, {"announcement_outcome": "not_agreed"}, False),
    (REG_Q, with_(REVIEW, answer="Yes"), True),
    (ACUTE_ISSUE, REVIEW, False),
    (ACUTE_ANN, {"announcement_outcome": "approved"}, False),
    (TEAM_ANN, {"announcement_outcome": "approved"}, False),
])
def test_counts_as_evaluation(item, form, expected):
    assert counts_as_evaluation(item, form) is expected


@pytest.mark.parametrize("reason, expected", [
    ("No time left", {}),
    ("  x ", {}),
    ("", {"reason": "Give the reason for deferring this item."}),
    ("   ", {"reason": "Give the reason for deferring this item."}),
    (None, {"reason": "Give the reason for deferring this item."}),
])
def test_validate_deferral(reason, expected):
    assert validate_deferral(reason) == expected


@pytest.mark.parametrize("outcome, decided_on, months, override, expected", [
    ("continue_adjusted", date(2025, 6, 10), 6, None, date(2025, 12, 10)),
    ("continue_adjusted", date(2025, 1, 31), 1, None, date(2025, 2, 28)),  # month end clamps
    ("continue_adjusted", date(2024, 1, 31), 1, None, date(2024, 2, 29)),  # leap year
    ("step_down", date(2025, 3, 31), 6, None, date(2025, 9, 30)),
    ("consultation", date(2025, 8, 31), 6, None, date(2026, 2, 28)),
    ("continue_unchanged", date(2024, 2, 29), 12, None, date(2025, 2, 28)),  # one-year mark
    ("other", date(2023, 6, 10), 24, None, date(2025, 6, 10)),  # two-year mark
    ("continue_adjusted", date(2025, 6, 10), 6, date(2025, 7, 1), date(2025, 7, 1)),
    ("continue_adjusted", date(2025, 6, 10), 6, date(2025, 6, 11), date(2025, 6, 11)),
    ("finish", date(2025, 6, 10), 6, None, None),
    ("finish", date(2025, 6, 10), 6, date(2025, 7, 1), None),
])
def test_next_evaluation_date(outcome, decided_on, months, override, expected):
    assert next_evaluation_date(outcome, decided_on, months, override) == expected


def test_next_evaluation_defaults_to_six_months():
    assert next_evaluation_date("continue_adjusted", date(2025, 6, 10)) == date(2025, 12, 10)


@pytest.mark.parametrize("outcome, months, override", [
    ("continue_adjusted", 6, date(2025, 6, 10)),  # not after the decision
    ("continue_adjusted", 6, date(2025, 6, 9)),
    ("continue_adjusted", 0, None),
    ("wait_and_see", 6, None),
])
def test_next_evaluation_date_refuses(outcome, months, override):
    with pytest.raises(ValueError):
        next_evaluation_date(outcome, date(2025, 6, 10), months, override)


@pytest.mark.parametrize("start, today, expected", [
    (date(2024, 6, 10), date(2025, 6, 9), None),
    (date(2024, 6, 10), date(2025, 6, 10), "one_year"),
    (date(2024, 6, 10), date(2026, 6, 9), "one_year"),
    (date(2024, 6, 10), date(2026, 6, 10), "two_year"),
    (date(2024, 6, 10), date(2031, 1, 1), "two_year"),
    (date(2024, 1, 31), date(2025, 1, 30), None),
    (date(2024, 1, 31), date(2025, 1, 31), "one_year"),
    (date(2024, 2, 29), date(2025, 2, 27), None),
    (date(2024, 2, 29), date(2025, 2, 28), "one_year"),  # no 29 Feb: the month's last day
    (date(2025, 7, 1), date(2025, 6, 10), None),  # starts in the future
])
def test_milestone_kind(start, today, expected):
    assert milestone_kind(start, today) == expected


@pytest.mark.parametrize("count, text", [(1, "carried over ×1"), (3, "carried over ×3")])
def test_carry_over(count, text):
    label = carry_over(count)
    assert isinstance(label, Phrase)
    assert str(label) == text
    assert label.msgid == "carried over ×%(count)d" and label.params == {"count": count}


def test_carry_over_none_and_negative():
    assert carry_over(0) is None
    with pytest.raises(ValueError):
        carry_over(-1)


LAST = datetime(2025, 6, 10, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("last, after, allowed, wait", [
    (None, 0, True, 0.0),
    (LAST, 0, False, 10.0),
    (LAST, 9.9, False, 0.1),
    (LAST, 9.999999, False, 0.000001),
    (LAST, 10, True, 0.0),
    (LAST, 10.1, True, 0.0),
    (LAST, -5, False, 10.0),  # a ring "in the future" (skewed clock) still blocks, at most 10 s
])
def test_bell_rate_limit(last, after, allowed, wait):
    now = LAST + timedelta(seconds=after)
    assert may_ring(last, now) is allowed
    assert ring_wait_seconds(last, now) == pytest.approx(wait)


@pytest.mark.parametrize("choices, keys", [
    (OUTCOMES, {"continue_adjusted", "continue_unchanged", "step_down", "finish", "consultation",
                "other"}),
    (ANNOUNCEMENT_OUTCOMES, {"approved", "noted", "not_agreed"}),
    (EXEMPLARY_SITUATIONS, {"self_harm", "aggression", "self_neglect", "socially_transgressive",
                            "other"}),
    (BELL_REASONS, {"long_story", "not_answering", "off_point", "no_decision", "over_time"}),
])
def test_choice_lists(choices, keys):
    assert set(choices) == keys
    assert all(isinstance(label, str) and label for label in choices.values())
