"""A local account's second factor: its TOTP secret, the last step accepted, recovery codes, wrong-code counts."""
from datetime import datetime

from meeting.core import second_factor as rules
from meeting.store.db import iso, write


def start_enrolment(db, user_id: int) -> str:
    """A new unconfirmed secret for the user (an earlier unconfirmed one is replaced); returns it."""
    secret = rules.new_secret()
    db.execute("UPDATE users SET totp_secret = ? WHERE id = ? AND totp_confirmed_at IS NULL", [secret, user_id])
    return secret


def pending_secret(db, user_id: int) -> str | None:
    """The secret waiting for its first code, or None."""
    row = db.execute("SELECT totp_secret FROM users WHERE id = ? AND totp_confirmed_at IS NULL", [user_id]).fetchone()
    return row[0] if row else None


def is_enrolled(user: dict) -> bool:
    """True when the user's TOTP secret was confirmed by a first code."""
    return bool(user.get("totp_confirmed_at"))


def confirm(db, user_id: int, step: int, now: datetime) -> list[str]:
    """Confirm the pending secret with the step of its first code; returns ten new recovery codes (shown once)."""
    codes = rules.new_recovery_codes()
    with write(db):
        db.execute("UPDATE users SET totp_confirmed_at = ?, totp_last_step = ?, second_factor_failures = 0"
                   " WHERE id = ?", [iso(now), step, user_id])
        _store_codes(db, user_id, codes)
    return codes


def new_recovery_codes(db, user_id: int) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them (shown once)."""
    codes = rules.new_recovery_codes()
    with write(db):
        _store_codes(db, user_id, codes)
    return codes


def _store_codes(db, user_id: int, codes: list[str]) -> None:
    db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
    db.conn.executemany("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)",
                        [(user_id, rules.recovery_hash(code)) for code in codes])


def unused_recovery_codes(db, user_id: int) -> int:
    """How many of the user's recovery codes are left."""
    return db.execute("SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
                      [user_id]).fetchone()[0]


def retry_at(db, user_id: int) -> datetime | None:
    """When the user may try a code again after wrong ones; None: now."""
    row = db.execute("SELECT second_factor_failures, second_factor_failed_at FROM users WHERE id = ?",
                     [user_id]).fetchone()
    return rules.retry_at(row[0], datetime.fromisoformat(row[1]) if row[1] else None) if row else None


def check_code(db, user_id: int, code: str, now: datetime) -> bool:
    """Accept a TOTP code once (its step is remembered), or else an unused recovery code once; count a miss."""
    with write(db):  # the check and the spending in one lock: two requests with one code cannot both pass
        row = db.execute("SELECT totp_secret, totp_last_step FROM users WHERE id = ? AND totp_confirmed_at IS NOT NULL",
                         [user_id]).fetchone()
        step = rules.accepted_step(row[0], code, now, row[1]) if row else None
        if step is not None:
            db.execute("UPDATE users SET totp_last_step = ?, second_factor_failures = 0 WHERE id = ?", [step, user_id])
            return True
        if row and db.execute("UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ?"
                              " AND used_at IS NULL", [iso(now), user_id, rules.recovery_hash(code)]).rowcount:
            db.execute("UPDATE users SET second_factor_failures = 0 WHERE id = ?", [user_id])
            return True
        record_miss(db, user_id, now)
        return False


def record_miss(db, user_id: int, now: datetime) -> None:
    """Count a wrong code."""
    db.execute("UPDATE users SET second_factor_failures = second_factor_failures + 1, second_factor_failed_at = ?"
               " WHERE id = ?", [iso(now), user_id])


def first_step(db, user_id: int, code: str, now: datetime) -> int | None:
    """The step of a pending secret's first code, or None."""
    secret = pending_secret(db, user_id)
    return rules.accepted_step(secret, code, now, None) if secret else None


def remove(db, user_id: int) -> None:
    """Take the user's second factor away (an admin does this for a lost phone): enrolment starts again."""
    with write(db):
        db.execute("UPDATE users SET totp_secret = NULL, totp_confirmed_at = NULL, totp_last_step = NULL,"
                   " second_factor_failures = 0 WHERE id = ?", [user_id])
        db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
