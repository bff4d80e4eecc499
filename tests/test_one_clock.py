"""One clock: the app, the store and the scheduler read now from meeting.store.now, and a team's today comes from it."""
from datetime import UTC, date, datetime, timedelta

from meeting.ops import scheduler
from meeting.store import db as database
from meeting.store import now
from meeting.web import shared


def test_every_layer_reads_the_one_clock_and_a_team_today_is_worked_out_from_it():
    late = datetime(2028, 2, 29, 23, 30, tzinfo=UTC)  # 00:30 on 1 March in Amsterdam
    try:
        now.run_from(late)
        for moment in (now.utcnow(), database.utcnow(), scheduler._utcnow()):
            assert late <= moment < late + timedelta(minutes=1)
        assert shared.team_today({"timezone": "Europe/Amsterdam"}) == date(2028, 3, 1)
        assert now.team_today("America/New_York") == date(2028, 2, 29)
    finally:
        now.run_from(None)
    assert abs(now.utcnow() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_moved_clock_runs_on():
    try:
        now.run_from(datetime(2028, 2, 29, 12, 0, tzinfo=UTC))
        first = now.utcnow()
        while now.utcnow() == first:
            pass
        assert now.utcnow() > first
    finally:
        now.run_from(None)
