"""Benchmark: does the sign-in help's answer time tell whether an e-mail address has an account? (issue 25)

Posts "Forgot your password?" 50 times for known accounts (each a different one, so each queues its mail) and 50
times for unknown addresses, interleaved, through the whole app (Flask's test client, a temporary database, mail
configured but not sent). Prints the median of each and their difference; the target is a difference within 10 %.

    python scripts/benchmark_sign_in_help_timing.py            # 50 tries each way
    python scripts/benchmark_sign_in_help_timing.py --tries 200
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meeting import create_app  # noqa: E402
from meeting.store import outbox  # noqa: E402
from meeting.store import users as user_store
from meeting.store.db import connect  # noqa: E402


def help_ms(client, email: str) -> float:
    """The answer time of one sign-in help request for `email`, in ms."""
    started = time.perf_counter()
    response = client.post("/login/help", data={"email": email})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=50)
    args = parser.parse_args()
    os.environ.update({"BELLETJE_SMTP_HOST": "127.0.0.1", "BELLETJE_SMTP_SECURITY": "none"})  # queued, never sent
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE": str(Path(folder) / "timing.sqlite3"), "SECRET_KEY": "benchmark",
                          "LOGIN_LIMIT": "100000 per minute", "WTF_CSRF_ENABLED": False})
        db = connect(app.config["DATABASE"])
        for n in range(args.tries):
            user_store.create_user(db, f"known{n}@example.org", f"Known User {n}", "a long right password")
        client, known, unknown = app.test_client(), [], []
        for n in range(args.tries):  # interleaved, so a slower moment of the machine hits both alike
            known.append(help_ms(client, f"known{n}@example.org"))
            unknown.append(help_ms(client, f"nobody{n}@example.org"))
        assert outbox.waiting(db) == args.tries  # every known account's mail was queued, no other
        db.close()
        a, b = statistics.median(known), statistics.median(unknown)
        print(f"known account (mail queued): median {a:.1f} ms of {len(known)}")
        print(f"unknown e-mail address:      median {b:.1f} ms of {len(unknown)}")
        difference = abs(a - b) / max(a, b) * 100
        print(f"difference: {difference:.1f} % ({'within' if difference <= 10 else 'NOT within'} 10 %)")


if __name__ == "__main__":
    main()
