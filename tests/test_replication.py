"""Continuous replication (Litestream): every committed decision comes back from the replica."""
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from meeting.ops import replication
from meeting.store import decisions as decision_store
from meeting.store import items as item_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor
from meeting.store.db import utcnow
from tests.conftest import make_item

ROOT = Path(__file__).resolve().parent.parent


def decisions_in(path: Path) -> set[int]:
    with closing(sqlite3.connect(path)) as db:
        return {r[0] for r in db.execute("SELECT id FROM decisions")}


@pytest.fixture
def replicating(app, tmp_path):
    """`flask --app meeting replicate file://…` running beside the app, as the README says; stopped after."""
    replica = f"file://{tmp_path / 'replica'}"
    env = os.environ | {"BELLETJE_DB": app.config["DATABASE"], "BELLETJE_SECRET_KEY": "test", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "meeting", "replicate", replica], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    yield replica
    process.terminate()
    output = process.communicate(timeout=10)[0].decode()
    assert "replicating to" in output, output


def test_every_committed_decision_is_restored_from_the_replica(replicating, world, db, tmp_path):
    team = team_store.get_team(db, world["team_a"])
    decided = set()
    for number in range(20):
        item_id = item_store.add_item(db, Actor(None), team["id"], world["meeting_a"], world["member_a"],
                                      make_item(track="acute", title=f"Question {number}"))
        item = item_store.get_item(db, Actor(None), team["id"], item_id)
        decided.add(decision_store.decide(db, Actor(world["chair_a"]), team, item, {"answer": f"Answer {number}"},
                                          date.today(), utcnow(), None))
        time.sleep(0.05)
    committed_at = time.monotonic()
    assert decided < decisions_in(Path(db.conn.execute("PRAGMA database_list").fetchone()[2]))  # and the world's
    for attempt in range(40):  # Litestream ships the WAL about once a second
        target = tmp_path / f"restored-{attempt}.sqlite3"
        try:
            replication.restore(replicating, target)
        except subprocess.CalledProcessError:  # no snapshot yet
            time.sleep(0.5)
            continue
        if decided <= decisions_in(target):
            break
        time.sleep(0.5)
    lag = time.monotonic() - committed_at
    assert decided <= decisions_in(target), f"missing after {lag:.1f} s: {sorted(decided - decisions_in(target))}"
    print(f"every committed decision was in the replica {lag:.1f} s after the last commit")


def test_restore_refuses_to_overwrite_a_file(tmp_path):
    existing = tmp_path / "belletje.sqlite3"
    existing.write_bytes(b"")
    with pytest.raises(FileExistsError):
        replication.restore(f"file://{tmp_path / 'replica'}", existing)


def test_replicate_without_a_replica_says_what_to_give(app):
    result = app.test_cli_runner().invoke(args=["replicate"], env={"BELLETJE_REPLICA": ""})
    assert result.exit_code != 0 and "replica URL" in result.output
