"""Accounts: passwords (argon2id), session tokens, login throttling, one-time set-password links."""
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from meeting.db import iso, utcnow, write

hasher = PasswordHasher()
MAX_FAILURES_BEFORE_LOCK = 5
SET_PASSWORD_LINK_DAYS = 7
MIN_PASSWORD_LENGTH = 10


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
    """All users with their team roles as text, by name."""
    return list(db.query("""
        SELECT u.*, group_concat(t.name || ': ' || m.role, ', ') AS roles
        FROM users u LEFT JOIN memberships m ON m.user_id = u.id LEFT JOIN teams t ON t.id = m.team_id
        GROUP BY u.id ORDER BY u.name"""))


def check_login(db, email: str, password: str, now: datetime) -> tuple[dict | None, str | None]:
    """Return (user, None) on success, else (None, reason) with reason 'locked' or 'invalid'."""
    user = get_user_by_email(db, email)
    if user and user["locked_until"] and user["locked_until"] > iso(now):
        return None, "locked"
    if not user or not user["active"] or not _verify(user["password_hash"], password):
        if user:
            _record_failure(db, user, now)
        return None, "invalid"
    with write(db):
        db.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", [user["id"]])
        if hasher.check_needs_rehash(user["password_hash"]):
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [hasher.hash(password), user["id"]])
    return get_user(db, user["id"]), None


def _verify(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _record_failure(db, user: dict, now: datetime) -> None:
    """Count a failed login; from the fifth on, lock the account for 1, 2, 4 … minutes (max 1 h)."""
    failures = user["failed_logins"] + 1
    locked_until = None
    if failures >= MAX_FAILURES_BEFORE_LOCK:
        minutes = min(2 ** (failures - MAX_FAILURES_BEFORE_LOCK), 60)
        locked_until = iso(now + timedelta(minutes=minutes))
    db.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
               [failures, locked_until, user["id"]])


def rotate_session_token(db, user_id: int) -> str:
    """Give the user a new session token, ending every session that carries the old one."""
    token = secrets.token_urlsafe(24)
    db.execute("UPDATE users SET session_token = ? WHERE id = ?", [token, user_id])
    return token


def set_password(db, user_id: int, password: str) -> str:
    """Store a new password hash, end other sessions and spend any set-password link; return the new token."""
    token = secrets.token_urlsafe(24)
    db.execute("UPDATE users SET password_hash = ?, session_token = ?, set_password_token = NULL,"
               " set_password_expires_at = NULL, failed_logins = 0, locked_until = NULL WHERE id = ?",
               [hasher.hash(password), token, user_id])
    return token


def verify_password(db, user_id: int, password: str) -> bool:
    """True when `password` is the user's current password."""
    user = get_user(db, user_id)
    return bool(user) and _verify(user["password_hash"], password)


def password_error(password: str, repeated: str) -> str | None:
    """Why a new password is refused, or None."""
    from meeting.i18n import N_
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("Use at least 10 characters.")
    if password != repeated:
        return N_("The two passwords differ.")
    return None


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
