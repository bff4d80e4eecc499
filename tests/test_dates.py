"""The one date reader used by forms, stored columns and timestamps."""
from datetime import UTC, date, datetime

import pytest

from meeting.core.dates import parse_date


@pytest.mark.parametrize("value, expected", [
    ("2026-03-01", date(2026, 3, 1)),
    (" 2026-03-01 ", date(2026, 3, 1)),
    ("2026-03-01T12:30:00+00:00", date(2026, 3, 1)),  # a stored timestamp counts by its date
    ("2026-03-01 12:30", date(2026, 3, 1)),
    (date(2026, 3, 1), date(2026, 3, 1)),
    (datetime(2026, 3, 1, 23, 0, tzinfo=UTC), date(2026, 3, 1)),
    ("2026-02-30", None),
    ("2026-03-011", None),
    ("01-03-2026", None),
    ("", None),
    (None, None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected
