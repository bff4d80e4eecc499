"""Time how long one client import holds the write lock, and how long another team's write waits meanwhile.

An import is one transaction (all rows or none), so its size bounds the time everyone else's writes wait. For each
size it imports a fresh file three times (new references) and prints the median time of the import's transaction,
and the longest wait of a second connection writing one row every 5 ms from another thread while it runs.

    python scripts/benchmark_import.py                  # 500, 2000 (the limit) and 5000 rows
    python scripts/benchmark_import.py 2000 10000

A benchmark, not a test: it asserts nothing.
"""
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from meeting.core.clients import IMPORT_MAX_ROWS, ClientInput
from meeting.store import clients as client_store
from meeting.store import db as database
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.audit import Actor


def other_writer(path: str, stop: threading.Event, waits: list[float]) -> None:
    """Another team's small writes (a notice read), one every 5 ms, each timed from its BEGIN IMMEDIATE."""
    db = database.connect(path)
    while not stop.is_set():
        started = time.perf_counter()
        with database.write(db):
            db.execute("UPDATE teams SET name = name WHERE id = 2")
        waits.append(time.perf_counter() - started)
        time.sleep(0.005)
    db.close()


def measure(rows: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/import.sqlite3"
        database.prepare(path)
        db = database.connect(path)
        team = team_store.create_team(db, "Importing team")
        team_store.create_team(db, "Other team")
        user = user_store.create_user(db, "clinician@example.org", "Clinician", "correct horse battery")
        team_store.set_role(db, team, user, "member")
        times, worst = [], 0.0
        for attempt in range(3):
            clients = [ClientInput(f"R{attempt}-{i:06d}", user, date(2024, 1, 1), None) for i in range(rows)]
            stop, waits = threading.Event(), []
            writer = threading.Thread(target=other_writer, args=(path, stop, waits))
            writer.start()
            time.sleep(0.05)
            started = time.perf_counter()
            client_store.add_clients(db, Actor(user), team, clients)
            times.append(time.perf_counter() - started)
            time.sleep(0.05)
            stop.set()
            writer.join()
            worst = max(worst, max(waits))
        db.close()
        return statistics.median(times), worst


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [500, IMPORT_MAX_ROWS, 5000]
    print(f"{'rows':>7} {'import transaction (median of 3)':>34} {'longest wait of another write':>31}")
    for rows in sizes:
        median, worst = measure(rows)
        print(f"{rows:>7} {median * 1000:>31.0f} ms {worst * 1000:>28.0f} ms")


if __name__ == "__main__":
    main()
