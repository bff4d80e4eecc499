"""Benchmark: live screens measured as their users see them, on the real server.

Each run builds M rehearsal meetings (meeting.ops.rehearsal: a typical 14-item agenda at its first item)
with S screens each: the chair's console (the projector) and S-1 phones, every phone a member with a
login of their own. It starts the server as the README says (`python app.py --no-scheduler`, plus
--server-args, e.g. "--institution"), connects every screen as a browser does (one keep-alive connection
for the page and its fetches, plus the event stream), and for the run's duration lets each meeting's
members ring the bell and its chair acknowledge, pause, resume and advance to the next item (defer it,
then open the next: two changes), one change every ~2 s per meeting. For every change it notes when each
screen of that meeting *holds* it (the change's pushed parts and its `changed` event read to their end,
or the polled panel), from the moment the POST was sent. Meanwhile one user per meeting browses ordinary
pages (agenda, meetings, team page) once a second.

Scenarios: (a) 1 meeting x 60 screens; (b) 7 meetings x 60 screens at once, one of them a complex-case session
(--sessions: its console and phones on the same live channel; its members put worksheet cards on the board where a
weekly meeting advances); (c) the busiest hour: 20 meetings x 60 screens = 1,200 live screens, 3 of them
complex-case sessions (--busiest, --busiest-sessions; its people get their session cookies minted with the server's
key instead of 1,200 argon2id logins through the form). Modes: `sse` (the live channel) and `poll` (every screen
re-fetches its panel every 2 s, the alternative without SSE).

Faults of the busiest hour (issue 29), each on scenario (c), each screen an EventSource that reconnects by itself:
--restart term|kill stops the server after --duration s of changes (SIGTERM to gunicorn's master, or SIGKILL to every
process of it), starts it again on the same port and database, and measures how long after the server answers again
each screen holds the current state, whether any 5xx came, whether a confirmed change is missing, and whether each
clock shows its time before plus the time passed; then --after s more of changes. --stalled N lets N phones stop
reading after their first re-sync (4 KB receive buffers, so they fill within a minute) and notes when the server drops
each (from the kernel's table of its connections), from their last read and from when their buffers were full (the
server had bytes queued that they did not take), while the others go on.

    python scripts/benchmark_live.py                               # (a) sse+poll, (b) sse; 60 s each
    python scripts/benchmark_live.py --duration 300                # the full run (5 minutes each)
    python scripts/benchmark_live.py --scenario a --mode sse --screens 60 --duration 30
    python scripts/benchmark_live.py --server-args="--institution --workers 2"
    python scripts/benchmark_live.py --runs 3                      # three runs, then their medians
    python scripts/benchmark_live.py --scenario c --mode sse --server-args="--institution" --duration 300
    python scripts/benchmark_live.py --restart term --server-args="--institution" --duration 30 --after 30
    python scripts/benchmark_live.py --restart kill --server-args="--institution" --duration 30 --after 30
    python scripts/benchmark_live.py --stalled 100 --server-args="--institution" --duration 90

Columns: updates = (change, screen) pairs measured; missed = a screen that did not hold a change within
10 s; pages p95 = ordinary pages while streaming; log rows = access-log rows written from the screens'
first views to the end of the run; update B = bytes one change sends one screen (every event it pushes,
up to its `changed`; or one polled response); KB/screen = server memory per live screen (what opening every
stream added to the server's RSS, over the screens). Restart columns: exit = signal until the old server was gone;
down = signal until it answered again; back = screens holding the current state, and when, from its answering
again; lost = meetings whose stored revision is behind a confirmed change; stale = screens re-synced to another
revision than the stored one; clock off = |clock after - (clock before - time passed)|. Stalled columns: dropped =
stalled screens whose connection the server reset, and how long after their last read.

Targets (issue 13): (a) p95 < 150 ms and >= 10x better than polling; (b) p95 < 250 ms; ordinary pages
p95 < 150 ms while streaming; no errors, no refused stream; server memory growth < 10 %. Issue 29: (c) p95 < 250 ms,
the same for pages, streams and memory; a restart: every screen back within 15 s of the server answering, no 5xx,
nothing lost, clocks within 2 s; stalled screens dropped within --stall-bound s, the others' p95 < 250 ms.
A benchmark, not a test: it prints figures and says which targets the run met.
"""
import argparse
import asyncio
import itertools
import os
import random
import re
import resource
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "rehearsal password 1"
SECRET_KEY = "benchmark"
POLL_SECONDS = 2.0
CHANGE_SECONDS = 2.0
GRACE_SECONDS = 10.0  # a screen that has not got a change after this has missed it
STALLED_RECEIVE_BUFFER = 4096  # a stalled screen's (the kernel doubles it): fills in about a minute of a meeting
REVISION = re.compile(rb'data-revision="(\d+)"')  # of a polled panel
CHANGED = re.compile(rb"^data: (\d+)$", re.M)  # of a stream's `changed` event
TOKEN = re.compile(rb'"X-CSRFToken": "([^"]+)"')
LOGIN_TOKEN = re.compile(rb'name="csrf_token" value="([^"]+)"')
ACCEPT = "br, gzip, deflate"


# --- a small HTTP/1.1 client: keep-alive, chunked bodies, wire bytes counted --------------------------------

@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes
    wire: int


class Connection:
    """One keep-alive connection, as a browser holds it."""

    def __init__(self, port: int):
        self.port, self.reader, self.writer = port, None, None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 22)

    def close(self):
        if self.writer:
            self.writer.close()
            self.writer = None

    async def send(self, method: str, path: str, cookies: dict, body: bytes = b"", headers: dict | None = None):
        if self.writer is None:
            await self.open()
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: keep-alive",
                 f"Accept-Encoding: {ACCEPT}"]
        if cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
        if body:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()

    async def head(self) -> tuple[int, dict, int]:
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = raw.decode("latin-1").split("\r\n")
        headers: dict = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.setdefault(name.strip().lower(), []).append(value.strip())
        return int(status_line.split()[1]), headers, len(raw)

    async def request(self, method: str, path: str, cookies: dict, body: bytes = b"", headers=None) -> Reply:
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile: open a new one
            try:
                await self.send(method, path, cookies, body, headers)
                status, head, wire = await self.head()
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        data = bytearray()
        if "chunked" in head.get("transfer-encoding", [""])[0]:
            while True:
                size_line = await self.reader.readline()
                size = int(size_line.split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                wire += len(size_line) + size + 2
                if size == 0:
                    break
                data += chunk[:-2]
        elif "content-length" in head:
            data = await self.reader.readexactly(int(head["content-length"][0]))
            wire += len(data)
        if head.get("connection", [""])[0].lower() == "close":
            self.close()
        for cookie in head.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            cookies[name] = rest.split(";")[0]
        return Reply(status, head, bytes(data), wire)


def decoded(reply: Reply) -> bytes:
    encoding = reply.headers.get("content-encoding", [""])[0]
    if encoding == "br":
        import brotli
        return brotli.decompress(reply.body)
    if encoding == "gzip":
        import gzip
        return gzip.decompress(reply.body)
    return reply.body


# --- people and screens ---------------------------------------------------------------------------------------

@dataclass
class Person:
    email: str
    cookies: dict = field(default_factory=dict)
    token: str = ""
    minted: dict = field(default_factory=dict)  # a session cookie made without the form (mint_sessions)


@dataclass
class Screen:
    """One live screen: what it received and when."""
    kind: str  # console | phone
    meeting: int
    person: Person
    fetch: Connection
    arrivals: list = field(default_factory=list)  # (revision, monotonic time)
    event_bytes: list = field(default_factory=list)
    refused: bool = False
    dropped: bool = False
    errors: int = 0
    clocks: list = field(default_factory=list)  # (monotonic time, remaining seconds, status) of each `clock` part
    statuses: list = field(default_factory=list)  # every answer to a (re)connect of its stream
    stalled: bool = False  # stops reading after its first re-sync (--stalled)
    stalled_at: float = 0.0
    port: int = 0  # its stream's local port, to find it in the kernel's table


async def log_in(port: int, person: Person, page: str) -> Connection:
    """Log in through the form (unless the person holds a minted session) and open the person's page; returns the
    keep-alive connection."""
    connection = Connection(port)
    if not person.cookies:
        person.cookies.update(person.minted)
    if not person.cookies:
        await log_in_by_form(connection, person)
    reply = await connection.request("GET", page, person.cookies)
    if reply.status in (301, 302, 303):
        reply = await connection.request("GET", urllib.parse.urlsplit(reply.headers["location"][0]).path,
                                         person.cookies)
    person.token = TOKEN.search(decoded(reply)).group(1).decode()
    return connection


async def log_in_by_form(connection: Connection, person: Person) -> None:
    form = await connection.request("GET", "/login", person.cookies)
    token = LOGIN_TOKEN.search(decoded(form)).group(1).decode()
    body = urllib.parse.urlencode({"csrf_token": token, "email": person.email, "password": PASSWORD}).encode()
    reply = await connection.request("POST", "/login", person.cookies, body)
    if reply.status != 302:
        raise SystemExit(f"login of {person.email} failed: {reply.status}")


def mint_sessions(database: str, rooms: list) -> None:
    """Every screen's person signed in without the form: their session cookie signed with the server's key, as a
    login writes it. 1,200 argon2id logins would take the 2 cores minutes before a run, and logins are not measured.
    """
    from flask import session
    from flask_login import login_user

    from meeting import create_app
    from meeting.store import users as user_store
    from meeting.web.security import User
    app = create_app({"DATABASE": database, "SECRET_KEY": SECRET_KEY, "PREPARE_DATABASE": False})
    serializer = app.session_interface.get_signing_serializer(app)
    db = store_connect(database)
    for room in rooms:
        for person in [room.chair, *room.members]:
            with app.test_request_context("/"):
                login_user(User(user_store.get_user_by_email(db, person.email)))
                person.minted[app.config["SESSION_COOKIE_NAME"]] = serializer.dumps(dict(session))
    db.close()


def store_connect(database: str):
    from meeting.store import db as store_db
    return store_db.connect(database)


async def post(connection: Connection, person: Person, path: str, fields: dict | None = None) -> Reply:
    body = urllib.parse.urlencode(fields or {}).encode()
    return await connection.request("POST", path, person.cookies, body or b"x=1",
                                    {"X-CSRFToken": person.token, "HX-Request": "true"})


async def listen(port: int, screen: Screen, path: str, ready: asyncio.Event, stop: asyncio.Event):
    """The screen's event stream: a change is noted when its `changed` event has been read to its end.

    The stream sends the parts a change altered and then `changed` (with the revision), so the screen holds the
    whole change then; its bytes are those of every event since the previous `changed`.
    """
    connection = Connection(port)
    try:
        await connection.send("GET", path, screen.person.cookies, headers={"Accept": "text/event-stream"})
        status, head, _ = await connection.head()
        if status != 200:
            screen.refused = status == 503
            screen.errors += status != 503
            return
        chunked = "chunked" in head.get("transfer-encoding", [""])[0]
        buffer, change = b"", 0  # bytes of the events read since the last `changed`
        while not stop.is_set():
            if chunked:
                size = int((await connection.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    break
                buffer += (await connection.reader.readexactly(size + 2))[:-2]
            else:
                data = await connection.reader.read(65536)
                if not data:
                    break
                buffer += data
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                change += 0 if event.startswith(b":") else len(event) + 2  # a heartbeat is no part of a change
                if event.startswith(b"event: changed"):  # the change's parts came before it: the screen holds them
                    screen.arrivals.append((int(CHANGED.search(event).group(1)), time.monotonic()))
                    screen.event_bytes.append(change)
                    change = 0
                    ready.set()
        if not stop.is_set():
            screen.dropped = True
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        if not stop.is_set():
            screen.dropped = True
    finally:
        connection.close()
        ready.set()


CLOCK = re.compile(rb'data-remaining="(-?\d+(?:\.\d+)?)"\s+data-status="(\w+)"')
RETRY = re.compile(rb"^retry: (\d+)$", re.M)


async def follow(port: int, screen: Screen, path: str, ready: asyncio.Event, stop: asyncio.Event):
    """The screen's event stream as a browser's EventSource keeps it: when it ends or the server is gone, reconnect
    after the last `retry:` the server sent (no reload); every answer's status is kept. A stalled screen (--stalled)
    stops reading after its first re-sync, as a phone locked mid-stream, with a small receive buffer."""
    retry_ms = 3000  # browsers' default until the server sends its own
    while not stop.is_set():
        connection = Connection(port)
        try:
            if screen.stalled:
                sock = socket.socket()
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, STALLED_RECEIVE_BUFFER)
                sock.setblocking(False)
                await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
                connection.reader, connection.writer = await asyncio.open_connection(sock=sock, limit=1 << 22)
            await connection.send("GET", path, screen.person.cookies, headers={"Accept": "text/event-stream"})
            status, head, _ = await connection.head()
            screen.statuses.append(status)
            if status != 200:
                await asyncio.sleep(10 if status == 503 else retry_ms / 1000)
                continue
            screen.port = connection.writer.get_extra_info("sockname")[1]
            buffer = b""
            while not stop.is_set():
                size = int((await connection.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    break
                buffer += (await connection.reader.readexactly(size + 2))[:-2]
                while b"\n\n" in buffer:
                    event, buffer = buffer.split(b"\n\n", 1)
                    now = time.monotonic()
                    if event.startswith(b"retry:"):
                        retry_ms = int(RETRY.search(event).group(1))
                    elif event.startswith(b"event: clock"):
                        clock = CLOCK.search(event)
                        screen.clocks.append((now, float(clock.group(1)), clock.group(2).decode()) if clock else
                                             (now, None, "none"))
                    elif event.startswith(b"event: changed"):
                        screen.arrivals.append((int(CHANGED.search(event).group(1)), now))
                        ready.set()
                        if screen.stalled:  # from now on it reads nothing: the server must drop it
                            connection.writer.transport.pause_reading()
                            screen.stalled_at = time.monotonic()
                            await stop.wait()
                            return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, OSError):
            pass
        finally:
            connection.close()
        if not stop.is_set():
            await asyncio.sleep(retry_ms / 1000)


def established_peers(port: int) -> dict[int, int]:
    """The client ports of the server's connections on `port` that the kernel still holds established, each with the
    bytes queued to it that it has not taken (its receive window is shut when they stay)."""
    peers = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            local, remote, state, queues = line.split()[1:5]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                peers[int(remote.rsplit(":", 1)[1], 16)] = int(queues.split(":")[0], 16)
    return peers


async def poll(screen: Screen, path: str, stop: asyncio.Event):
    """The screen without SSE: re-fetch its panel every 2 s on its keep-alive connection."""
    await asyncio.sleep(random.uniform(0, POLL_SECONDS))
    while not stop.is_set():
        started = time.monotonic()
        try:
            reply = await screen.fetch.request("GET", path, screen.person.cookies, headers={"HX-Request": "true"})
            if reply.status == 200:
                screen.arrivals.append((int(REVISION.search(decoded(reply)).group(1)), time.monotonic()))
                screen.event_bytes.append(reply.wire)
            else:
                screen.errors += 1
        except (ConnectionError, asyncio.IncompleteReadError):
            screen.errors += 1
        await asyncio.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - started)))


# --- the meetings: changes, and ordinary pages meanwhile --------------------------------------------------------

@dataclass
class Room:
    team_id: int
    meeting_id: int
    chair: Person
    members: list
    kind: str = "weekly"  # weekly | session (a complex-case session on the same live channel)
    screens: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # (revision, monotonic time the POST was sent)
    failed_posts: int = 0
    server_errors: int = 0  # 5xx to a change or to a screen's stream (in the restart runs)


def base_of(room: Room) -> str:
    """The room's running-session address: a weekly meeting's or a complex-case session's (same suffixes)."""
    return f"/teams/{room.team_id}/{'sessions' if room.kind == 'session' else 'meetings'}/{room.meeting_id}"


async def log_in_screens(port: int, room) -> None:
    """Log the room's chair (console) and members (phones) in; their screens, not yet reading."""
    base = base_of(room)
    people = [("console", room.chair, base + "/run")] + [("phone", p, base + "/live") for p in room.members]
    connections = await gather_limited([log_in(port, person, page) for _, person, page in people], 16)
    room.screens = [Screen(kind, room.meeting_id, person, connection)
                    for (kind, person, _), connection in zip(people, connections)]


def revision_of(database: str, meeting_id: int) -> tuple[int, int | None]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("SELECT revision, current_item_id FROM meetings WHERE id = ?", [meeting_id]).fetchone()


@dataclass
class Driver:
    """A meeting's chair and bell ringers, logged in before the clock starts."""
    room: Room
    chair: Connection
    ringers: list  # (person, connection)


async def driver(port: int, room: Room) -> Driver:
    base = base_of(room)
    chair = Person(room.chair.email, minted=room.chair.minted)
    ringers = [Person(p.email, minted=p.minted) for p in room.members[:8]]
    connections = await asyncio.gather(log_in(port, chair, base + "/run"),
                                       *(log_in(port, person, base + "/live") for person in ringers))
    room.chair = chair
    return Driver(room, connections[0], list(zip(ringers, connections[1:])))


async def drive(database: str, driving: Driver, stop: asyncio.Event):
    """One change every ~2 s: rings by members in turn, the chair acknowledging, pausing, resuming, advancing.

    Advancing is two changes, as at a meeting: the open item deferred, then the next opened. Posted back to back
    (as before), a stream could wake once for both and send them as one update. In a complex-case session a
    member puts a worksheet card on the board instead (its steps are few, and cards are its changes).
    """
    room = driving.room
    base, bell = base_of(room), f"/teams/{room.team_id}/meetings/{room.meeting_id}/bell"
    turns = itertools.cycle(driving.ringers)
    steps = itertools.cycle(["ring", "ack", "pause", "resume", "ring", "ack", "extend", "ring", "ack", "advance",
                             "advance"])
    levels = itertools.cycle(["clinician", "patient", "organisation"])
    await asyncio.sleep(random.uniform(0, CHANGE_SECONDS))
    while not stop.is_set():
        step, before = next(steps), revision_of(database, room.meeting_id)
        sent = time.monotonic()
        if step == "ring":
            ringer, connection = next(turns)
            reply = await post(connection, ringer, bell, {"reason": "over_time"})
        elif step == "ack":
            reply = await post(driving.chair, room.chair, base + "/run/bell/ack")
        elif step in ("pause", "resume", "extend"):
            reply = await post(driving.chair, room.chair, base + "/run/clock",
                               {"kind": "extend" if step == "extend" else "toggle"})
        elif room.kind == "session":
            ringer, connection = next(turns)
            reply = await post(connection, ringer, base + "/cards", {"step": "systemic_analysis",
                                                                     "level": next(levels), "text": "Benchmark card"})
        elif before[1]:  # advance, as a chair does: the open item is deferred, and the next one opened, 2 s later
            reply = await post(driving.chair, room.chair, f"{base}/run/items/{before[1]}/defer",
                               {"reason": "Benchmark: next"})
        else:
            reply = await post(driving.chair, room.chair, base + "/run/next")
        room.failed_posts += reply.status >= 400
        room.server_errors += reply.status >= 500
        after = revision_of(database, room.meeting_id)[0]
        if after != before[0]:
            room.changes.append((after, sent))
        await asyncio.sleep(max(0.0, CHANGE_SECONDS + random.uniform(-0.3, 0.3) - (time.monotonic() - sent)))


async def browse(port: int, room: Room, person: Person, connection: Connection, stop: asyncio.Event,
                 latencies: list, errors: list):
    """Ordinary pages while the meetings stream: agenda, meetings list, team page, once a second."""
    own = f"/teams/{room.team_id}/sessions" if room.kind == "session" else f"{base_of(room)}/"
    pages = itertools.cycle([own, f"/teams/{room.team_id}/meetings", f"/teams/{room.team_id}/"])
    await asyncio.sleep(random.uniform(0, 1))
    while not stop.is_set():
        started = time.monotonic()
        reply = await connection.request("GET", next(pages), person.cookies)
        latencies.append(time.monotonic() - started)
        if reply.status != 200:
            errors.append(reply.status)
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


# --- the server ------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(database: str, meetings: int, screens: int, sessions: int = 0) -> list[Room]:
    """The rehearsal rooms, written before the server starts; every account gets one real argon2id hash. The last
    `sessions` of the `meetings` are complex-case sessions."""
    from argon2 import PasswordHasher

    from meeting.ops import rehearsal
    from meeting.store import db as store_db
    from meeting.store import users as user_store
    real = user_store.hasher
    user_store.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # fast to build ...
    store_db.prepare(database)
    db = store_db.connect(database)
    rooms = []
    for number in range(1, meetings + 1):
        session = number > meetings - sessions
        built = (rehearsal.build_session_room if session else rehearsal.build_room)(db, number, screens - 1, PASSWORD)
        rooms.append(Room(built.team_id, built.meeting_id, Person(built.chair), [Person(e) for e in built.members],
                          "session" if session else "weekly"))
    db.execute("UPDATE users SET password_hash = ?", [real.hash(PASSWORD)])  # ... and no rehash at each login
    db.close()
    return rooms


def start_server(port: int, database: str, server_args: list[str]) -> subprocess.Popen:
    env = dict(os.environ, BELLETJE_DB=database, BELLETJE_LOGIN_LIMIT="100000 per minute",
               BELLETJE_SECRET_KEY=SECRET_KEY, PYTHONPATH=str(ROOT))
    log = open(Path(database).with_suffix(".log"), "wb")
    process = subprocess.Popen([sys.executable, "app.py", "--no-scheduler", "--port", str(port), *server_args],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # its own process group: --restart kill kills every worker
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit("the server exited:\n" + Path(database).with_suffix(".log").read_text()) from None
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def rss_mb(pid: int) -> float:
    """Resident memory of the server and every process under it (workers), in MB."""
    total, pids = 0, [pid]
    while pids:
        current = pids.pop()
        try:
            total += int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{current}/status").read_text()).group(1))
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += [int(p) for p in (task / "children").read_text().split()]
        except (FileNotFoundError, AttributeError, ProcessLookupError):
            pass
    return total / 1024


def access_rows(database: str) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM access_log").fetchone()[0]


# --- one run ----------------------------------------------------------------------------------------------------

@dataclass
class Result:
    scenario: str
    mode: str
    meetings: int
    screens: int
    changes: int = 0
    latencies: list = field(default_factory=list)
    missed: int = 0
    pages: list = field(default_factory=list)
    page_errors: int = 0
    refused: int = 0
    dropped: int = 0
    errors: int = 0
    rss_start: float = 0.0
    rss_end: float = 0.0
    log_rows: int = 0
    update_bytes: list = field(default_factory=list)
    first_load: int = 0
    sessions: int = 0
    session_latencies: list = field(default_factory=list)  # of the complex-case sessions' screens
    rss_idle: float = 0.0  # the server logged in, before any stream opened
    streams_open: int = 0  # screens that held their first re-sync before the changes began


async def phone_first_load(port: int, person: Person, page: str) -> int:
    """Bytes on the wire for a phone's first visit to its live page: the page and every asset it names."""
    connection = await log_in(port, person, "/")
    reply = await connection.request("GET", page, person.cookies)
    total = reply.wire
    for asset in sorted(set(re.findall(rb'(?:src|href)="(/static/[^"]+)"', decoded(reply)))):
        total += (await connection.request("GET", asset.decode(), person.cookies)).wire
    connection.close()
    return total


async def run(scenario: str, mode: str, meetings: int, screens: int, duration: float, server_args: list[str],
              sessions: int = 0) -> Result:
    workdir = tempfile.mkdtemp(prefix="belletje-live-")
    database = str(Path(workdir) / "live.sqlite3")
    rooms = build(database, meetings, screens, sessions)
    if scenario == "c":
        mint_sessions(database, rooms)
    rows_before = access_rows(database)  # the access-log rows the screens and the run write, from their first view
    port = free_port()
    server = start_server(port, database, server_args)
    result = Result(scenario, mode, meetings, screens, sessions=sessions)
    stop, stop_screens = asyncio.Event(), asyncio.Event()  # changes stop first; screens a grace period later
    tasks, screen_tasks = [], []
    try:
        for room in rooms:
            await log_in_screens(port, room)
        last = rooms[0].members[-1]
        result.first_load = await phone_first_load(port, Person(last.email, minted=last.minted),
                                                   f"/teams/{rooms[0].team_id}/meetings/{rooms[0].meeting_id}/live")
        await asyncio.sleep(1)
        result.rss_idle = rss_mb(server.pid)  # logged in, no stream open: the base for memory per screen
        for room in rooms:
            base = base_of(room)
            readies = []
            for screen in room.screens:
                stream = base + ("/run/stream" if screen.kind == "console" else "/stream")
                panel = base + ("/run/panel" if screen.kind == "console" else "/live/panel")
                if mode == "sse":
                    readies.append(asyncio.Event())
                    screen_tasks.append(asyncio.create_task(listen(port, screen, stream, readies[-1],
                                                                   stop_screens)))
                else:
                    screen_tasks.append(asyncio.create_task(poll(screen, panel, stop_screens)))
            await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 60)
        drivers = [await driver(port, room) for room in rooms]
        browsers = [Person(room.members[-1].email, minted=room.members[-1].minted) for room in rooms]
        browsing = [await log_in(port, person, f"/teams/{room.team_id}/") for room, person in zip(rooms, browsers)]
        await asyncio.sleep(2)
        result.rss_start = rss_mb(server.pid)
        result.streams_open = sum(len(screen.arrivals) > 0 for room in rooms for screen in room.screens)
        page_errors: list = []
        tasks += [asyncio.create_task(drive(database, driving, stop)) for driving in drivers]
        tasks += [asyncio.create_task(browse(port, room, person, connection, stop, result.pages, page_errors))
                  for room, person, connection in zip(rooms, browsers, browsing)]
        await asyncio.sleep(duration)
        stop.set()
        for failure in [f for f in await asyncio.gather(*tasks, return_exceptions=True) if isinstance(f,
                                                                                                      BaseException)]:
            result.errors += 1
            print(f"  a driver or browser failed: {failure!r}", flush=True)
        await asyncio.sleep(POLL_SECONDS + 1 if mode == "poll" else 2)
        stop_screens.set()
        result.rss_end, result.log_rows = rss_mb(server.pid), access_rows(database) - rows_before
        for task in screen_tasks:
            task.cancel()
        await asyncio.gather(*screen_tasks, return_exceptions=True)
        result.page_errors = len(page_errors)
        measure(result, rooms)
    finally:
        for room in rooms:
            for screen in room.screens:
                screen.fetch.close()
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    return result


# --- the busiest hour's faults: a restart at the peak (--restart), screens that stop reading (--stalled) -------------

@dataclass
class Fault:
    """What a restart or stalled screens did to the busiest hour."""
    how: str  # term | kill | stalled
    screens: int
    stalled: int = 0
    down: float = float("nan")  # from the signal until the server answered again (s)
    exit: float = float("nan")  # from the signal until the old server had exited (s)
    recovery: list = field(default_factory=list)  # per screen: from the server answering until it held the state (s)
    unrecovered: int = 0  # screens without the current state 30 s after the server answered
    server_errors: int = 0  # 5xx answers to a stream, a change or a page, from the signal on
    refused: int = 0  # 503 (no room for the stream)
    lost: int = 0  # meetings whose stored revision is behind a change the server had confirmed
    stale: int = 0  # screens that re-synced to another revision than the stored one
    clock_offs: list = field(default_factory=list)  # per screen: its clock after - (before + time passed) (s)
    latencies: list = field(default_factory=list)  # changes after the restart, or of the screens still reading
    missed: int = 0
    pages: list = field(default_factory=list)
    errors: int = 0
    drops: list = field(default_factory=list)  # per stalled screen: from its last read until the server dropped it (s)
    after_full: list = field(default_factory=list)  # the same from when its buffers were full (s)
    rss: tuple = (0.0, 0.0)


async def run_fault(how: str, meetings: int, screens: int, sessions: int, duration: float, server_args: list[str],
                    stalled_per_meeting: int = 5, after: float = 20) -> Fault:
    """The busiest hour (scenario c) with a fault: a restart by SIGTERM or SIGKILL after `duration` s of changes (then
    `after` s more), or `stalled_per_meeting` phones per meeting that stop reading for `duration` s of changes."""
    workdir = tempfile.mkdtemp(prefix="belletje-live-")
    database = str(Path(workdir) / "live.sqlite3")
    rooms = build(database, meetings, screens, sessions)
    mint_sessions(database, rooms)
    port = free_port()
    server = start_server(port, database, server_args)
    fault = Fault(how, meetings * screens)
    stop, stop_screens = asyncio.Event(), asyncio.Event()
    screen_tasks: list = []
    try:
        for room in rooms:
            await log_in_screens(port, room)
            for screen in room.screens[-stalled_per_meeting:] if how == "stalled" else []:
                screen.stalled = True
            readies = []
            for screen in room.screens:
                readies.append(asyncio.Event())
                stream = base_of(room) + ("/run/stream" if screen.kind == "console" else "/stream")
                screen_tasks.append(asyncio.create_task(follow(port, screen, stream, readies[-1], stop_screens)))
            await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 60)
        fault.stalled = sum(s.stalled for room in rooms for s in room.screens)
        drivers = [await driver(port, room) for room in rooms]
        browsers = [Person(room.members[-1].email, minted=room.members[-1].minted) for room in rooms]
        browsing = [await log_in(port, person, f"/teams/{room.team_id}/") for room, person in zip(rooms, browsers)]
        page_errors: list = []

        def start_changes(until: asyncio.Event) -> list:
            return ([asyncio.create_task(drive(database, driving, until)) for driving in drivers]
                    + [asyncio.create_task(browse(port, room, person, connection, until, fault.pages, page_errors))
                       for room, person, connection in zip(rooms, browsers, browsing)])

        rss_start = rss_mb(server.pid)
        tasks = start_changes(stop)
        if how == "stalled":
            await watch_drops(port, rooms, fault, duration)
        else:
            await asyncio.sleep(duration)
        stop.set()
        fault.errors += sum(isinstance(f, BaseException) for f in await asyncio.gather(*tasks, return_exceptions=True))
        await asyncio.sleep(2)  # the last changes reach the screens
        since = 0.0
        if how in ("term", "kill"):
            server, since = await restart(server, how, port, database, server_args, rooms, fault)
            stop = asyncio.Event()
            tasks = start_changes(stop)
            await asyncio.sleep(after)
            stop.set()
            fault.errors += sum(isinstance(f, BaseException)
                                for f in await asyncio.gather(*tasks, return_exceptions=True))
            await asyncio.sleep(2)
        fault.rss = (rss_start, rss_mb(server.pid))
        stop_screens.set()
        for task in screen_tasks:
            task.cancel()
        await asyncio.gather(*screen_tasks, return_exceptions=True)
        fault.server_errors += sum(e >= 500 for e in page_errors) + sum(r.server_errors for r in rooms)
        fault.errors += len(page_errors) + sum(r.failed_posts for r in rooms)
        for room in rooms:
            for screen in room.screens:
                if screen.stalled:
                    continue
                for revision, sent in room.changes:
                    if sent < since:
                        continue
                    held = next((t for r, t in screen.arrivals if r >= revision and t >= sent), None)
                    if held is None or held - sent > GRACE_SECONDS:
                        fault.missed += 1
                    else:
                        fault.latencies.append(held - sent)
    finally:
        for room in rooms:
            for screen in room.screens:
                screen.fetch.close()
        stop_server(server)
    return fault


async def watch_drops(port: int, rooms: list[Room], fault: Fault, duration: float) -> None:
    """For `duration` s, twice a second: which stalled screens' connections the server still holds."""
    stalled = [s for room in rooms for s in room.screens if s.stalled]
    dropped: dict = {}
    full: dict = {}  # when the server first had bytes queued that the screen did not take: its buffers were full
    ends = time.monotonic() + duration
    while time.monotonic() < ends:
        peers = established_peers(port)
        now = time.monotonic()
        for screen in stalled:
            if screen.port and peers.get(screen.port) and screen.port not in full:
                full[screen.port] = now
            if screen.port not in dropped and screen.port and screen.port not in peers:
                dropped[screen.port] = now - screen.stalled_at
                fault.after_full.append(now - full.get(screen.port, screen.stalled_at))
        await asyncio.sleep(0.5)
    fault.drops = list(dropped.values())


async def restart(server: subprocess.Popen, how: str, port: int, database: str, server_args: list[str],
                  rooms: list[Room], fault: Fault) -> tuple[subprocess.Popen, float]:
    """Stop the server (SIGTERM to gunicorn's master as a service manager does; or SIGKILL to every process of it,
    as a crash or the OOM killer), start it again on the same port and database, and see every screen come back."""
    confirmed = {room.meeting_id: max((r for r, _ in room.changes), default=0) for room in rooms}
    screens = [s for room in rooms for s in room.screens]
    signalled = time.monotonic()
    if how == "term":
        server.send_signal(signal.SIGTERM)
    else:
        os.killpg(server.pid, signal.SIGKILL)
    await asyncio.to_thread(server.wait)
    fault.exit = time.monotonic() - signalled
    server = await asyncio.to_thread(start_server, port, database, server_args)
    answering = await until_answering(port)
    fault.down = answering - signalled
    deadline = answering + 30
    while time.monotonic() < deadline and not all(any(t > signalled for _, t in s.arrivals) for s in screens):
        await asyncio.sleep(0.2)
    for room in rooms:
        stored = revision_of(database, room.meeting_id)[0]
        fault.lost += stored < confirmed[room.meeting_id]
        for screen in room.screens:
            back = next(((r, t) for r, t in screen.arrivals if t > signalled), None)
            statuses = screen.statuses[-20:]  # the answers since the signal (a few reconnects at most)
            room.server_errors += sum(s >= 500 and s != 503 for s in statuses)
            fault.refused += statuses.count(503)
            if back is None:
                fault.unrecovered += 1
                continue
            fault.recovery.append(max(0.0, back[1] - answering))
            fault.stale += back[0] != stored
            before = [c for c in screen.clocks if c[0] < signalled]
            after_ = [c for c in screen.clocks if c[0] > signalled]
            if before and after_ and before[-1][1] is not None and after_[0][1] is not None:
                (t0, left0, status0), (t1, left1, status1) = before[-1], after_[0]
                passed = t1 - t0 if status0 == "running" else 0.0
                fault.clock_offs.append(left1 - (left0 - passed) if status0 == status1 else float("inf"))
    return server, answering


async def until_answering(port: int) -> float:
    """The moment the server answers a page again (its login page, 200)."""
    while True:
        connection = Connection(port)
        try:
            if (await connection.request("GET", "/login", {})).status == 200:
                return time.monotonic()
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            connection.close()
        await asyncio.sleep(0.05)


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def fault_row(f: Fault) -> list[str]:
    ms = [v * 1000 for v in f.latencies]
    offs = [abs(o) for o in f.clock_offs]
    growth = (f.rss[1] - f.rss[0]) / f.rss[0] * 100 if f.rss[0] else float("nan")
    common = [f.how, str(f.screens), f"{pct(ms, .95):.0f}", str(f.missed),
              f"{pct([p * 1000 for p in f.pages], .95):.0f}",
              f"{f.server_errors}/{f.refused}/{f.errors}", f"{f.rss[0]:.0f}→{f.rss[1]:.0f} ({growth:+.1f}%)"]
    if f.how == "stalled":
        return common + [f"{len(f.drops)}/{f.stalled}", f"{pct(f.drops, .5):.1f}",
                         f"{max(f.drops, default=float('nan')):.1f}", f"{pct(f.after_full, .5):.1f}",
                         f"{max(f.after_full, default=float('nan')):.1f}"]
    return common + [f"{f.exit:.1f}", f"{f.down:.1f}", f"{len(f.recovery)}/{f.screens}", f"{pct(f.recovery, .5):.1f}",
                     f"{pct(f.recovery, .95):.1f}", f"{max(f.recovery, default=float('nan')):.1f}", str(f.lost),
                     str(f.stale), f"{len(offs)}", f"{max(offs, default=float('nan')):.1f}"]


FAULT_HEADER = ["fault", "screens", "p95 ms", "missed", "pages p95", "5xx/503/errors", "server RSS MB"]
RESTART_HEADER = FAULT_HEADER + ["exit s", "down s", "back", "back p50 s", "back p95 s", "back max s", "lost", "stale",
                                 "clocks", "clock off max s"]
STALLED_HEADER = FAULT_HEADER + ["dropped", "drop p50 s", "drop max s", "after full p50 s", "after full max s"]


def fault_table(faults: list[Fault]) -> str:
    header = STALLED_HEADER if faults[0].how == "stalled" else RESTART_HEADER
    rows = [header] + [fault_row(f) for f in faults]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(r, widths)) for r in rows]
    return "\n".join([lines[0], "-" * len(lines[0])] + lines[1:])


def fault_verdicts(f: Fault, stall_bound: float) -> list[str]:
    """Which of issue 29's targets a restart or stalled run met."""
    p95 = pct(f.latencies, .95) * 1000
    pages = pct(f.pages, .95) * 1000
    out = [f"p95 {p95:.0f} ms < 250 ms ({'after the restart' if f.how != 'stalled' else 'screens still reading'}): "
           f"{'met' if p95 < 250 else 'NOT met'}",
           f"ordinary pages p95 {pages:.0f} ms < 150 ms: {'met' if pages < 150 else 'NOT met'}",
           f"no 5xx: {'met' if f.server_errors == 0 else 'NOT met'} ({f.server_errors})"]
    if f.how == "stalled":
        bounded = len(f.drops) == f.stalled and max(f.after_full, default=0) < stall_bound
        out.append(f"every stalled screen dropped within {stall_bound:.0f} s of its buffers being full: "
                   f"{'met' if bounded else 'NOT met'} ({len(f.drops)} of {f.stalled}, "
                   f"at most {max(f.after_full, default=float('nan')):.1f} s; "
                   f"{max(f.drops, default=float('nan')):.1f} s after its last read)")
        out.append(f"the others missed nothing: {'met' if f.missed == 0 else 'NOT met'} ({f.missed})")
        return out
    slowest = max(f.recovery, default=float("inf"))
    out += [f"every screen back with the current state within 15 s of the server answering: "
            f"{'met' if not f.unrecovered and slowest < 15 else 'NOT met'} ({len(f.recovery)} of {f.screens}, "
            f"slowest {slowest:.1f} s)",
            f"no committed change lost: {'met' if f.lost == 0 and f.stale == 0 else 'NOT met'} "
            f"({f.lost} meetings behind, {f.stale} screens on another revision)",
            f"clocks: before + time passed, within 2 s: "
            f"{'met' if f.clock_offs and max(abs(o) for o in f.clock_offs) <= 2 else 'NOT met'} "
            f"({len(f.clock_offs)} screens' clocks compared)",
            f"nothing missed after the restart: {'met' if f.missed == 0 else 'NOT met'} ({f.missed})"]
    return out


async def gather_limited(coroutines, limit: int):
    gate = asyncio.Semaphore(limit)

    async def one(coroutine):
        async with gate:
            return await coroutine
    return await asyncio.gather(*(one(c) for c in coroutines))


def measure(result: Result, rooms: list[Room]) -> None:
    """Per change and screen: the time from the POST until the screen held a fragment at least that new."""
    for room in rooms:
        result.changes += len(room.changes)
        result.errors += room.failed_posts
        for screen in room.screens:
            result.refused += screen.refused
            result.dropped += screen.dropped
            result.errors += screen.errors
            result.update_bytes += screen.event_bytes[1:] if result.mode == "sse" else []
            for revision, sent in room.changes:
                held = next((t for r, t in screen.arrivals if r >= revision and t >= sent), None)
                if held is None or held - sent > GRACE_SECONDS:
                    result.missed += 1
                else:
                    result.latencies.append(held - sent)
                    if room.kind == "session":
                        result.session_latencies.append(held - sent)


# --- the table ----------------------------------------------------------------------------------------------

def pct(values: list, share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def row(r: Result) -> list[str]:
    ms = [v * 1000 for v in r.latencies]
    growth = (r.rss_end - r.rss_start) / r.rss_start * 100 if r.rss_start else float("nan")
    return [f"({r.scenario}) {r.mode}", f"{r.meetings}x{r.screens}", str(r.changes), str(len(ms)),
            f"{pct(ms, .5):.0f}", f"{pct(ms, .95):.0f}", f"{max(ms, default=float('nan')):.0f}", str(r.missed),
            f"{pct([p * 1000 for p in r.pages], .95):.0f}", f"{r.refused}/{r.dropped}/{r.errors + r.page_errors}",
            f"{r.rss_start:.0f}→{r.rss_end:.0f} ({growth:+.1f}%)", str(r.log_rows),
            f"{statistics.mean(r.update_bytes):.0f}/{max(r.update_bytes)}" if r.update_bytes else "-",
            f"{r.first_load / 1000:.1f}", f"{per_screen_kb(r):.0f}"]


def per_screen_kb(r: Result) -> float:
    """Server memory per live screen: what opening every stream added, over the screens (KB)."""
    return (r.rss_start - r.rss_idle) * 1024 / (r.meetings * r.screens) if r.rss_idle else float("nan")


HEADER = ["run", "meetings", "changes", "updates", "p50 ms", "p95 ms", "max ms", "missed", "pages p95",
          "refused/dropped/errors", "server RSS MB start→end", "log rows", "update B avg/max", "phone 1st KB",
          "KB/screen"]


def table(results: list[Result]) -> str:
    rows = [HEADER] + [row(r) for r in results]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(r, widths)) for r in rows]
    return "\n".join([lines[0], "-" * len(lines[0])] + lines[1:])


def verdicts(results: list[Result]) -> list[str]:
    """Which of issue 13's (and for (c) issue 29's) targets this run met."""
    out = []
    by = {(r.scenario, r.mode): r for r in results}
    for r in results:
        if r.mode != "sse":
            continue
        p95 = pct(r.latencies, .95) * 1000
        limit = 150 if r.scenario == "a" else 250
        if r.streams_open != r.meetings * r.screens:
            out.append(f"({r.scenario}) streams open before the changes: {r.streams_open} of "
                       f"{r.meetings * r.screens}: NOT met")
        out.append(f"({r.scenario}) p95 {p95:.0f} ms < {limit} ms: {'met' if p95 < limit else 'NOT met'}")
        if r.sessions:
            session_p95 = pct(r.session_latencies, .95) * 1000
            out.append(f"({r.scenario}) of which {r.sessions} complex-case session(s): "
                       f"{len(r.session_latencies)} updates, p95 {session_p95:.0f} ms")
        polled = by.get((r.scenario, "poll"))
        if polled and polled.latencies:
            ratio = pct(polled.latencies, .95) / pct(r.latencies, .95)
            out.append(f"({r.scenario}) polling p95 / SSE p95 = {ratio:.1f}x >= 10x: "
                       f"{'met' if ratio >= 10 else 'NOT met'}")
        pages = pct(r.pages, .95) * 1000
        out.append(f"({r.scenario}) ordinary pages p95 {pages:.0f} ms < 150 ms: {'met' if pages < 150 else 'NOT met'}")
        clean = r.refused == r.dropped == r.errors == r.page_errors == r.missed == 0
        out.append(f"({r.scenario}) no errors, no refused or dropped stream, nothing missed: "
                   f"{'met' if clean else 'NOT met'}")
        growth = (r.rss_end - r.rss_start) / r.rss_start * 100
        out.append(f"({r.scenario}) server memory growth {growth:+.1f}% < 10%: {'met' if growth < 10 else 'NOT met'}")
        if r.update_bytes:
            out.append(f"({r.scenario}) largest live update {max(r.update_bytes)} B < 5000 B: "
                       f"{'met' if max(r.update_bytes) < 5000 else 'NOT met'}")
        out.append(f"({r.scenario}) phone first load {r.first_load / 1000:.1f} KB < 60 KB: "
                   f"{'met' if r.first_load < 60_000 else 'NOT met'}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=["a", "b", "c", "all"], default="all",
                        help="all = (a) and (b); (c) the busiest hour (1,200 screens) runs alone")
    parser.add_argument("--mode", choices=["sse", "poll", "both"], default="both",
                        help="polling runs for scenario (a) only unless --poll-b")
    parser.add_argument("--poll-b", action="store_true", help="also poll in scenario (b) (heavy)")
    parser.add_argument("--screens", type=int, default=60, help="screens per meeting (1 console + phones)")
    parser.add_argument("--meetings", type=int, default=7, help="meetings in scenario (b)")
    parser.add_argument("--sessions", type=int, default=1,
                        help="of scenario (b)'s meetings, how many are complex-case sessions")
    parser.add_argument("--busiest", type=int, default=20, help="meetings in scenario (c), the busiest hour")
    parser.add_argument("--busiest-sessions", type=int, default=3,
                        help="of scenario (c)'s meetings, how many are complex-case sessions")
    parser.add_argument("--duration", type=float, default=60, help="seconds of changes per run (full run: 300)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--server-args", default="", help='extra arguments for app.py, e.g. "--institution"')
    parser.add_argument("--restart", choices=["term", "kill"],
                        help="scenario (c) with a restart after --duration s of changes (SIGTERM, or SIGKILL to every "
                             "process of the server), then --after s more")
    parser.add_argument("--after", type=float, default=20, help="with --restart: seconds of changes after it")
    parser.add_argument("--stalled", type=int, default=0,
                        help="scenario (c) with this many phones (spread over the meetings) that stop reading after "
                             "their first re-sync, for --duration s of changes")
    parser.add_argument("--stall-bound", type=float, default=20,
                        help="with --stalled: a stalled screen must be dropped within this many seconds of its buffers "
                             "being full (the server's stall time is 15 s)")
    args = parser.parse_args()
    if args.restart or args.stalled:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        main_fault(args)
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    plan = []
    for scenario in (["a", "b"] if args.scenario == "all" else [args.scenario]):
        for mode in (["sse", "poll"] if args.mode == "both" else [args.mode]):
            if mode == "poll" and (scenario == "c" or scenario == "b" and not args.poll_b) and args.mode == "both":
                continue
            plan.append((scenario, mode, {"a": 1, "b": args.meetings, "c": args.busiest}[scenario]))
    print(f"server: python app.py --no-scheduler {args.server_args}; {os.cpu_count()} cores; "
          f"{args.duration:.0f} s per run; load average {os.getloadavg()[0]:.2f}", flush=True)
    all_results = []
    for number in range(1, args.runs + 1):
        results = []
        for scenario, mode, meetings in plan:
            sessions = {"a": 0, "b": args.sessions, "c": args.busiest_sessions}[scenario]
            result = asyncio.run(run(scenario, mode, meetings, args.screens, args.duration, args.server_args.split(),
                                     sessions))
            results.append(result)
            print(f"run {number}: ({scenario}) {mode} done, load average {os.getloadavg()[0]:.2f}", flush=True)
        print(f"\nRun {number}\n" + table(results))
        print("\n".join("  " + v for v in verdicts(results)), flush=True)
        all_results.append(results)
    if args.runs > 1:
        print("\nMedians of the runs' p95 (ms): " + ", ".join(
            f"({s}) {m} {statistics.median(pct(rs[i].latencies, .95) * 1000 for rs in all_results):.0f}"
            for i, (s, m, _) in enumerate(plan)))


def main_fault(args) -> None:
    """The restart or stalled-screens runs of scenario (c): a table, the targets per run, medians over the runs."""
    how = args.restart or "stalled"
    print(f"server: python app.py --no-scheduler {args.server_args}; {os.cpu_count()} cores; fault {how}; "
          f"{args.duration:.0f} s of changes; load average {os.getloadavg()[0]:.2f}", flush=True)
    faults = []
    for number in range(1, args.runs + 1):
        load = os.getloadavg()[0]
        fault = asyncio.run(run_fault(how, args.busiest, args.screens, args.busiest_sessions, args.duration,
                                      args.server_args.split(), max(1, args.stalled // args.busiest) if args.stalled
                                      else 0, args.after))
        faults.append(fault)
        print(f"\nRun {number} (load average {load:.2f} before, {os.getloadavg()[0]:.2f} after)\n"
              + fault_table([fault]))
        print("\n".join("  " + v for v in fault_verdicts(fault, args.stall_bound)), flush=True)
    if args.runs > 1:
        print("\nAll runs\n" + fault_table(faults))
        if how == "stalled":
            print(f"Medians: p95 {statistics.median(pct(f.latencies, .95) * 1000 for f in faults):.0f} ms, drop max "
                  f"{statistics.median(max(f.drops, default=float('nan')) for f in faults):.1f} s, after full max "
                  f"{statistics.median(max(f.after_full, default=float('nan')) for f in faults):.1f} s")
        else:
            print(f"Medians: p95 after {statistics.median(pct(f.latencies, .95) * 1000 for f in faults):.0f} ms, "
                  f"down {statistics.median(f.down for f in faults):.1f} s, back p95 "
                  f"{statistics.median(pct(f.recovery, .95) for f in faults):.1f} s, back max "
                  f"{statistics.median(max(f.recovery, default=float('nan')) for f in faults):.1f} s")


if __name__ == "__main__":
    main()
