"""Live updates across threads and processes: the signal is a meeting's revision in the database.

One poller thread per process watches `PRAGMA data_version` (it changes only when another
connection commits), reads the revisions of the meetings someone is watching, and wakes their
streams. Each stream holds a server thread, so streams are capped and have a maximum lifetime.
"""
import threading
import time

from flask import abort, g

from meeting.core import flow, items as item_rules
from meeting.store import decisions as decision_store, items as item_store, meetings as meeting_store
from meeting.store import running as running_store
from meeting.store.db import connect, utcnow
from meeting.web.plumbing import actor, get_db, team_today

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
            return meeting_store.revisions(db, meeting_ids)
        finally:
            db.close()

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
                version = meeting_store.data_version(db)
                if version != last_version:
                    last_version = version
                    fresh = meeting_store.revisions(db, watched)
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


def live_context(team_id: int, meeting_id: int) -> dict:
    """The running meeting as every live screen sees it, derived from the stored events at this moment."""
    db, now = get_db(), utcnow()
    meeting = meeting_store.get_meeting(db, team_id, meeting_id) or abort(404)
    if meeting["kind"] != "weekly":  # a complex-case session has its own screens (views/session.py)
        abort(404)
    rows = item_store.agenda_items(db, actor(), team_id, meeting_id, states=("planned", "decided", "deferred"))
    items = [item_rules.agenda_item(r, team_today(g.team), g.team["evaluation_interval_months"]) for r in rows]
    view = flow.meeting_view(items, {r["id"]: r["state"] for r in rows}, running_store.clock_events_of_meeting(db, meeting_id),
                             meeting["current_item_id"], meeting["order_policy"],
                             {"acute": meeting["acute_budget"], "regular": meeting["regular_budget"]},
                             running_store.borrowings(db, meeting_id), now)
    return dict(meeting=meeting, view=view, rows={r["id"]: r for r in rows}, now=now,
                bell=running_store.bell_state(db, meeting_id, meeting["current_item_id"]),
                decisions=decision_store.decisions_of_meeting(db, meeting_id))
