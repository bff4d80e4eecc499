"""Live updates across threads and processes: the signal is a meeting's revision in the database.

One poller thread per process watches `PRAGMA data_version` (it changes only when another
connection commits), reads the revisions of the meetings someone is watching, and wakes the streams
of the meetings that changed. The first stream to wake renders each kind of fragment (console or
phone, per language and role) once; every other screen of that meeting receives the same text in its
events (`sse-swap`), so a change costs one render per kind, not one per screen. What differs per person
(their CSRF token, whether they rated, their access-log row) stays out of the shared text.

A fragment is made of parts that change on their own (the item on now, its clock, the bell, the agenda's
rows...). Each stream sends a part only when its text differs from what that screen last got: a bell ring
sends the bell and the clocks, not the item's whole story, so a live update stays under 5 KB.
"""
import random
import select
import socket
import struct
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Response, abort, current_app, g, render_template, request, stream_with_context
from flask_babel import get_locale
from markupsafe import Markup

from meeting.core import evaluations, flow
from meeting.core import items as item_rules
from meeting.core import session as session_rules
from meeting.core.dates import parse_date
from meeting.store import decisions as decision_store
from meeting.store import items as item_store
from meeting.store import meeting_ratings
from meeting.store import meetings as meeting_store
from meeting.store import running as running_store
from meeting.store import sessions as session_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor, log_view
from meeting.store.db import Pool, connect, read, utcnow
from meeting.web import review_helpers
from meeting.web.shared import actor, close_db, get_db, team_today

POLL_SECONDS = 0.02
HEARTBEAT_SECONDS = 15
MAX_STREAM_SECONDS = 30 * 60
MAX_STREAMS = 80
STREAMS_PER_USER = 4  # one person's screens of one meeting: a phone, a laptop, the projector and one spare
TEAM_SHARE = 0.75  # of the process's streams one team may hold: a quarter stays free for the other teams
# a screen reconnects this long after its stream ends (a restart): spread, so 1,200 screens do not come back at once
RETRY_MS = (1000, 5000)
# a screen whose stream cannot take more for this long (it stopped reading: a phone locked mid-stream) is dropped;
# unacknowledged data for as long drops a vanished one (TCP_USER_TIMEOUT)
STALL_SECONDS = 15
SEND_BUFFER = 8 * 1024  # a stream's send buffer (the kernel doubles it): a re-sync (8 KB) fits, a stall fills it
FRESH_SECONDS = 0.5  # a cached fragment older than this is re-timed for a (re)connecting screen: its clock moved on
# the parts that show the time passing (the browser moves them on from when they arrived): all a re-timing renders
TICKING = ("clock", "budgets", "estimate")
# each kind's parts, in the order of its panel (run/_panel.html, live/_phone_panel.html): (event name, template)
PARTS = {"console": (("item", "run/_item.html"), ("clock", "run/_clock.html"),
                     ("clock-controls", "run/_clock_controls.html"), ("controls", "run/_controls.html"),
                     ("bell", "run/_bell.html"), ("ring", "run/_ring.html"), ("budgets", "run/_budgets.html"),
                     ("estimate", "run/_estimate.html"), ("coming", "run/_coming.html")),
         "phone": (("now", "live/_phone_now.html"), ("clock", "live/_phone_clock.html"),
                   ("story", "live/_phone_story.html"), ("agenda", "live/_phone_agenda.html")),
         # a complex-case session (session/_panel.html, session/_phone_panel.html)
         "session": (("step", "session/_step.html"), ("clock", "run/_clock.html"),
                     ("clock-controls", "run/_clock_controls.html"), ("controls", "session/_controls.html"),
                     ("board", "session/_board.html"), ("bell", "run/_bell.html"), ("ring", "run/_ring.html"),
                     ("budgets", "session/_budgets.html")),
         "session-phone": (("step", "session/_phone_step.html"), ("clock", "live/_phone_clock.html"),
                           ("cards", "session/_phone_cards.html"))}
KINDS = {"console": "weekly", "phone": "weekly", "session": "complex_case", "session-phone": "complex_case"}
CONSOLES = ("console", "session")  # the chair's screens; the others are every participant's phones
# a list part whose rows are also pushed alone: (row template, row event name = the row's id)
ROWS = {"agenda": ("live/_phone_row.html", "phone-item-{}")}


@dataclass(frozen=True)
class Part:
    """One part of a live panel, pushed as the SSE event `name` that its wrapper swaps in (`sse-swap`)."""
    name: str
    html: str
    rows: tuple = ()  # the parts inside a list (its rows), each pushed alone while the list keeps the same rows

    @property
    def shape(self):
        """What must differ for the part itself to be sent again: its text, or for a list the rows it holds."""
        return tuple(row.name for row in self.rows) if self.rows else self.html


@dataclass(frozen=True)
class Fragment:
    """One rendered live fragment (its parts), tagged with the revision of the snapshot it was read from."""
    revision: int
    parts: tuple[Part, ...]
    client_ids: frozenset
    closed: bool
    rendered_at: float


@dataclass(frozen=True)
class Screen:
    """Who is watching, and which fragment their screen shows: the per-person parts of a stream."""
    kind: str  # console | phone | session | session-phone (KINDS)
    team_id: int
    meeting_id: int
    locale: str
    role: str
    viewer: Actor
    url_root: str


class Broadcaster:
    """Wakes the streams of a meeting when its revision changes, and keeps its rendered fragments."""

    def __init__(self, path: str, max_streams: int = MAX_STREAMS, app=None):
        self.path, self.max_streams, self.app = path, max_streams, app
        self._lock = threading.Lock()
        self._conditions: dict[int, threading.Condition] = {}
        self._revisions: dict[int, int] = {}
        self._watchers: dict[int, int] = {}
        self._holders: dict[tuple, int] = {}  # (team, meeting, user) -> open streams, for the caps per user and team
        self._fragments: dict[tuple, Fragment] = {}
        self._render_locks: dict[tuple, threading.Lock] = {}
        self._thread: threading.Thread | None = None
        # the streams' short reads and access-log rows: a new connection costs milliseconds, 1,200 reconnects many
        self._pool = Pool(path, size=16)
        self.closing = False  # the process is stopping: every stream ends, its screen reconnects to the next one
        self.renders = 0  # fragments rendered by this process (the benchmark and the tests read it)

    def open_stream(self, meeting_id: int, user_id: int | None = None, team_id: int | None = None) -> bool:
        """Register a stream for the meeting; False when the process's cap, the user's for this meeting
        (STREAMS_PER_USER) or the team's share of the process (TEAM_SHARE) is reached."""
        with self._lock:
            if (self.closing or sum(self._watchers.values()) >= self.max_streams
                    or not self._within_share(meeting_id, user_id, team_id)):
                return False
            self._watchers[meeting_id] = self._watchers.get(meeting_id, 0) + 1
            if user_id is not None or team_id is not None:
                holder = (team_id, meeting_id, user_id)
                self._holders[holder] = self._holders.get(holder, 0) + 1
            self._conditions.setdefault(meeting_id, threading.Condition(self._lock))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._poll, name="belletje-live", daemon=True)
                self._thread.start()
        return True

    def open_streams(self) -> int:
        """Streams open in this process now."""
        with self._lock:
            return sum(self._watchers.values())

    def shutdown(self) -> None:
        """End every stream at once (the server stops): their screens reconnect, to the next process, by themselves."""
        with self._lock:
            self.closing = True
            for condition in self._conditions.values():
                condition.notify_all()

    def _within_share(self, meeting_id: int, user_id: int | None, team_id: int | None) -> bool:
        """Whether one more stream keeps the user within their streams of this meeting and the team within its share."""
        if user_id is not None and self._holders.get((team_id, meeting_id, user_id), 0) >= STREAMS_PER_USER:
            return False
        team_streams = sum(n for (team, _m, _u), n in self._holders.items() if team == team_id)
        return team_id is None or team_streams < max(STREAMS_PER_USER, int(self.max_streams * TEAM_SHARE))

    def close_stream(self, meeting_id: int, user_id: int | None = None, team_id: int | None = None) -> None:
        """Unregister a stream (always, in the stream's `finally:`); the last one takes the meeting's cache along."""
        with self._lock:
            holder = (team_id, meeting_id, user_id)
            if holder in self._holders:
                self._holders[holder] -= 1
                if not self._holders[holder]:
                    del self._holders[holder]
            self._watchers[meeting_id] -= 1
            if not self._watchers[meeting_id]:
                del self._watchers[meeting_id]
                self._revisions.pop(meeting_id, None)
                self._conditions.pop(meeting_id, None)
                for key in [k for k in self._render_locks if k[2] == meeting_id]:
                    self._fragments.pop(key, None)
                    del self._render_locks[key]

    def wait(self, meeting_id: int, known: int | None, timeout: float) -> int | None:
        """Block until the meeting's revision differs from `known` (or the timeout); return it."""
        if meeting_id not in self._revisions:
            fresh = self._read([meeting_id]).get(meeting_id)
            with self._lock:
                self._revisions.setdefault(meeting_id, fresh)
        with self._lock:
            condition = self._conditions.get(meeting_id) or threading.Condition(self._lock)
            condition.wait_for(lambda: self.closing or self._revisions.get(meeting_id) != known, timeout)
            return self._revisions.get(meeting_id)

    def fragment(self, screen: Screen, revision: int | None, rated: bool = False) -> Fragment:
        """The screen's kind of fragment at `revision` or later: rendered by the first screen that asks, shared
        after."""
        key = (screen.kind, screen.team_id, screen.meeting_id, screen.locale, _role(screen), rated)
        with self._lock:
            render_lock = self._render_locks.setdefault(key, threading.Lock())
        with render_lock:
            cached = self._fragments.get(key)
            current = cached and cached.revision >= (revision or 0)
            if current and time.monotonic() - cached.rendered_at < FRESH_SECONDS:
                return cached
            fragment = render_fragment(self.app, screen, rated, cached if current else None)
            with self._lock:
                self.renders += 1
                if screen.meeting_id in self._watchers:  # not for a stream that closed meanwhile
                    self._fragments[key] = fragment
            return fragment

    def _read(self, meeting_ids: list[int]) -> dict[int, int]:
        with self.connection() as db:
            return meeting_store.revisions(db, meeting_ids)

    @contextmanager
    def connection(self):
        """A connection of the process's pool for one short read or write, given back at once."""
        db = self._pool.take()
        try:
            yield db
        finally:
            self._pool.give_back(db)

    def _poll(self) -> None:
        """The process's one poller: runs while anyone watches, on its own connection."""
        db, last_version = connect(self.path), None
        try:
            while True:
                with self._lock:
                    watched = list(self._watchers)
                    if not watched:
                        self._thread = None
                        return
                version = meeting_store.data_version(db)
                if version != last_version:
                    last_version = version
                    fresh = meeting_store.revisions(db, watched)
                    with self._lock:
                        for meeting_id, revision in fresh.items():
                            if self._revisions.get(meeting_id) != revision and meeting_id in self._conditions:
                                self._revisions[meeting_id] = revision
                                self._conditions[meeting_id].notify_all()
                time.sleep(POLL_SECONDS)
        finally:
            db.close()


def _role(screen: Screen) -> str:
    """The role a fragment is rendered for: the console is the chair's; a phone's depends on its reader's role."""
    return "chair" if screen.kind in CONSOLES else screen.role


def render_fragment(app, screen: Screen, rated: bool, earlier: Fragment | None = None) -> Fragment:
    """Render a live fragment in a request of its own: nobody's session, flashes or CSRF token get into it.

    From an `earlier` fragment of the same revision only the parts that show the time passing are rendered again
    (a reconnecting screen's clock must be right; the rest is what every other screen of the meeting holds).
    """
    with app.app_context(), app.test_request_context("/", base_url=screen.url_root,
                                                      headers={"Accept-Language": screen.locale}):
        g.team = team_store.get_team(get_db(), screen.team_id)
        g.role = _role(screen)
        # Flask-WTF's per-request cache: the shared text carries no token; belletje.js adds the reader's
        g.csrf_token = ""
        context = panel_context(screen.kind, screen.team_id, screen.meeting_id, rated=rated, log=False)
        meeting = context["meeting"]
        same = earlier is not None and earlier.revision == meeting["revision"]
        parts = tuple(earlier.parts[n] if same and name not in TICKING else render_part(name, template, context)
                      for n, (name, template) in enumerate(PARTS[screen.kind]))
    return Fragment(meeting["revision"], parts, frozenset(context["client_ids"]), meeting["state"] == "closed",
                    time.monotonic())


def render_part(name: str, template: str, context: dict) -> Part:
    """One part of a panel; a list part renders each of its rows alone, and then itself around those rows."""
    if name not in ROWS:
        return Part(name, compact(render_template(template, **context)))
    row_template, row_name = ROWS[name]
    rows = tuple(Part(row_name.format(p.item.id), compact(render_template(row_template, p=p, **context)))
                 for p in context["view"].agenda)
    html = compact(render_template(template, rendered_rows=[Markup(row.html) for row in rows], **context))
    return Part(name, html, rows) if html else Part(name, html)


def changed_events(parts: tuple[Part, ...], on_screen: dict) -> str:
    """The events that bring a screen from `on_screen` (the text it last got of each part) to `parts`; notes them in
    `on_screen`.

    A list that holds the same rows as before sends only its rows that changed; otherwise it is sent whole.
    """
    events = []
    for part in parts:
        if part.rows and on_screen.get(part.name) == part.shape:
            events += [sse_event(row.name, row.html) for row in part.rows if on_screen.get(row.name) != row.html]
        elif on_screen.get(part.name) != part.shape:
            events.append(sse_event(part.name, part.html))
        on_screen[part.name] = part.shape
        on_screen.update((row.name, row.html) for row in part.rows)
    return "".join(events)


def compact(html: str) -> str:
    """The fragment on one line, without the templates' indentation: one `data:` field per event.

    A line break between tags is whitespace like a space; live fragments hold no preformatted text.
    """
    return " ".join(line.strip() for line in html.splitlines() if line.strip())


def sse_event(name: str, data: str) -> str:
    """One Server-Sent Event; every line of the data gets its own `data:` field."""
    lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return f"event: {name}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"


def retry_field() -> str:
    """How long the screen waits before it reconnects once its stream ends: spread over RETRY_MS."""
    return f"retry: {random.randint(*RETRY_MS)}\n\n"


class Outlet:
    """A stream's socket, watched for a screen that stopped reading: its stream then ends instead of blocking."""

    def __init__(self, sock: socket.socket, stall_seconds: float = STALL_SECONDS):
        self.sock, self.stall_seconds = sock, stall_seconds
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        if hasattr(socket, "TCP_USER_TIMEOUT"):  # Linux: data unacknowledged this long ends the connection
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, int(stall_seconds * 1000))

    def takes_more(self) -> bool:
        """Whether the screen has room for the next events within the stall time; if not its connection is reset.

        A reset, not a close: a close would wait for the screen to read what is queued (the server's main loop
        lingers on it), and the screen reads nothing.
        """
        poller = select.poll()
        poller.register(self.sock, select.POLLOUT)
        ready = poller.poll(self.stall_seconds * 1000)
        if ready and ready[0][1] == select.POLLOUT:
            return True
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # gone already
        return False


def outlet_of(environ: dict, stall_seconds: float) -> Outlet | None:
    """The stream's socket where the server hands it to the app (gunicorn, werkzeug); waitress buffers it itself."""
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    return Outlet(sock, stall_seconds) if isinstance(sock, socket.socket) else None


def sse_events(broadcaster: Broadcaster, meeting_id: int, screen: Screen | None = None,
               max_seconds: float = MAX_STREAM_SECONDS, holder: tuple[int | None, int | None] = (None, None),
               outlet: Outlet | None = None):
    """The event stream: the screen's parts and `changed` at once, then on every change the parts that changed.

    The first events are a full re-sync (every part), so a screen that reconnects (after a restart, a network drop)
    is current again; the events of one change go out together, `changed` last. Each person's view of the clients
    in the fragment is logged (each client once a day), before any part of it is sent. `holder` (user, team) is who
    opened a stream without a screen, for the caps. A screen that stops reading (`outlet`) is dropped after the
    stall time; so is every stream when the server stops, and the screens come back after their (jittered) retry.
    """
    try:
        yield retry_field()
        known, on_screen, logged, ends = None, {}, None, time.monotonic() + max_seconds
        while time.monotonic() < ends:
            revision = broadcaster.wait(meeting_id, known, HEARTBEAT_SECONDS)
            if broadcaster.closing:
                return
            if outlet and not outlet.takes_more():
                return
            if revision == known:
                yield ": heartbeat\n\n"
                continue
            known, events = revision, ""
            if screen is not None:
                fragment = _fragment_for(broadcaster, screen, revision)
                if fragment.client_ids != logged:
                    _log_view(broadcaster, screen, fragment.client_ids)
                    logged = fragment.client_ids
                events = changed_events(fragment.parts, on_screen)
            yield events + f"event: changed\ndata: {revision}\n\n"
    finally:
        broadcaster.close_stream(meeting_id, *((screen.viewer.user_id, screen.team_id) if screen else holder))


def event_stream(kind: str, team_id: int, meeting_id: int) -> Response:
    """The response for a live screen of `kind`; 503 with Retry-After past the cap.

    Who is watching is read here, in the view; the stream then holds no database connection of its own.
    """
    meeting = meeting_store.get_meeting(get_db(), team_id, meeting_id)
    if meeting is None or meeting["kind"] != KINDS[kind]:  # a plain 404 before any event: no stream to reconnect to
        abort(404)
    screen = Screen(kind, team_id, meeting_id, str(get_locale()), g.role, actor(), request.url_root)
    close_db()
    broadcaster = current_app.extensions["belletje_live"]
    if broadcaster.closing:  # this process stops: an empty stream, and the screen comes back to the next one
        return Response(retry_field(), mimetype="text/event-stream", headers={"Cache-Control": "no-store"})
    if not broadcaster.open_stream(meeting_id, screen.viewer.user_id, team_id):
        return Response("too many live screens", status=503, headers={"Retry-After": "10"})
    outlet = outlet_of(request.environ, current_app.config.get("STREAM_STALL_SECONDS", STALL_SECONDS))
    return Response(stream_with_context(sse_events(broadcaster, meeting_id, screen, outlet=outlet)),
                    mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _fragment_for(broadcaster: Broadcaster, screen: Screen, revision: int | None) -> Fragment:
    """The shared fragment; at the end of a meeting, the variant for whether this person has rated."""
    fragment = broadcaster.fragment(screen, revision)
    if fragment.closed and screen.kind == "phone" and screen.viewer.user_id is not None:
        with broadcaster.connection() as db:
            rated = meeting_ratings.has_rated(db, screen.meeting_id, screen.viewer.user_id)
        if rated:
            fragment = broadcaster.fragment(screen, revision, rated=True)
    return fragment


def _log_view(broadcaster: Broadcaster, screen: Screen, client_ids: frozenset) -> None:
    with broadcaster.connection() as db:
        log_view(db, screen.viewer, "live", client_ids, screen.team_id, screen.meeting_id)


def live_context(team_id: int, meeting_id: int, log: bool = True, action: str = "live") -> dict:
    """The running meeting as every live screen sees it, from one snapshot of the stored events at this moment.

    With `log` the current user's view of its clients goes to the access log (each client once a day, see `log_view`).
    """
    db, now = get_db(), utcnow()
    with read(db):
        meeting = meeting_store.get_meeting(db, team_id, meeting_id) or abort(404)
        if meeting["kind"] != "weekly":  # a complex-case session has its own screens (views/session.py)
            abort(404)
        rows = item_store.agenda_items(db, None, team_id, meeting_id, states=("planned", "decided", "deferred"))
        items = [item_rules.agenda_item(r, team_today(g.team), g.team["evaluation_interval_months"]) for r in rows]
        view = flow.meeting_view(items, {r["id"]: r["state"] for r in rows},
                                 running_store.clock_events_of_meeting(db, meeting_id),
                                 meeting["current_item_id"], meeting["order_policy"],
                                 {"acute": meeting["acute_budget"], "regular": meeting["regular_budget"]},
                                 running_store.borrowings(db, meeting_id), now)
        context = dict(meeting=meeting, view=view, rows={r["id"]: r for r in rows}, now=now, kind="weekly",
                       bell=running_store.bell_state(db, meeting_id, meeting["current_item_id"]),
                       decisions=decision_store.decisions_of_meeting(db, meeting_id),
                       client_ids=sorted({r["client_id"] for r in rows if r["client_id"]}),
                       input_names=review_helpers.input_names(team_id))
    if log:
        log_view(db, actor(), action, context["client_ids"], team_id, meeting_id)
    return context


def session_context(team_id: int, session_id: int, log: bool = True) -> dict:
    """The running complex-case session as every live screen sees it, from one snapshot of its stored events.

    Its steps come from the work form (the session's five step items), timed by the same clock as an agenda item.
    With `log` the current user's view of its client goes to the access log (once a day, as a meeting's `log_view`).
    """
    db, now = get_db(), utcnow()
    with read(db):
        session = session_store.get_session(db, team_id, session_id) or abort(404)
        steps = session_store.steps(db, session_id)
        view = session_rules.session_view([session_rules.Step(s["id"], s["step"], s["minutes"]) for s in steps],
                                          running_store.clock_events_of_meeting(db, session_id),
                                          session["current_item_id"], now)
        cards = session_store.cards(db, session_id)
        decision_step = next(s for s in steps if s["step"] == session_rules.DECISION_STEP)
        context = dict(session=session, meeting=session, view=view, cards=cards, board=session_rules.board(cards),
                       decision_step=decision_step, now=now, kind="session", current=view.current,
                       decision=decision_store.decisions_of_meeting(db, session_id).get(decision_step["id"]),
                       bell=running_store.bell_state(db, session_id, session["current_item_id"]),
                       months=evaluations.treatment_months(parse_date(session["client_treatment_start"]),
                                                           team_today(g.team)),
                       client_ids=[session["client_id"]])
    if log:
        log_view(db, actor(), "live", context["client_ids"], team_id, session_id)
    return context


def panel_context(kind: str, team_id: int, meeting_id: int, rated: bool = False, log: bool = True) -> dict:
    """What a live panel of `kind` shows: the console adds the look back's open actions, the phone whether you rated;
    a session's screens show the session (`session_context`)."""
    if KINDS[kind] == "complex_case":
        return session_context(team_id, meeting_id, log=log)
    context = live_context(team_id, meeting_id, log=log)
    context["current"] = on_now(context)
    if kind == "console":
        context |= _console_extras(team_id, context)
    else:
        context["rated"] = rated
    return context


def on_now(context: dict) -> dict | None:
    """The item the screens show as on now: only while the meeting is at its items, not in its opening or closing."""
    meeting, view = context["meeting"], context["view"]
    if meeting["state"] != "running" or meeting["phase"] in ("look_back", "consent", "look_ahead") or not view.current:
        return None
    return context["rows"][view.current.item.id]


def _console_extras(team_id: int, context: dict) -> dict:
    """What only the chair's console shows: the look back, the end at this pace, the look ahead."""
    meeting, db = context["meeting"], get_db()
    running = meeting["state"] == "running"
    return {"open_actions": (decision_store.open_actions(db, team_id, meeting["id"])
                             if running and meeting["phase"] == "look_back" else []),
            "look_ahead": look_ahead(db, team_id, context) if running and meeting["phase"] == "look_ahead" else None,
            "estimate": flow.end_estimate(context["view"], meeting["order_policy"], _scheduled_end(meeting),
                                          context["now"]) if running else None,
            "tomorrow": (team_today(g.team) + timedelta(days=1)).isoformat()}


def look_ahead(db, team_id: int, context: dict) -> dict:
    """The look ahead, with the presenters of the items this meeting carries over among next time's."""
    ahead = running_store.look_ahead(db, team_id, context["meeting"])
    carried = {context["rows"][p.item.id]["presenter_name"] for p in flow.unfinished(context["view"])}
    ahead["presenters"] = sorted(set(ahead["next_presenters"]) | carried)
    return ahead


def _scheduled_end(meeting: dict) -> datetime:
    return datetime.fromisoformat(meeting["starts_at"]) + timedelta(minutes=meeting["minutes"])
