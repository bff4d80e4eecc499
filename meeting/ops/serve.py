"""Serving Belletje: one waitress process for a team (the demo), gunicorn worker processes for an institution.

Every open live screen holds a server thread for as long as it is open, so a server is sized by screens:
threads = screens + a margin for ordinary requests, and a connection limit for two connections per screen
(a browser keeps its event stream *and* a keep-alive connection for fetches). Several worker processes
share the load: the live channel's signal is the database, so a change made in one process reaches the
screens connected to another.
"""
import gc
import os
import resource
import signal
import threading

ORDINARY_THREADS = 32  # requests besides the streams, per process


def raise_open_files_limit() -> int:
    """Two sockets per screen, plus the database's files: lift the soft limit of open files to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def freeze_long_lived(app):
    """Once the app is built: its long-lived objects (templates, catalogues, routes) leave the garbage collector's
    generations, so a full collection in the middle of a large page walks only that request's objects (on the
    200-team dashboard such pauses made the render time vary fourfold)."""
    gc.freeze()
    return app


def serve_waitress(app, host: str, port: int, screens: int) -> None:
    """One process, one thread per live screen (the demo and a single team)."""
    from waitress import serve
    raise_open_files_limit()
    freeze_long_lived(app)
    serve(app, host=host, port=port, threads=screens + ORDINARY_THREADS, connection_limit=2 * screens + 100,
          asyncore_use_poll=True,  # select() cannot watch more than 1024 sockets
          channel_timeout=120)


def serve_gunicorn(host: str, port: int, workers: int, screens: int, scheduler: bool, make_app) -> None:
    """Several worker processes (gunicorn, threaded workers), each able to hold every screen if the others die;
    `make_app()` builds the app without preparing the database (the caller's app factory: ops imports none)."""
    from gunicorn.app.base import BaseApplication

    from meeting.store import db as database

    raise_open_files_limit()
    database.prepare(database.database_path())  # migrations once, before the workers start
    os.environ.setdefault("BELLETJE_MAX_STREAMS", str(screens))

    def post_worker_init(worker):
        end_streams_on_stop(worker)
        if scheduler:
            start_scheduler(worker)

    def start_scheduler(worker):
        """The first worker to get the scheduler's file lock runs it; the others see the lock and skip."""
        from meeting.ops import scheduler as jobs
        from meeting.ops.cli import backup_dir
        with worker.wsgi.app_context():
            jobs.start(str(database.database_path()), backup_dir())

    class Institution(BaseApplication):
        def load_config(self):
            options = {"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread",
                       "threads": screens + ORDINARY_THREADS, "worker_connections": 2 * screens + 100,
                       "keepalive": 75,  # browsers keep connections open about this long
                       "timeout": 60, "graceful_timeout": 5,  # live screens reconnect by themselves
                       "preload_app": True, "accesslog": None,
                       "control_socket_disable": True}  # no shared socket in the home directory
            options["post_worker_init"] = post_worker_init
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return freeze_long_lived(make_app())  # before the fork: shared, not collected

    Institution().run()


def end_streams_on_stop(worker) -> None:
    """On SIGTERM the worker's live streams end at once, each telling its screen when to come back (a jittered
    retry), rather than holding the worker for its graceful timeout and then breaking off."""
    broadcaster, stop = worker.wsgi.extensions["belletje_live"], worker.handle_exit

    def handle_exit(signum, frame):
        threading.Thread(target=broadcaster.shutdown, daemon=True).start()  # takes a lock: not in the handler
        stop(signum, frame)

    signal.signal(signal.SIGTERM, handle_exit)
