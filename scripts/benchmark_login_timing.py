"""Benchmark: does the login's answer time tell whether an e-mail address has an account? (issue 26)

Posts the login form 50 times with a wrong password for a known account and 50 times for an unknown e-mail
address, interleaved, through the whole app (Flask's test client, the real argon2id cost parameters, a temporary
database), each attempt from its own address so no wait for too many failures shortens one. Prints the median of
each and their difference; the target is a difference within 10 %.

    python scripts/benchmark_login_timing.py            # 50 tries each way
    python scripts/benchmark_login_timing.py --tries 200
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meeting import create_app  # noqa: E402
from meeting.store import users as user_store  # noqa: E402
from meeting.store.db import connect  # noqa: E402


def wrong_login_ms(client, email: str, address: str) -> float:
    """The answer time of one wrong login for `email` from `address`, in ms."""
    started = time.perf_counter()
    response = client.post("/login", data={"email": email, "password": "wrong password 1"},
                           environ_base={"REMOTE_ADDR": address})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 401, response.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE": str(Path(folder) / "timing.sqlite3"), "SECRET_KEY": "benchmark",
                          "LOGIN_LIMIT": "100000 per minute", "WTF_CSRF_ENABLED": False})
        db = connect(app.config["DATABASE"])
        user_store.create_user(db, "known@example.org", "Known User", "a long right password")
        db.close()
        client, known, unknown = app.test_client(), [], []
        for n in range(args.tries):  # interleaved, so a slower moment of the machine hits both alike
            address = f"10.{n // 250}.{n % 250}.1"
            known.append(wrong_login_ms(client, "known@example.org", address))
            unknown.append(wrong_login_ms(client, "nobody@example.org", address))
        a, b = statistics.median(known), statistics.median(unknown)
        print(f"wrong password, known account: median {a:.1f} ms of {len(known)}")
        print(f"unknown e-mail address:        median {b:.1f} ms of {len(unknown)}")
        difference = abs(a - b) / max(a, b) * 100
        print(f"difference: {difference:.1f} % ({'within' if difference <= 10 else 'NOT within'} 10 %)")


if __name__ == "__main__":
    main()
