"""The meeting rating at the end of a meeting: four dimensions and one thing to change, anonymous; the
weekly trend on the dashboard from a hand-built history."""
from datetime import UTC, date, datetime

import pytest

from meeting.core import meeting_rating
from meeting.store import history, meeting_ratings
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.history import PastMeeting

FULL = {"heard": "4", "goals": "5", "approach": "3", "overall": "4"}


@pytest.mark.parametrize("form, errors", [
    (FULL, set()),
    (FULL | {"change_next": "  Start on time  "}, set()),
    ({k: v for k, v in FULL.items() if k != "overall"}, {"overall"}),
    (FULL | {"heard": "0"}, {"heard"}),
    (FULL | {"goals": "6"}, {"goals"}),
    (FULL | {"approach": "three"}, {"approach"}),
    (FULL | {"change_next": "x" * 301}, {"change_next"}),
    (FULL | {"change_next": "bad\x1bescape"}, {"change_next"}),
])
def test_a_rating_needs_one_score_per_dimension(form, errors):
    values, found = meeting_rating.validate(form)
    assert set(found) == errors
    if not errors:
        assert values == {"heard": 4, "goals": 5, "approach": 3, "overall": 4,
                          "change_next": (form.get("change_next") or "").strip()}


def test_the_item_texts_are_our_own_and_cover_the_four_dimensions():
    assert meeting_rating.DIMENSIONS == ("heard", "goals", "approach", "overall")
    assert set(meeting_rating.QUESTIONS) == set(meeting_rating.NAMES) == set(meeting_rating.ANCHORS) == set(
        meeting_rating.DIMENSIONS)


def test_ratings_are_stored_apart_from_who_rated_and_only_once(db):
    team_id = team_store.create_team(db, "Team S")
    user = user_store.create_user(db, "s@example.org", "S")
    meeting_id = history_meeting(db, team_id, datetime(2026, 3, 3, 12, tzinfo=UTC), [])
    values = meeting_rating.validate(FULL | {"change_next": "Fewer side talks"})[0]
    assert meeting_ratings.rate(db, meeting_id, user, values) is True
    assert meeting_ratings.rate(db, meeting_id, user, values) is False
    assert [c[1] for c in db.execute("PRAGMA table_info(meeting_ratings)")] == [
        "id", "meeting_id", "heard", "goals", "approach", "overall", "change_next"]
    assert meeting_ratings.summary(db, meeting_id) == {"raters": 1, "heard": 4.0, "goals": 5.0, "approach": 3.0,
                                                       "overall": 4.0, "changes": ["Fewer side talks"]}


def history_meeting(db, team_id: int, at: datetime, ratings: list) -> int:
    history.insert_meetings(db, team_store.get_team(db, team_id), [PastMeeting(at, [], meeting_ratings=ratings)])
    return db.execute("SELECT max(id) FROM meetings").fetchone()[0]


def test_the_weekly_trend_per_dimension_from_a_hand_built_history(db):
    team_id = team_store.create_team(db, "Team T")
    users = [user_store.create_user(db, f"t{i}@example.org", f"T{i}") for i in range(3)]
    # week of Mon 2 March: two meetings (Tue 3, Thu 5), three ratings; week of 9 March: one rating; April: outside.
    history_meeting(db, team_id, datetime(2026, 3, 3, 12, tzinfo=UTC),
                    [(users[0], 4, 5, 3, 4, ""), (users[1], 2, 3, 5, 2, "Start on time")])
    history_meeting(db, team_id, datetime(2026, 3, 5, 12, tzinfo=UTC), [(users[2], 3, 4, 4, 3, "")])
    history_meeting(db, team_id, datetime(2026, 3, 10, 12, tzinfo=UTC), [(users[0], 5, 5, 5, 5, "")])
    history_meeting(db, team_id, datetime(2026, 4, 14, 12, tzinfo=UTC), [(users[1], 1, 1, 1, 1, "")])
    trend = meeting_ratings.trend(db, [team_id], date(2026, 3, 1), date(2026, 3, 31))
    # week 1: heard (4+2+3)/3 = 3, goals (5+3+4)/3 = 4, approach (3+5+4)/3 = 4, overall (4+2+3)/3 = 3
    assert trend == [{"week": "2026-03-02", "raters": 3, "heard": 3.0, "goals": 4.0, "approach": 4.0, "overall": 3.0},
                     {"week": "2026-03-09", "raters": 1, "heard": 5.0, "goals": 5.0, "approach": 5.0, "overall": 5.0}]
    # over the period: heard (9 + 5) / 4 = 3.5, goals (12 + 5) / 4 = 4.25, approach 4.25, overall (9 + 5) / 4 = 3.5
    assert meeting_rating.period_averages(trend) == {"heard": 3.5, "goals": 4.25, "approach": 4.25, "overall": 3.5,
                                                     "raters": 4}
    assert meeting_rating.period_averages([]) == {"heard": None, "goals": None, "approach": None, "overall": None,
                                                  "raters": 0}


def test_the_dashboard_trends_each_dimension(as_user, world, db):
    # three raters (averages show from three on), all giving the same scores
    history_meeting(db, world["team_a"], datetime.now(UTC),
                    [(world[user], 4, 5, 3, 4, "Text") for user in ("member_a", "chair_a", "manager_a")])
    page = as_user("manager.a@example.org").get(f"/teams/{world['team_a']}/dashboard").text
    for name, value in (("heard", "4.0"), ("goals", "5.0"), ("approach", "3.0"), ("overall", "4.0")):
        assert f'id="rating-{name}">{value}<' in page and f'id="chart-rating-{name}"' in page
    assert "Text" not in page  # the comments stay in the minutes


def test_the_order_of_the_stored_scores_does_not_tell_who_rated(db):
    """Raters are stored in the order they rated; the scores must not be in that order too."""
    team_id = team_store.create_team(db, "Team T")
    meeting_id = history_meeting(db, team_id, datetime(2026, 3, 3, 12, tzinfo=UTC), [])
    for n in range(12):
        user = user_store.create_user(db, f"t{n}@example.org", f"T {n}")
        scores = {name: 1 + n % 5 for name in ("heard", "goals", "approach", "overall")}
        meeting_ratings.rate(db, meeting_id, user, scores)
    stored = [r[0] for r in db.execute("SELECT heard FROM meeting_ratings WHERE meeting_id = ? ORDER BY rowid",
                                       [meeting_id])]
    assert sorted(stored) == sorted(1 + n % 5 for n in range(12))
    assert stored != [1 + n % 5 for n in range(12)]  # the same order by chance: 1 in 1 663 200
