"""Accounts: passwords (argon2id), session tokens, login throttling, one-time set-password links."""
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from meeting.core import passwords
from meeting.core.text import shown_safely
from meeting.store.db import iso, utcnow, write

hasher = PasswordHasher()
SET_PASSWORD_LINK_DAYS = 7
MAX_KEY_LENGTH = 320


def create_user(db, email: str, name: str, password: str | None = None,
                is_admin: bool = False, locale: str | None = None) -> int:
    """Insert a user; without a password the account waits for its set-password link."""
    return db.execute(
        "INSERT INTO users (email, name, password_hash, session_token, is_admin, locale, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [email.strip().lower(), name.strip(), hasher.hash(password) if password else None,
         secrets.token_urlsafe(24), int(is_admin), locale, iso(utcnow())],
    ).lastrowid


def get_user(db, user_id: int) -> dict | None:
    """The user row, or None."""
    return next(db.query("SELECT * FROM users WHERE id = ?", [user_id]), None)


def get_user_by_email(db, email: str) -> dict | None:
    """The user row for an e-mail address (case-insensitive), or None."""
    return next(db.query("SELECT * FROM users WHERE email = ?", [email.strip().lower()]), None)


def list_users(db) -> list[dict]:
    """All users with their team roles (a list of team name and role code, by team name), by name."""
    return [u | {"roles": json.loads(u["roles"])} for u in db.query("""
        SELECT u.*, (SELECT json_group_array(json_array(name, role)) FROM (SELECT t.name, m.role
            FROM memberships m JOIN teams t ON t.id = m.team_id WHERE m.user_id = u.id ORDER BY t.name)) AS roles
        FROM users u ORDER BY u.name""")]


@dataclass(frozen=True)
class LoginResult:
    """A login attempt's outcome: the user, or why not ("invalid" or "throttled") and until when."""
    user: dict | None
    refused: str | None = None
    retry_at: datetime | None = None


def check_login(db, email: str, password: str, now: datetime, address: str = "", device: str | None = None
                ) -> LoginResult:
    """Check a login; an address that guessed wrong too often for this account must wait, unchecked.

    A browser that signed in to this account before (`device`: its device cookie's nonce, OWASP's device cookies)
    is counted apart from its address, so a stranger guessing from the same shared address does not slow it.
    Every refusal takes one password hash check, whether the account exists or not: the time tells nothing.
    """
    account = _account_key(email)
    where = f"device:{device}"[:64] if device else passwords.address_key(address)
    retry_at = _retry_at(db, account, where, now)
    if retry_at and retry_at > now:
        return LoginResult(None, "throttled", retry_at)
    user = get_user_by_email(db, email)
    right = _verify(user["password_hash"] if user else None, password)
    if not user or not user["active"] or not right:
        _record_failure(db, account, where, now)
        return LoginResult(None, "invalid")
    # hashed before the write lock is taken: 64 MiB of argon2 inside it would queue every other write behind it
    new_hash = hasher.hash(password) if hasher.check_needs_rehash(user["password_hash"]) else None
    with write(db):
        db.execute("DELETE FROM login_failures WHERE email = ? AND address = ?", [account, where])
        if new_hash:
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [new_hash, user["id"]])
    return LoginResult(get_user(db, user["id"]))


def _account_key(email: str) -> str:
    # Failures count by the typed address, known account or not, so the answer never tells which exist;
    # cut short so a stranger cannot store megabytes, control characters made visible so none are stored.
    return shown_safely(email.strip().lower()[:MAX_KEY_LENGTH])


def _verify(password_hash: str | None, password: str) -> bool:
    """Check a password; without a hash (no such account, or no password yet) a dummy one is checked, as slowly."""
    try:
        return hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


_dummy_hashes: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of a random password with the current hasher's costs (made once per cost setting)."""
    costs = f"{hasher.time_cost}:{hasher.memory_cost}:{hasher.parallelism}"
    if costs not in _dummy_hashes:
        _dummy_hashes[costs] = hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[costs]


def _retry_at(db, account: str, where: str, now: datetime) -> datetime | None:
    """When `where` may try `account` again, from the failures of the last day."""
    rows = list(db.query("SELECT address, failures, last_failed_at FROM login_failures"
                         " WHERE email = ? AND last_failed_at > ?",
                         [account, iso(now - passwords.FORGET_FAILURES_AFTER)]))
    mine = next((row for row in rows if row["address"] == where), None)
    if not mine:
        return None
    return passwords.retry_at(mine["failures"], datetime.fromisoformat(mine["last_failed_at"]),
                              sum(row["failures"] for row in rows))


def _record_failure(db, account: str, where: str, now: datetime) -> None:
    """Count a wrong password for this account from this address; failures a day old are forgotten."""
    with write(db):
        db.execute("DELETE FROM login_failures WHERE last_failed_at <= ?",
                   [iso(now - passwords.FORGET_FAILURES_AFTER)])
        db.execute("INSERT INTO login_failures (email, address, failures, last_failed_at) VALUES (?, ?, 1, ?)"
                   " ON CONFLICT (email, address) DO UPDATE"
                   " SET failures = failures + 1, last_failed_at = excluded.last_failed_at",
                   [account, where, iso(now)])


def rotate_session_token(db, user_id: int) -> str:
    """Give the user a new session token, ending every session that carries the old one."""
    token = secrets.token_urlsafe(24)
    db.execute("UPDATE users SET session_token = ? WHERE id = ?", [token, user_id])
    return token


def set_password(db, user_id: int, password: str) -> str:
    """Store a new password hash, end other sessions and spend any set-password link; return the new token."""
    token, password_hash = secrets.token_urlsafe(24), hasher.hash(password)
    with write(db):
        db.execute("UPDATE users SET password_hash = ?, session_token = ?, set_password_token = NULL,"
                   " set_password_expires_at = NULL WHERE id = ?", [password_hash, token, user_id])
        # Old guesses say nothing about the new password; this frees a user slowed at a shared address.
        db.execute("DELETE FROM login_failures WHERE email = (SELECT email FROM users WHERE id = ?)", [user_id])
    return token


def verify_password(db, user_id: int, password: str) -> bool:
    """True when `password` is the user's current password."""
    user = get_user(db, user_id)
    return bool(user) and _verify(user["password_hash"], password)


def issue_set_password_link(db, user_id: int, now: datetime) -> str:
    """Create a one-time token for a set-password link, valid for a week."""
    token = secrets.token_urlsafe(32)
    db.execute("UPDATE users SET set_password_token = ?, set_password_expires_at = ? WHERE id = ?",
               [token, iso(now + timedelta(days=SET_PASSWORD_LINK_DAYS)), user_id])
    return token


def user_for_set_password_token(db, token: str, now: datetime) -> dict | None:
    """The active user a set-password token belongs to, while it is valid."""
    return next(db.query("SELECT * FROM users WHERE set_password_token = ? AND active = 1"
                         " AND set_password_expires_at > ?", [token, iso(now)]), None)


def set_active(db, user_id: int, active: bool) -> None:
    """Activate or deactivate an account; deactivating ends its sessions at once."""
    db.execute("UPDATE users SET active = ?, session_token = ? WHERE id = ?",
               [int(active), secrets.token_urlsafe(24), user_id])


def set_locale(db, user_id: int, locale: str | None) -> None:
    """Store the user's language (None: follow the browser)."""
    db.execute("UPDATE users SET locale = ? WHERE id = ?", [locale, user_id])


def set_break_glass(db, user_id: int, on: bool) -> None:
    """Let an admin sign in with a local password while local passwords are turned off (or not any more)."""
    db.execute("UPDATE users SET break_glass = ? WHERE id = ? AND is_admin = 1", [int(on), user_id])


def context_words(db, user_id: int | None) -> list[str]:
    """The names a password must not contain besides the user's own: the institution's and the user's teams'."""
    institution = db.execute("SELECT name FROM institution WHERE id = 1").fetchone()
    teams = [r[0] for r in db.execute("SELECT t.name FROM memberships m JOIN teams t ON t.id = m.team_id"
                                      " WHERE m.user_id = ?", [user_id])] if user_id else []
    return [name for name in [institution[0] if institution else "", *teams] if name]
