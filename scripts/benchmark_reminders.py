"""Prints what one scheduler tick of the reminders costs, and one calendar feed, on the demo (or N demo-sized teams).

    python scripts/benchmark_reminders.py --teams 50
"""
import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from meeting import create_app  # noqa: E402
from meeting.ops import mail, reminders  # noqa: E402
from meeting.ops.demo import build_demo  # noqa: E402
from meeting.store import feeds  # noqa: E402
from meeting.store import meetings as meeting_store
from meeting.store import teams as team_store
from meeting.store.db import connect  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teams", type=int, default=1,
                        help="copies of the demo team's schedule (empty teams beside it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.sqlite3"
        app = create_app({"DATABASE": str(path), "SECRET_KEY": "x", "TESTING": True})
        db = connect(path)
        build_demo(db, date.today())
        for n in range(1, args.teams):
            team_store.create_team(db, f"Team {n}")
        now = datetime.now(ZoneInfo("UTC"))
        for team in team_store.list_teams(db):
            meeting_store.ensure_upcoming(db, team, now)
        settings = mail.MailSettings(host="127.0.0.1", port=1, security="none")
        ticks = []
        for minute in range(60):  # an hour of ticks: the first claims, the rest find nothing new
            start = time.perf_counter()
            reminders.queue_reminders(db, settings, now + timedelta(minutes=minute))
            ticks.append((time.perf_counter() - start) * 1000)
        user = db.execute("SELECT id FROM users WHERE email = 'vp1@fact-noord.example'").fetchone()[0]
        token = feeds.issue(db, user, now)
        client = app.test_client()
        fetches = []
        for _ in range(20):
            start = time.perf_counter()
            response = client.get(f"/calendar/{token}.ics")
            fetches.append((time.perf_counter() - start) * 1000)
        print(f"teams {args.teams}: reminder tick median {statistics.median(ticks):.1f} ms, max {max(ticks):.1f} ms;"
              f" mails queued {db.execute('SELECT count(*) FROM outbox').fetchone()[0]}")
        print(f"feed: {len(response.data)} bytes, median {statistics.median(fetches):.1f} ms, "
              f"max {max(fetches):.1f} ms")
        db.close()


if __name__ == "__main__":
    main()
