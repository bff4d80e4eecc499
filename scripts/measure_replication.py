"""Measure the recovery point of continuous replication: how much is lost when the server's disk is lost.

Each round starts `flask --app meeting replicate file://…` (Litestream) beside a fresh database, records a
decision every 50 ms as a meeting would (item, decision, commit), then at a random moment kills Litestream
with SIGKILL together with the writer — the moment the primary disk is gone. It restores the replica into a
new file and reports the decisions committed but not restored, and the recovery point: the time between the
last commit and the last commit that came back.

    python scripts/measure_replication.py [--rounds 5]
"""
import argparse
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def one_round(workdir: Path) -> tuple[int, int, float]:
    """(committed, lost, recovery point in seconds) for one kill."""
    from meeting.core.items import ItemInput
    from meeting.ops import replication
    from meeting.store import db as store_db
    from meeting.store import decisions, items, meetings, teams
    from meeting.store.audit import Actor
    database, replica = workdir / "belletje.sqlite3", f"file://{workdir / 'replica'}"
    store_db.prepare(database)
    db = store_db.connect(database)
    team = teams.get_team(db, teams.create_team(db, "Replication"))
    presenter = db.execute("INSERT INTO users (email, name, session_token, created_at) VALUES ('p@x.example', 'P', "
                           "'t', '')"
                           ).lastrowid
    meeting_id = meetings.add_extra(db, team, store_db.utcnow() + timedelta(days=1))
    env = os.environ | {"BELLETJE_DB": str(database), "BELLETJE_SECRET_KEY": "measure", "PYTHONPATH": str(ROOT)}
    litestream = subprocess.Popen([sys.executable, "-m", "flask", "--app", "meeting", "replicate", replica], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)  # its first snapshot
    committed: dict[int, float] = {}
    kill_at = time.monotonic() + random.uniform(5, 10)
    while time.monotonic() < kill_at:
        item_id = items.add_item(db, Actor(None), team["id"], meeting_id, presenter, ItemInput(
            "acute", "question", None, "Question", "An answer", "", "", "", "", 5))
        item = items.get_item(db, Actor(None), team["id"], item_id)
        decision_id = decisions.decide(db, Actor(presenter), team, item, {"answer": "Yes"}, date.today(),
                                       store_db.utcnow(), None)
        committed[decision_id] = time.monotonic()
        time.sleep(0.05)
    litestream.send_signal(signal.SIGKILL)  # the disk is gone: nothing more leaves this machine
    litestream.wait()
    db.close()
    target = workdir / "restored.sqlite3"
    replication.restore(replica, target)
    with closing(sqlite3.connect(target)) as restored:
        back = {r[0] for r in restored.execute("SELECT id FROM decisions")}
    last_back = max((committed[i] for i in back if i in committed), default=min(committed.values()))
    return len(committed), len(set(committed) - back), max(committed.values()) - last_back


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    points = []
    print(f"{'round':>5}  {'committed':>9}  {'lost':>4}  {'recovery point':>14}")
    for number in range(1, args.rounds + 1):
        committed, lost, point = one_round(Path(tempfile.mkdtemp(prefix="belletje-rpo-")))
        points.append(point)
        print(f"{number:>5}  {committed:>9}  {lost:>4}  {point:>12.2f} s", flush=True)
    print(f"recovery point: median {statistics.median(points):.2f} s, worst {max(points):.2f} s "
          f"(Litestream's sync interval is 1 s)")


if __name__ == "__main__":
    main()
