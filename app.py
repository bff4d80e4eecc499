"""Start Belletje: `python app.py --demo` serves the app with the demo team on http://127.0.0.1:5000.

`python app.py --institution` serves many meetings at once: gunicorn worker processes (see the README).
"""
import argparse
import os

from meeting.store import db as database
from meeting.store.now import team_today

SCREENS = 80  # live screens one process holds in the default (one team); each holds a thread
# live screens one worker of --institution holds: the busiest hour's 1,200 (20 meetings x 60) and a margin, in one
# worker, since the kernel does not share connections evenly and a dead worker's screens reconnect to the other
INSTITUTION_SCREENS = 1300


def main() -> None:
    """Parse the flags, prepare the database, optionally build the demo and serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", action="store_true", help="create the demo team FACT Noord if absent")
    parser.add_argument("--demo-mail", action="store_true",
                        help="with --demo: send the demo's mail to a local SMTP server that prints it (default: the "
                             "console)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--no-scheduler", action="store_true",
                        help="do not run the scheduler in this process (tests; or run `flask scheduler` apart)")
    parser.add_argument("--institution", action="store_true",
                        help="serve many meetings at once: gunicorn worker processes instead of one waitress process")
    parser.add_argument("--workers", type=int, default=2, help="with --institution: worker processes (default 2)")
    parser.add_argument("--screens", type=int, default=None,
                        help="live screens one process may hold (default 80; with --institution 1300)")
    args = parser.parse_args()
    screens = args.screens or (INSTITUTION_SCREENS if args.institution else SCREENS)
    if args.demo:
        _build_demo()
        from meeting.ops.mail import demo_mail
        os.environ.setdefault("BELLETJE_BASE_URL", f"http://{args.host}:{args.port}")
        db = database.connect(database.database_path())
        print(demo_mail(os.environ, args.demo_mail, db))
        db.close()
    if args.institution:
        from meeting.ops.serve import serve_gunicorn
        print(f"Belletje on http://{args.host}:{args.port}/  ({args.workers} workers, database "
              f"{database.database_path()})")
        from meeting import create_app
        serve_gunicorn(args.host, args.port, args.workers, screens, scheduler=not args.no_scheduler,
                       make_app=lambda: create_app({"PREPARE_DATABASE": False}))
        return
    os.environ.setdefault("BELLETJE_MAX_STREAMS", str(screens))
    from meeting import create_app
    app = create_app()
    if not args.no_scheduler:
        from meeting.ops import scheduler
        from meeting.ops.cli import backup_dir
        with app.app_context():
            scheduler.start(app.config["DATABASE"], backup_dir())
    from meeting.ops.serve import serve_waitress
    print(f"Belletje on http://{args.host}:{args.port}/  (database {app.config['DATABASE']})")
    serve_waitress(app, args.host, args.port, screens)


def _build_demo() -> None:
    from meeting.ops.cli import demo_logins
    from meeting.ops.demo import build_demo
    database.prepare(database.database_path())
    db = database.connect(database.database_path())
    build_demo(db, team_today("Europe/Amsterdam"))
    db.close()
    print(demo_logins())


if __name__ == "__main__":
    main()
