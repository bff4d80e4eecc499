"""The second factor: TOTP codes (RFC 6238) used once each, recovery codes, and how fast codes may be guessed.
No Flask, no SQL."""
import hashlib
import math
import re
import secrets
from datetime import datetime, timedelta

import pyotp

ISSUER = "Belletje"
RECOVERY_CODES = 10
FREE_FAILURES = 5
MAX_WAIT_MINUTES = 15
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits, as RFC 4226 advises)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str, issuer: str = ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step a code belongs to (this 30-s window or the one before or after), or None.

    A step at or before `last_step` is refused: a code that was accepted once, or an older one, never works again.
    """
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp, current = pyotp.TOTP(secret), pyotp.TOTP(secret).timecode(now)
    for step in (current, current - 1, current + 1):
        if (last_step is None or step > last_step) and secrets.compare_digest(code, totp.generate_otp(step)):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten one-time recovery codes, `xxxxx-xxxxx` (about 50 bits each)."""
    return ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
            for _ in range(RECOVERY_CODES)]


def recovery_hash(code: str) -> str:
    """The stored form of a recovery code, as typed with or without its dash, spaces or capitals."""
    return hashlib.sha256(re.sub(r"[\s-]", "", (code or "").lower()).encode()).hexdigest()


def retry_at(failures: int, last_failed_at: datetime | None) -> datetime | None:
    """When a user with `failures` wrong codes in a row may try again; None: now. Five are free, then 1, 2, 4 … 15
    min."""
    if last_failed_at is None or failures < FREE_FAILURES:
        return None
    return last_failed_at + timedelta(minutes=min(2 ** (failures - FREE_FAILURES), MAX_WAIT_MINUTES))


def minutes_to_wait(until: datetime, now: datetime) -> int:
    """Whole minutes from `now` until `until`, rounded up (at least 1)."""
    return max(1, math.ceil((until - now).total_seconds() / 60))
