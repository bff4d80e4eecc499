"""Command-line tasks: migrate, demo data, the first admin."""
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from meeting.core.passwords import password_error
from meeting.core.text import email_error, person_name_error
from meeting.ops.demo import DEMO_PASSWORD, STAFF, build_demo, demo_email
from meeting.store import db as database
from meeting.store import users as user_store
from meeting.store.now import team_today


def init_app(app) -> None:
    """Register the commands on `flask`."""
    for command in (migrate, demo, create_admin, run_scheduler, backup_now, restore_backup, replicate, restore_replica,
                    mail_test):
        app.cli.add_command(command)


@click.command("migrate")
@with_appcontext
def migrate():
    """Apply pending schema migrations."""
    database.prepare(current_app.config["DATABASE"])
    click.echo(f"Database ready at {current_app.config['DATABASE']}")


@click.command("demo")
@with_appcontext
def demo():
    """Build the demo team FACT Noord and print its logins."""
    db = database.connect(current_app.config["DATABASE"])
    created = build_demo(db, team_today("Europe/Amsterdam"))  # the demo team's zone
    db.close()
    click.echo("Demo team created." if created else "Demo team exists already.")
    click.echo(demo_logins())


def demo_logins() -> str:
    """The demo accounts, for the console."""
    shown = {"voorzitter": "chair", "manager": "manager", "vp1": "member", "vp2": "member"}
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD})", "  admin       admin@belletje.example"]
    lines += [f"  {role:<11} {demo_email(local)}" for local, role in shown.items()]
    lines.append(f"  … and {len(STAFF) - len(shown)} more members: see Admin → users")
    return "\n".join(lines)


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin(email, name, password):
    """Create a global admin account for a real install."""
    email, name = email.strip().lower(), name.strip()
    db = database.connect(current_app.config["DATABASE"])
    try:
        problem = email_error(email) or person_name_error(name) or password_error(
            password, password, email, name, user_store.context_words(db, None))
        if problem:
            raise click.ClickException(problem)
        if user_store.get_user_by_email(db, email):
            raise click.ClickException("This e-mail address has an account already.")
        user_store.create_user(db, email, name, password, is_admin=True)
    finally:
        db.close()
    click.echo(f"Admin {email} created.")


def backup_dir() -> Path:
    """Where nightly backups go: $BELLETJE_BACKUPS, else db/backups next to the database."""
    return Path(os.environ.get("BELLETJE_BACKUPS") or Path(current_app.config["DATABASE"]).parent / "backups")


@click.command("scheduler")
@with_appcontext
def run_scheduler():
    """Run the scheduler in this process (meetings ahead, agenda freeze, nightly backup)."""
    from meeting.ops import scheduler
    click.echo("Scheduler running; stop with Ctrl-C.")
    if scheduler.start(current_app.config["DATABASE"], backup_dir(), background=False) is None:
        raise click.ClickException("Another process runs the scheduler already.")


@click.command("backup")
@with_appcontext
def backup_now():
    """Make an online, integrity-checked backup now."""
    from meeting.store import backups
    target = backup_dir() / f"belletje-manual-{database.utcnow():%Y%m%d-%H%M%S}.sqlite3"
    target.parent.mkdir(parents=True, exist_ok=True)
    backups.copy_database(current_app.config["DATABASE"], target)
    click.echo(f"Backup written to {target}")


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_backup(backup_file):
    """Replace the database with BACKUP_FILE (stop the app first)."""
    from meeting.store import backups
    backups.restore(backup_file, current_app.config["DATABASE"])
    click.echo(f"Restored {backup_file} into {current_app.config['DATABASE']}")


@click.command("replicate")
@click.argument("replica", required=False, envvar="BELLETJE_REPLICA")
@click.option("--config", type=click.Path(exists=True, dir_okay=False), help="a Litestream config file instead")
@with_appcontext
def replicate(replica, config):
    """Stream every committed change to REPLICA (file:///path or s3://bucket/path) until stopped."""
    from meeting.ops import replication
    try:
        command = replication.replicate_command(current_app.config["DATABASE"], replica, config)
    except (ValueError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Replicating {current_app.config['DATABASE']} to {replica or config}; stop with Ctrl-C.")
    os.execv(command[0], command)  # litestream takes this process over: signals reach it directly


@click.command("restore-replica")
@click.argument("replica", envvar="BELLETJE_REPLICA")
@click.argument("target", type=click.Path(dir_okay=False))
@click.option("--timestamp", help="restore to this moment (ISO 8601, UTC) instead of the newest")
def restore_replica(replica, target, timestamp):
    """Restore REPLICA into a new file TARGET (checked); put it in place with `restore` while the app is stopped."""
    from meeting.ops import replication
    replication.restore(replica, target, timestamp)
    click.echo(f"Restored {replica} into {target}")


@click.command("mail-test")
@click.argument("address")
@with_appcontext
def mail_test(address):
    """Send a test message to ADDRESS now, through the configured SMTP relay, and say what happened."""
    from meeting.core.text import email_error
    from meeting.ops import mail
    if problem := email_error(address.strip().lower()):
        raise click.ClickException(problem)
    try:
        settings = mail.settings_from_env()
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if settings is None:
        raise click.ClickException("No mail is configured: set BELLETJE_SMTP_HOST (see the README).")
    composed = mail.compose("test", {}, settings.default_locale, "Europe/Amsterdam", settings.base_url, None, None)
    row = {"id": 0, "subject": composed.subject, "to_address": address.strip(), "text_body": composed.text,
           "html_body": composed.html}
    try:
        mail.send(settings, mail.message(settings, row))
    except Exception as error:  # every failure, said plainly: this command exists to find them
        raise click.ClickException(f"Not sent via {settings.host}:{settings.port} ({settings.security}): "
                                   f"{type(error).__name__}: {error}") from error
    click.echo(f"Test message sent to {address} via {settings.host or 'the console'}:{settings.port} "
               f"({settings.security}).")
