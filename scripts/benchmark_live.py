"""Benchmark: a full team's live screens on one server process, and how fast the bell reaches them.

Starts the real server (`app.py --demo --no-scheduler`) on loopback with a fresh database, opens a
meeting, connects N live streams (default 60: phones and the projector), then rings the bell R
times from a phone and measures, for every stream, the time from the POST until its `changed`
event arrived, and the time until the projector's panel shows the bell. Prints median and p95.

    python scripts/benchmark_live.py [--streams 60] [--rings 10]
"""
import argparse
import http.client
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "belletje-demo"
RINGERS = 5  # vp1 … vp5
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Session:
    """A logged-in user agent over HTTP with its cookie and CSRF token."""

    def __init__(self, base: str, email: str):
        self.base, self.jar = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.post("/login", {"email": email, "password": PASSWORD})

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, htmx: bool = False) -> str:
        token = CSRF.search(self.get("/login")).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, **data}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"HX-Request": "true"} if htmx else {})
        with self.opener.open(request, timeout=30) as response:
            return response.read().decode()

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, database: str) -> subprocess.Popen:
    env = dict(os.environ, BELLETJE_DB=database, BELLETJE_LOGIN_LIMIT="10000 per minute", BELLETJE_SECRET_KEY="bench")
    process = subprocess.Popen([sys.executable, "app.py", "--demo", "--no-scheduler", "--port", str(port)], cwd=ROOT,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


class Stream(threading.Thread):
    """One live screen: reads the event stream and notes when each `changed` event arrives."""

    def __init__(self, port: int, path: str, cookie: str):
        super().__init__(daemon=True)
        self.port, self.path, self.cookie = port, path, cookie
        self.arrivals: list[float] = []
        self.ready = threading.Event()

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        connection.request("GET", self.path, headers={"Cookie": self.cookie, "Accept": "text/event-stream"})
        response = connection.getresponse()
        if response.status != 200:
            self.ready.set()
            return
        while True:
            line = response.fp.readline()
            if not line:
                return
            if line.startswith(b"event: changed"):
                self.arrivals.append(time.monotonic())
                self.ready.set()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, default=60)
    parser.add_argument("--rings", type=int, default=10)
    args = parser.parse_args()
    port, workdir = free_port(), tempfile.mkdtemp(prefix="belletje-live-")
    server = start_server(port, str(Path(workdir) / "live.sqlite3"))
    try:
        run(port, args.streams, args.rings)
    finally:
        server.terminate()
        server.wait(10)


def run(port: int, stream_count: int, rings: int) -> None:
    base = f"http://127.0.0.1:{port}"
    chair = Session(base, "voorzitter@fact-noord.example")
    meeting_id = int(re.search(r"/meetings/(\d+)/plan", chair.get("/teams/1/meetings")).group(1))
    run_path = f"/teams/1/meetings/{meeting_id}/run"
    for step in ("/start", "/consent"):
        chair.post(run_path + step, {}, htmx=True)
    phones = [Session(base, f"vp{i % RINGERS + 1}@fact-noord.example") for i in range(stream_count)]
    streams = [Stream(port, f"/teams/1/meetings/{meeting_id}/stream", s.cookie_header()) for s in phones]
    for stream in streams:
        stream.start()
    for stream in streams:
        stream.ready.wait(10)
    connected = sum(1 for s in streams if s.arrivals)
    print(f"{connected} of {stream_count} live streams connected")
    stream_latencies, panel_latencies = [], []
    for ring in range(rings):
        time.sleep(2.1)  # five ringers in turn: each person rings again only after 10 s
        before = [len(s.arrivals) for s in streams]
        ringer = phones[ring % RINGERS]
        sent = time.monotonic()
        ringer.post(f"/teams/1/meetings/{meeting_id}/bell", {"reason": "over_time"}, htmx=True)
        give_up = time.monotonic() + 5
        while "bell ringing" not in chair.get(run_path + "/panel"):
            if time.monotonic() > give_up:
                raise SystemExit("the projector never showed the bell")
        panel_latencies.append(time.monotonic() - sent)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(len(s.arrivals) == n for s, n in zip(streams, before) if n):
            time.sleep(0.005)
        stream_latencies += [s.arrivals[n] - sent for s, n in zip(streams, before) if len(s.arrivals) > n]
        chair.post(run_path + "/bell/ack", {}, htmx=True)
    report("bell → changed event on each stream", stream_latencies)
    report("bell → projector panel shows it", panel_latencies)


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{name:40} n={len(ms):5}  median {statistics.median(ms):7.1f} ms  p95 {percentile(ms, 0.95):7.1f} ms"
          f"  max {max(ms):7.1f} ms")


if __name__ == "__main__":
    main()
