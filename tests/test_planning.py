"""Agenda planning: order, times, budget fit, deferral proposals and the planner's view."""
from datetime import UTC, datetime

import pytest

from meeting.core.planning import (
    ACUTE_FIRST,
    REASON_ANNOUNCEMENTS_OVER_BUDGET,
    REASON_OVER_ACUTE_BUDGET,
    REASON_OVER_REGULAR_BUDGET,
    REGULAR_FIRST,
    AgendaItem,
    TeamSettings,
    consent_block,
    default_minutes,
    order_agenda,
    plan,
    propose_deferrals,
    schedule,
    settings_errors,
    track_fit,
)

LABELS = {"A": "announcement", "Q": "question", "I": "issue"}
TRACKS = {"a": "acute", "r": "regular"}


def items(spec: str) -> list[AgendaItem]:
    """Items from a compact spec: 'id:track label minutes position [overdue]' joined by commas.

    '1:aI10p1' is item 1, acute issue, 10 minutes, position 1; '4:rQ5p2d30' adds 30 days overdue.
    """
    result = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        item_id, rest = part.split(":")
        track, label, rest = TRACKS[rest[0]], LABELS[rest[1]], rest[2:]
        minutes, rest = rest.split("p")
        position, _, overdue = rest.partition("d")
        result.append(AgendaItem(int(item_id), track, label, int(minutes), int(position),
                                 days_overdue=int(overdue or 0)))
    return result


def ids(seq) -> list[int]:
    """The ids of items (or of deferrals' items) in order."""
    return [getattr(x, "item", x).id for x in seq]


MIXED = "1:aI10p2, 2:aQ5p1, 3:rI10p1, 4:rQ5p2, 5:rA2p3, 6:aA2p3, 7:rA2p1"


def test_spec_helper_builds_what_it_says():
    assert items("4:rQ5p2d30") == [AgendaItem(4, "regular", "question", 5, 2, days_overdue=30)]


# ---- settings ---------------------------------------------------------------------------------

def test_team_settings_defaults_follow_the_agreements():
    s = TeamSettings()
    assert (s.meeting_minutes, s.acute_budget_minutes, s.regular_budget_minutes) == (90, 30, 60)
    assert (s.order_policy, s.evaluation_interval_months) == ("acute_first", 6)


@pytest.mark.parametrize("label, settings, expected", [
    ("announcement", TeamSettings(), 2),
    ("question", TeamSettings(), 5),
    ("issue", TeamSettings(), 10),
    ("issue", TeamSettings(issue_minutes=15), 15),
    ("announcement", TeamSettings(announcement_minutes=1), 1),
])
def test_default_minutes_per_label(label, settings, expected):
    assert default_minutes(label, settings) == expected


def test_default_minutes_rejects_unknown_label():
    with pytest.raises(ValueError):
        default_minutes("chat", TeamSettings())


@pytest.mark.parametrize("changes, fields", [
    ({}, set()),
    ({"order_policy": "loudest_first"}, {"order_policy"}),
    ({"acute_budget_minutes": -1}, {"acute_budget_minutes"}),
    ({"question_minutes": 0}, {"question_minutes"}),
    ({"evaluation_interval_months": 13}, {"evaluation_interval_months"}),
    ({"evaluation_interval_months": 0}, {"evaluation_interval_months"}),
    ({"meeting_minutes": 0}, {"meeting_minutes"}),
    ({"meeting_minutes": 80}, {"meeting_minutes"}),  # 30 + 60 budgets do not fit in 80
    ({"meeting_minutes": 90, "acute_budget_minutes": 0, "regular_budget_minutes": 90}, set()),
])
def test_settings_errors_name_the_wrong_fields(changes, fields):
    assert set(settings_errors(TeamSettings(**changes))) == fields


@pytest.mark.parametrize("kwargs", [
    {"track": "urgent"}, {"label": "remark"}, {"minutes": -1}, {"days_overdue": -3},
])
def test_agenda_item_rejects_impossible_values(kwargs):
    values = {"id": 1, "track": "acute", "label": "issue", "minutes": 10, "position": 1} | kwargs
    with pytest.raises(ValueError):
        AgendaItem(**values)


# ---- order ------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, policy, expected", [
    ("", ACUTE_FIRST, []),
    ("", REGULAR_FIRST, []),
    # consent block (announcements: first track, then position), then tracks by position
    (MIXED, ACUTE_FIRST, [6, 7, 5, 2, 1, 3, 4]),
    (MIXED, REGULAR_FIRST, [7, 5, 6, 3, 4, 2, 1]),
    # input order does not matter, position does
    ("3:rI10p2, 1:rI10p1, 2:aI10p9", ACUTE_FIRST, [2, 1, 3]),
    ("3:rI10p2, 1:rI10p1, 2:aI10p9", REGULAR_FIRST, [1, 3, 2]),
    # only announcements: the whole agenda is the consent block
    ("1:rA2p1, 2:aA2p1", ACUTE_FIRST, [2, 1]),
    ("1:rA2p1, 2:aA2p1", REGULAR_FIRST, [1, 2]),
    # equal positions are broken by id, so the order is stable across reloads
    ("9:aQ5p1, 8:aQ5p1", ACUTE_FIRST, [8, 9]),
])
def test_order_agenda(spec, policy, expected):
    assert ids(order_agenda(items(spec), policy)) == expected


@pytest.mark.parametrize("policy, expected", [(ACUTE_FIRST, [6, 7, 5]), (REGULAR_FIRST, [7, 5, 6])])
def test_consent_block_holds_all_announcements_first_track_first(policy, expected):
    assert ids(consent_block(items(MIXED), policy)) == expected


def test_order_agenda_rejects_unknown_policy():
    with pytest.raises(ValueError):
        order_agenda(items(MIXED), "loudest_first")


# ---- schedule ---------------------------------------------------------------------------------

START = datetime(2025, 3, 3, 13, 0, tzinfo=UTC)


def at(hh_mm: str) -> datetime:
    """A time on the meeting day in UTC."""
    hours, minutes = map(int, hh_mm.split(":"))
    return START.replace(hour=hours, minute=minutes)


@pytest.mark.parametrize("spec, policy, expected", [
    ("", ACUTE_FIRST, []),
    ("1:aI10p1, 2:rA2p1, 3:rQ5p1", ACUTE_FIRST,
     [(2, "13:00", "13:02"), (1, "13:02", "13:12"), (3, "13:12", "13:17")]),
    ("1:aI10p1, 2:rA2p1, 3:rQ5p1", REGULAR_FIRST,
     [(2, "13:00", "13:02"), (3, "13:02", "13:07"), (1, "13:07", "13:17")]),
    ("1:aI45p1, 2:aI30p2", ACUTE_FIRST, [(1, "13:00", "13:45"), (2, "13:45", "14:15")]),
])
def test_schedule_slots_follow_agenda_order_back_to_back(spec, policy, expected):
    slots = schedule(items(spec), policy, START)
    assert [(s.item.id, s.start, s.end) for s in slots] == [(i, at(a), at(b)) for i, a, b in expected]


# ---- track fit --------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, budget, planned, over_by, fits, does_not_fit", [
    ("", 30, 0, 0, [], []),
    ("1:aI10p1, 2:aI10p2", 30, 20, 0, [1, 2], []),
    ("1:aI10p1, 2:aI20p2", 30, 30, 0, [1, 2], []),  # exactly on budget fits
    ("1:aI20p1, 2:aI20p2", 30, 40, 10, [1], [2]),
    # once the budget is exhausted nothing after it fits, even a smaller item
    ("1:aI20p1, 2:aI15p2, 3:aQ5p3", 30, 40, 10, [1], [2, 3]),
    # announcements are taken first (consent block) and count toward their own track
    ("1:aI25p1, 2:aA2p5, 3:aA2p6", 30, 29, 0, [2, 3, 1], []),
    ("1:aI28p1, 2:aA2p5, 3:aA2p6", 30, 32, 2, [2, 3], [1]),
    ("1:aI10p1", 0, 10, 10, [], [1]),
])
def test_track_fit(spec, budget, planned, over_by, fits, does_not_fit):
    fit = track_fit(items(spec), budget)
    assert (fit.budget_minutes, fit.planned_minutes, fit.over_by) == (budget, planned, over_by)
    assert (ids(fit.fits), ids(fit.does_not_fit)) == (fits, does_not_fit)


# ---- deferral proposals -----------------------------------------------------------------------

@pytest.mark.parametrize("spec, budget, keep, defer", [
    ("", 60, [], []),
    ("1:rI10p1d5, 2:rI10p2", 60, [1, 2], []),
    # keeps the most overdue evaluations, whatever their position
    ("1:rI10p1d0, 2:rI10p2d90, 3:rI10p3d10, 4:rI10p4d200", 20, [2, 4], [1, 3]),
    # equally overdue: the earlier position stays
    ("1:rI10p3d30, 2:rI10p1d30, 3:rI10p2d30", 20, [2, 3], [1]),
    # a too-long overdue review is deferred; a smaller one still fills the gap
    ("1:rI30p1d100, 2:rI15p2d50, 3:rQ5p3d10", 20, [2, 3], [1]),
    # announcements stay in even when not overdue; reviews share what is left
    ("1:rA2p1, 2:rA2p2, 3:rI10p3d40, 4:rI10p4d80", 14, [1, 2, 4], [3]),
    # ... even when that defers an overdue review: they take two minutes and close in one go
    ("1:rA2p1, 2:rI10p2d80", 10, [1], [2]),
    # announcements alone over budget: later announcements go, in position order
    ("1:rA2p1, 2:rA2p2, 3:rA2p3, 4:rI10p4d80", 4, [1, 2], [3, 4]),
    ("1:rI10p1d3", 0, [], [1]),
])
def test_propose_deferrals(spec, budget, keep, defer):
    proposal = propose_deferrals(items(spec), budget)
    assert (ids(proposal.keep), ids(proposal.defer)) == (keep, defer)


def test_deferral_reasons_say_why():
    proposal = propose_deferrals(items("1:rA2p1, 2:rA2p2, 3:rI10p3d80"), 2)
    assert [d.reason for d in proposal.defer] == [REASON_ANNOUNCEMENTS_OVER_BUDGET,
                                                  REASON_OVER_REGULAR_BUDGET]


def test_propose_deferrals_takes_regular_items_only():
    with pytest.raises(ValueError):
        propose_deferrals(items("1:aI10p1"), 60)


# ---- the planner's view -----------------------------------------------------------------------

def test_plan_of_a_meeting_with_no_items():
    p = plan([], TeamSettings())
    assert (p.agenda, p.consent_block, p.deferrals, p.proposed_agenda) == ((), (), (), ())
    assert (p.acute.planned_minutes, p.acute.budget_minutes) == (0, 30)
    assert (p.regular.planned_minutes, p.regular.budget_minutes) == (0, 60)
    assert (p.planned_minutes, p.meeting_minutes, p.over_meeting_by) == (0, 90, 0)


@pytest.mark.parametrize("policy, agenda", [
    (ACUTE_FIRST, [6, 7, 5, 2, 1, 3, 4]),
    (REGULAR_FIRST, [7, 5, 6, 3, 4, 2, 1]),
])
def test_plan_within_budgets_follows_the_policy(policy, agenda):
    p = plan(items(MIXED), TeamSettings(order_policy=policy))
    assert ids(p.agenda) == agenda and ids(p.proposed_agenda) == agenda
    assert ids(p.consent_block) == agenda[:3]
    assert (p.acute.planned_minutes, p.regular.planned_minutes, p.planned_minutes) == (17, 19, 36)
    assert p.deferrals == ()


def test_plan_with_acute_track_over_budget_defers_what_comes_after_the_budget():
    p = plan(items("1:aI20p1, 2:aI15p2, 3:aQ5p3, 4:rI10p1d30"), TeamSettings())
    assert (p.acute.planned_minutes, p.acute.over_by) == (40, 10)
    assert [(d.item.id, d.reason) for d in p.deferrals] == [(2, REASON_OVER_ACUTE_BUDGET),
                                                            (3, REASON_OVER_ACUTE_BUDGET)]
    assert ids(p.proposed_agenda) == [1, 4]
    assert (p.planned_minutes, p.proposed_minutes) == (50, 30)


def test_plan_with_regular_track_over_budget_keeps_most_overdue():
    spec = ", ".join(f"{n}:rI10p{n}d{n * 10}" for n in range(1, 9))  # 8 reviews of 10 min, 80 > 60
    p = plan(items(spec + ", 9:aI10p1"), TeamSettings(order_policy=REGULAR_FIRST))
    assert (p.regular.planned_minutes, p.regular.over_by) == (80, 20)
    assert ids(p.regular.does_not_fit) == [7, 8]  # chair's order as is
    assert ids(p.deferrals) == [1, 2]  # least overdue go
    assert all(d.reason == REASON_OVER_REGULAR_BUDGET for d in p.deferrals)
    assert ids(p.proposed_agenda) == [3, 4, 5, 6, 7, 8, 9]
    assert (p.planned_minutes, p.proposed_minutes, p.over_meeting_by) == (90, 70, 0)


def test_plan_reports_total_over_the_meeting_length():
    p = plan(items("1:aI30p1, 2:rI60p1, 3:rQ5p2"), TeamSettings(meeting_minutes=90))
    assert (p.planned_minutes, p.over_meeting_by) == (95, 5)
    assert ids(p.deferrals) == [3] and p.proposed_minutes == 90
