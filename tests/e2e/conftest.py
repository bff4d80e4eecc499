"""End-to-end fixtures: the real server (`python app.py --demo`) and Debian's headless Chromium.

Never `playwright install`: the browser is Debian's `chromium` package at /usr/bin/chromium.
If it is missing the tests FAIL (they never skip), so CI cannot go green without a browser.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]
DEMO_PASSWORD = "open-tafel-demo"
MEMBER = "vp1@fact-noord.example"
CHAIR = "voorzitter@fact-noord.example"
MANAGER = "manager@fact-noord.example"
START_TIMEOUT_S = 30
DEVICES = {
    "phone": dict(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, locale="en-GB"),
    "projector": dict(viewport={"width": 1920, "height": 1080}, locale="en-GB"),
}


def pytest_collection_modifyitems(config, items):
    """Every test under tests/e2e is a browser test, whether or not its module says so."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a browser test must run: turn a skip of an e2e test into a failure (xfail stays allowed)."""
    report = yield
    if (os.environ.get("CI") and E2E_DIR in item.path.parents and report.skipped
            and not hasattr(report, "wasxfail")):
        report.outcome = "failed"
        report.longrepr = f"browser test was skipped in CI, which is not allowed: {report.longrepr}"
    return report


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`python app.py --demo` as a child process, on a fixed port and database file.

    stop()/start()/restart() keep the port and the database, as a real restart would.
    """

    def __init__(self, workdir: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = workdir / "belletje.sqlite3"
        self.log_path = workdir / "server.log"
        self.env = os.environ | {
            "BELLETJE_DB": str(self.db_path),
            "BELLETJE_SECRET_KEY": "e2e-fixed-secret-key",  # sessions survive a restart
            "BELLETJE_LOGIN_LIMIT": "1000 per minute",  # every test logs in from 127.0.0.1
            "PYTHONUNBUFFERED": "1",
        }
        self.process: subprocess.Popen | None = None

    def output(self) -> str:
        """Everything the server printed so far (all runs: the log is appended to)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> None:
        assert self.process is None, "the server is running already"
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "app.py", "--demo", "--no-scheduler", "--port", str(self.port)],
                cwd=REPO_ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                pytest.fail(f"the server exited with code {code} before answering.\n"
                            f"--- server output ---\n{self.output()}", pytrace=False)
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as error:
                last_error = error
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"the server did not answer {self.url}/login within {START_TIMEOUT_S} s "
                    f"(last error: {last_error!r}).\n--- server output ---\n{self.output()}", pytrace=False)

    def stop(self) -> None:
        """Stop the server as a service manager would (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def kill(self) -> None:
        """The server dies at once (SIGKILL): no shutdown, nothing flushed, as a power cut or OOM kill."""
        if self.process is None:
            return
        process, self.process = self.process, None
        process.kill()
        process.wait()

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop, stay down `down_seconds` (clients see the outage), start on the same port and database."""
        self.stop()
        time.sleep(down_seconds)
        self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> LiveServer:
    """The real server with the demo team FACT Noord, for the whole session."""
    server = LiveServer(tmp_path_factory.mktemp("e2e-server"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """e.g. http://127.0.0.1:41234 (no trailing slash)."""
    return live_server.url


@pytest.fixture
def restart_server(live_server):
    """`restart_server(down_seconds=0)` restarts the server mid-test on the same port and database.

    For a longer outage use `live_server.stop()` / `live_server.start()`. Either way the server is
    running again after the test, for the tests that follow.
    """
    yield live_server.restart
    if not live_server.running:
        live_server.stop()  # forget a process that died
        live_server.start()


@pytest.fixture(scope="session")
def browser() -> Browser:
    """Debian's headless Chromium through Playwright (shadows the test-client `browser` of tests/)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install -y chromium` "
                    f"(never `playwright install`). Browser tests fail rather than skip without it.",
                    pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, base_url):
    """`new_context("phone", locale="nl-NL")`: a fresh browser context (own cookies), closed after the test.

    Uncaught JavaScript errors on any of its pages fail the test.
    """
    contexts: list[tuple[BrowserContext, list[str]]] = []

    def make(device: str = "phone", **overrides) -> BrowserContext:
        context = browser.new_context(**(DEVICES[device] | {"base_url": base_url} | overrides))
        context.set_default_timeout(10_000)
        errors: list[str] = []
        context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}")))
        contexts.append((context, errors))
        return context

    yield make
    js_errors = [error for _context, errors in contexts for error in errors]
    for context, _errors in contexts:
        context.close()
    if js_errors:
        pytest.fail("uncaught JavaScript errors:\n" + "\n".join(js_errors), pytrace=False)


@pytest.fixture
def phone(new_context) -> BrowserContext:
    """A phone: 360x640, touch, mobile, English (en-GB)."""
    return new_context("phone")


@pytest.fixture
def projector(new_context) -> BrowserContext:
    """The meeting room's projector: 1920x1080, English (en-GB)."""
    return new_context("projector")


@pytest.fixture
def login():
    """`login(page, email)` logs in through the form; it waits until the page has left /login.

    With `expect_success=False` it only submits the form (for wrong-password tests).
    """
    def log_in(page: Page, email: str, password: str = DEMO_PASSWORD, expect_success: bool = True) -> Page:
        page.goto("/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(password)
        page.locator("form").filter(has=page.locator("#password")).get_by_role("button").click()
        if expect_success:
            expect(page, f"logging in as {email} failed: still on /login").not_to_have_url(
                re.compile(r"/login(\?|$)"))
        return page
    return log_in
