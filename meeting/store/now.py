"""The one source of now for the app, the store and the scheduler, and a team's today worked out from it.

Real time, unless a test has moved it (`run_from`): then now still runs, from the moment the test chose, so a
suite can run at 23:30 UTC (00:30 in Amsterdam) or on 29 February whatever the machine's clock says."""
from datetime import UTC, date, datetime, timedelta

from meeting.core.evaluations import local_day

_offset = timedelta(0)  # how far a test moved now from the machine's clock


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC) + _offset


def team_today(zone: str) -> date:
    """Today's date in a team's time zone (`zone`, e.g. Europe/Amsterdam)."""
    return local_day(utcnow(), zone)


def run_from(moment: datetime | None) -> None:
    """Let now run on from `moment` (timezone-aware) from here on; None returns to the machine's clock."""
    global _offset
    _offset = timedelta(0) if moment is None else moment - datetime.now(UTC)
