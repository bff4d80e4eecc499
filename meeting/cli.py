"""Command-line tasks: migrate, demo data, the first admin."""
import click
from flask import current_app
from flask.cli import with_appcontext

from meeting import db as database
from meeting.demo import DEMO_PASSWORD, STAFF, build_demo, demo_email
from meeting.store import users as user_store


def init_app(app) -> None:
    """Register the commands on `flask`."""
    for command in (migrate, demo, create_admin):
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
    from datetime import date
    created = build_demo(db, date.today())
    db.close()
    click.echo("Demo team created." if created else "Demo team exists already.")
    click.echo(demo_logins())


def demo_logins() -> str:
    """The demo accounts, for the console."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD})",
             "  admin       admin@belletje.example"]
    for local_part, name, role in STAFF[:4]:
        lines.append(f"  {role:<11} {demo_email(local_part)}  {name}")
    lines.append(f"  … and {len(STAFF) - 4} more members: see Admin → users")
    return "\n".join(lines)


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin(email, name, password):
    """Create a global admin account for a real install."""
    db = database.connect(current_app.config["DATABASE"])
    if problem := user_store.password_error(password, password):
        raise click.ClickException(problem)
    if user_store.get_user_by_email(db, email):
        raise click.ClickException("This e-mail address has an account already.")
    user_store.create_user(db, email, name, password, is_admin=True)
    db.close()
    click.echo(f"Admin {email} created.")
