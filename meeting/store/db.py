"""SQLite connections: one per request (from a pool) or job, every pragma we rely on, immediate write transactions."""
import contextlib
import os
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from meeting.store import figures, now
from meeting.store.migrations import migrations

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "db" / "belletje.sqlite3"
BUSY_TIMEOUT_MS = 5000
OperationalError = sqlite3.OperationalError  # the web layer answers a busy database with a 503 (see is_busy)


def database_path() -> Path:
    """The database file: $BELLETJE_DB, else db/belletje.sqlite3 in the checkout."""
    return Path(os.environ.get("BELLETJE_DB", DEFAULT_PATH))


def connect(path: str | Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Database:
    """Open a connection with foreign keys, busy timeout and NORMAL sync (WAL is set per file).

    A write waits up to the busy timeout for another's write lock, then raises OperationalError (see is_busy)."""
    conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


class Pool:
    """Connections kept open between requests, the most recently used handed out first: opening one per request
    cost about 7 ms, and each started with a cold page cache. At most `size` are kept (the rest are closed when
    given back); a connection is used by one thread at a time and given back rolled back. A forked process
    (a gunicorn worker) never uses its parent's."""

    def __init__(self, path: str | Path, size: int = 8, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        self.path, self.size, self.busy_timeout_ms = str(path), size, busy_timeout_ms
        self._idle: list[Database] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def take(self, reads_only: bool = False) -> Database:
        db = self._idle_one() or connect(self.path, self.busy_timeout_ms)
        db.reads_only = reads_only  # type: ignore[attr-defined]
        return db

    def _idle_one(self) -> Database | None:
        with self._lock:
            if self._pid != os.getpid():
                self._idle, self._pid = [], os.getpid()
            return self._idle.pop() if self._idle else None

    def give_back(self, db: Database) -> None:
        if db.conn.in_transaction:
            db.conn.rollback()
        if reads_only(db) and db.execute("SELECT 1 FROM temp.sqlite_master WHERE type = 'view'").fetchone():
            db.close()
            return
        with self._lock:
            if self._pid == os.getpid() and len(self._idle) < self.size:
                self._idle.append(db)
                return
        db.close()


def reads_only(db: Database) -> bool:
    """Whether the connection serves a read (a GET): it writes no derived table, and the access log only."""
    return getattr(db, "reads_only", False)


def is_busy(error: BaseException) -> bool:
    """Whether `error` is SQLite giving up on a lock another connection held for the whole busy timeout."""
    return isinstance(error, sqlite3.OperationalError) and any(
        words in str(error) for words in ("database is locked", "database is busy", "database table is locked"))


@contextlib.contextmanager
def write(db: Database):
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes can fail at once with SQLITE_BUSY in WAL
    mode, busy timeout or not. Nested use becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.execute("COMMIT")


@contextlib.contextmanager
def read(db: Database):
    """Several reads from one snapshot (a deferred transaction that never writes): a live fragment and the
    revision it is tagged with always agree. Nested use is part of the outer transaction."""
    if db.conn.in_transaction:
        yield db
        return
    db.conn.execute("BEGIN")
    try:
        yield db
    finally:
        db.conn.rollback()


def prepare(path: str | Path) -> None:
    """Create the file if needed, switch it to WAL, apply pending migrations and write the derived rows a migration
    left to their owner (once, at start): every closed meeting has its figures; a team a migration marked stale is
    worked out by the calendar before it is read."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    try:
        db.enable_wal()
        migrations.apply(db)
        with write(db):
            figures.write_missing(db)
    finally:
        db.close()


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC (meeting.store.now, the one clock)."""
    return now.utcnow()


def iso(moment: datetime) -> str:
    """A UTC ISO timestamp as stored in *_at columns."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")
