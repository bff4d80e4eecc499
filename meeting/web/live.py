"""Live updates across threads and processes: the signal is a meeting's revision in the database.

One poller thread per process watches `PRAGMA data_version` (it changes only when another
connection commits), reads the revisions of the meetings someone is watching, and wakes their
streams. Each stream holds a server thread, so streams are capped and have a maximum lifetime.
"""
import threading
import time

from meeting.store.db import connect

POLL_SECONDS = 0.05
HEARTBEAT_SECONDS = 15
MAX_STREAM_SECONDS = 30 * 60
MAX_STREAMS = 80


class Broadcaster:
    """Wakes waiting streams when a watched meeting's revision changes."""

    def __init__(self, path: str, max_streams: int = MAX_STREAMS):
        self.path, self.max_streams = path, max_streams
        self._changed = threading.Condition()
        self._revisions: dict[int, int] = {}
        self._watchers: dict[int, int] = {}
        self._thread: threading.Thread | None = None

    def open_stream(self, meeting_id: int) -> bool:
        """Register a stream for the meeting; False when the cap is reached."""
        with self._changed:
            if sum(self._watchers.values()) >= self.max_streams:
                return False
            self._watchers[meeting_id] = self._watchers.get(meeting_id, 0) + 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._poll, name="belletje-live", daemon=True)
                self._thread.start()
        return True

    def close_stream(self, meeting_id: int) -> None:
        """Unregister a stream (always, in the stream's `finally:`)."""
        with self._changed:
            self._watchers[meeting_id] -= 1
            if not self._watchers[meeting_id]:
                del self._watchers[meeting_id]
                self._revisions.pop(meeting_id, None)

    def wait(self, meeting_id: int, known: int | None, timeout: float) -> int | None:
        """Block until the meeting's revision differs from `known` (or the timeout); return it."""
        with self._changed:
            if meeting_id not in self._revisions:
                self._revisions[meeting_id] = self._read([meeting_id]).get(meeting_id)
            self._changed.wait_for(lambda: self._revisions.get(meeting_id) != known, timeout)
            return self._revisions.get(meeting_id)

    def _read(self, meeting_ids: list[int]) -> dict[int, int]:
        db = connect(self.path)
        try:
            return self._revisions_from(db, meeting_ids)
        finally:
            db.close()

    @staticmethod
    def _revisions_from(db, meeting_ids: list[int]) -> dict[int, int]:
        marks = ", ".join("?" * len(meeting_ids))
        return {r[0]: r[1] for r in db.execute(f"SELECT id, revision FROM meetings WHERE id IN ({marks})", meeting_ids)}

    def _poll(self) -> None:
        """The process's one poller: runs while anyone watches, on its own connection."""
        db, last_version = connect(self.path), None
        try:
            while True:
                with self._changed:
                    watched = list(self._watchers)
                    if not watched:
                        self._thread = None
                        return
                version = db.execute("PRAGMA data_version").fetchone()[0]
                if version != last_version:
                    last_version = version
                    fresh = self._revisions_from(db, watched)
                    with self._changed:
                        self._revisions.update(fresh)
                        self._changed.notify_all()
                time.sleep(POLL_SECONDS)
        finally:
            db.close()


def sse_events(broadcaster: Broadcaster, meeting_id: int, max_seconds: float = MAX_STREAM_SECONDS):
    """The event stream: `changed` at once (a full re-sync on every connect), then on every change."""
    try:
        yield "retry: 2000\n\n"
        known, ends = None, time.monotonic() + max_seconds
        while time.monotonic() < ends:
            revision = broadcaster.wait(meeting_id, known, HEARTBEAT_SECONDS)
            if revision != known:
                known = revision
                yield f"event: changed\ndata: {revision}\n\n"
            else:
                yield ": heartbeat\n\n"
    finally:
        broadcaster.close_stream(meeting_id)
