"""The caches kept, each for its reason: a year's replay of the register (`capacity.forecast`) is worked out once
for the same register, day, norm and pace, which the planner, the settings and the dashboard ask for again and
again; any change to a client is another question."""
import dataclasses
from datetime import date

from meeting.core import capacity
from meeting.core.evaluations import ClientRecord

TODAY, FIRST_MEETING = date(2026, 3, 2), date(2026, 3, 3)
REGISTER = [ClientRecord(f"R-{n}", 1, date(2024, 1, 1 + n), last_evaluation=date(2025, 6, 1 + n)) for n in range(20)]


def test_the_same_register_is_replayed_once_and_a_changed_one_again(monkeypatch):
    replays = []
    original = capacity._replay

    def counted(*args, **kwargs):
        replays.append(1)
        return original(*args, **kwargs)
    monkeypatch.setattr(capacity, "_replay", counted)
    capacity._forecast.cache_clear()
    first = capacity.forecast(REGISTER, TODAY, FIRST_MEETING, 6, capacity.Pace(60, 10, 10))
    once = len(replays)
    again = capacity.forecast(list(REGISTER), TODAY, FIRST_MEETING, 6, capacity.Pace(60, 10, 10))
    assert once > 0 and len(replays) == once and again == first
    changed = [dataclasses.replace(REGISTER[0], last_evaluation=date(2026, 2, 1)), *REGISTER[1:]]
    capacity.forecast(changed, TODAY, FIRST_MEETING, 6, capacity.Pace(60, 10, 10))
    assert len(replays) > once
