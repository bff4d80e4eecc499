"""The outbox: every mail is a row written in the transaction that caused it, sent after commit by the scheduler.

A row is sent at most once: claimed (attempts + 1) in a short write, sent outside any transaction, then marked
sent; a failed attempt waits longer each time and after the last one is marked failed, for the admin to see. A
claim that was neither marked sent nor failed (the process died while sending) is marked failed, not sent again.
"""
from datetime import datetime, timedelta

from meeting.store.db import iso, write

CLAIM_MINUTES = 10  # a claimed row neither sent nor failed by then was interrupted while sending
INTERRUPTED = "interrupted while sending: it may have gone; send it again if it did not arrive"


def enqueue(db, dedupe_key: str, kind: str, user_id: int | None, to_address: str, mail, now: datetime,
            send_after: datetime, expires_at: datetime | None = None, quiet_timezone: str | None = None) -> bool:
    """Queue a composed mail; False when a mail with this key was queued before (so a job run twice queues once)."""
    return bool(db.execute(
        """INSERT INTO outbox (dedupe_key, kind, user_id, to_address, subject, text_body, html_body, quiet_timezone,
           created_at, send_after, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (dedupe_key) DO NOTHING""",
        [dedupe_key, kind, user_id, to_address, mail.subject, mail.text, mail.html, quiet_timezone, iso(now),
         iso(send_after), expires_at and iso(expires_at)]).rowcount)


def claim_due(db, now: datetime, limit: int = 50) -> list[dict]:
    """Claim the mails whose time has come (each attempt counted now); expired ones are dropped unsent."""
    with write(db):
        db.execute("""UPDATE outbox SET failed_at = ?, last_error = 'expired before it could be sent'
            WHERE sent_at IS NULL AND failed_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?""",
                   [iso(now), iso(now)])
        # claimed, then neither sent nor failed: the process died while sending; perhaps it went, so not again
        db.execute("""UPDATE outbox SET failed_at = ?, claimed_until = NULL, last_error = ?
            WHERE sent_at IS NULL AND failed_at IS NULL AND claimed_until <= ?""", [iso(now), INTERRUPTED, iso(now)])
        rows = list(db.query("""SELECT * FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND send_after <= ?
            AND claimed_until IS NULL ORDER BY send_after, id LIMIT ?""", [iso(now), limit]))
        until = iso(now + timedelta(minutes=CLAIM_MINUTES))
        for row in rows:
            db.execute("UPDATE outbox SET attempts = attempts + 1, claimed_until = ? WHERE id = ?", [until, row["id"]])
    return [row | {"attempts": row["attempts"] + 1} for row in rows]


def mark_sent(db, mail_id: int, now: datetime) -> None:
    """A mail handed to the relay; a set-password link is not kept once it has gone."""
    db.execute("""UPDATE outbox SET sent_at = ?, claimed_until = NULL, last_error = '',
        text_body = CASE WHEN kind = 'set_password' THEN '' ELSE text_body END,
        html_body = CASE WHEN kind = 'set_password' THEN '' ELSE html_body END WHERE id = ?""", [iso(now), mail_id])


def mark_attempt_failed(db, mail: dict, error: str, next_try: datetime | None, now: datetime) -> None:
    """Note a failed attempt: tried again at `next_try`, or (None) failed for good."""
    if next_try is None:
        db.execute("UPDATE outbox SET failed_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?",
                   [iso(now), error[:500], mail["id"]])
    else:
        db.execute("UPDATE outbox SET send_after = ?, claimed_until = NULL, last_error = ? WHERE id = ?",
                   [iso(next_try), error[:500], mail["id"]])


def failed(db, limit: int = 50) -> list[dict]:
    """Mails that could not be delivered, newest first, with whom they were for (not their text)."""
    return list(db.query("""SELECT o.id, o.kind, o.to_address, o.subject, o.attempts, o.last_error, o.failed_at,
        u.name AS user_name FROM outbox o LEFT JOIN users u ON u.id = o.user_id
        WHERE o.failed_at IS NOT NULL ORDER BY o.failed_at DESC, o.id DESC LIMIT ?""", [limit]))


def retry(db, mail_id: int, now: datetime) -> bool:
    """Send a failed mail again from now on (its attempts start over); False when it had not failed."""
    return bool(db.execute("""UPDATE outbox SET failed_at = NULL, attempts = 0, send_after = ?, expires_at = NULL
        WHERE id = ? AND failed_at IS NOT NULL AND kind != 'set_password'""", [iso(now), mail_id]).rowcount)


def waiting(db) -> int:
    """How many mails wait to be sent."""
    return db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL").fetchone()[0]


def of_user(db, user_id: int) -> list[dict]:
    """Every mail queued for a user, oldest first."""
    return list(db.query("SELECT * FROM outbox WHERE user_id = ? ORDER BY id", [user_id]))


def queued(db, dedupe_key: str) -> bool:
    """True when a mail with this key is in the outbox (waiting, sent or failed)."""
    return db.execute("SELECT 1 FROM outbox WHERE dedupe_key = ?", [dedupe_key]).fetchone() is not None
