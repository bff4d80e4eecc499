"""Start Belletje: `python app.py --demo` serves the app with the demo team on http://127.0.0.1:5000."""
import argparse
from datetime import date

from meeting import create_app
from meeting.store import db as database

# Open live screens (SSE) each hold a thread; a full team is ~60 of them plus normal traffic.
THREADS = 96


def main() -> None:
    """Parse the flags, prepare the database, optionally build the demo and serve with waitress."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", action="store_true", help="create the demo team FACT Noord if absent")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--no-scheduler", action="store_true",
                        help="do not run the scheduler in this process (tests; or run `flask scheduler` apart)")
    args = parser.parse_args()
    app = create_app()
    if args.demo:
        from meeting.ops.cli import demo_logins
        from meeting.ops.demo import build_demo
        db = database.connect(app.config["DATABASE"])
        build_demo(db, date.today())
        db.close()
        print(demo_logins())
    if not args.no_scheduler:
        from meeting.ops import scheduler
        from meeting.ops.cli import backup_dir
        with app.app_context():
            scheduler.start(app.config["DATABASE"], backup_dir())
    from waitress import serve
    print(f"Belletje on http://{args.host}:{args.port}/  (database {app.config['DATABASE']})")
    serve(app, host=args.host, port=args.port, threads=THREADS, channel_timeout=120)


if __name__ == "__main__":
    main()
