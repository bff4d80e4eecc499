"""Password rules: what a new password must be (NIST SP 800-63B) and how fast one may be guessed
(OWASP ASVS 2.2.1). No Flask, no SQL."""
import functools
import ipaddress
import math
import re
import string
from datetime import datetime, timedelta
from importlib import resources

from meeting.core.i18n import N_

MIN_LENGTH = 12
MAX_LENGTH = 128
# Whole-password runs: digits, the alphabet, and the QWERTY and AZERTY keyboards read row after row.
RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "azertyuiopqsdfghjklmwxcvbn")
_REPETITION = re.compile(r"(.+?)\1+", re.DOTALL)
_ADDED_BEFORE_OR_AFTER = string.digits + string.punctuation + string.whitespace

APP_NAME = "Belletje"
FREE_FAILURES = 5
FREE_FAILURES_UNDER_ATTACK = 1
ACCOUNT_UNDER_ATTACK = 20
MAX_WAIT_MINUTES = 60
FORGET_FAILURES_AFTER = timedelta(hours=24)


def password_error(password: str, repeated: str, email: str = "", name: str = "",
                   context: tuple[str, ...] | list[str] = ()) -> str | None:
    """Why a new password is refused, or None; `email` and `name` are its owner's, `context` the names around them
    (the institution's, their teams'), refused like their own, as is the app's name (NIST SP 800-63B 5.1.1.2)."""
    if len(password) < MIN_LENGTH:
        return N_("Use at least 12 characters.")
    if len(password) > MAX_LENGTH:
        return N_("Use at most 128 characters.")
    if password != repeated:
        return N_("The two passwords differ.")
    return (_guessable(password.lower()) or _personal(password.lower(), email, name)
            or _in_context(password.lower(), [APP_NAME, *context]))


def _guessable(password: str) -> str | None:
    if _REPETITION.fullmatch(password):
        return N_("This password only repeats a character or a group of characters. Choose another.")
    if any(password in _cycled(run, len(password)) for run in RUNS + tuple(run[::-1] for run in RUNS)):
        return N_("This password is a simple run of keys, letters or digits, such as 123456 or qwerty. "
                  "Choose another.")
    if {password, password.strip(_ADDED_BEFORE_OR_AFTER)} & common_passwords():
        return N_("This is one of the most common passwords, which are tried first. Choose another.")
    return None


def _personal(password: str, email: str, name: str) -> str | None:
    local_part = email.partition("@")[0].strip().lower()
    if len(local_part) >= 3 and local_part in password:
        return N_("The password must not contain the part of your e-mail address before the @.")
    # Parts of four letters or more: "van", "de" or "Eva" would refuse too many good passwords.
    if any(len(part) >= 4 and part in password for part in re.findall(r"[^\W\d_]+", name.lower())):
        return N_("The password must not contain your name.")
    return None


def _in_context(password: str, names: list[str]) -> str | None:
    # "fact-noord12" holds the team "FACT Noord": names and password compared on their letters and digits alone;
    # a name's single words count from five letters ("team", "fact" alone would refuse too much).
    compact = _letters_and_digits(password)
    for name in names:
        whole = _letters_and_digits(name.lower())
        words = [w for w in re.findall(r"[^\W\d_]+", name.lower()) if len(w) >= 5]
        if (len(whole) >= 4 and whole in compact) or any(word in password for word in words):
            return N_("The password must not contain the name of this app, of the institution or of your team.")
    return None


def _letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _cycled(run: str, length: int) -> str:
    """`run` repeated until any run of `length` characters, wrapping around (…7890123…), lies inside it."""
    return run * (length // len(run) + 2)


@functools.cache  # kept: every password check would read and split the shipped list again
def common_passwords() -> frozenset[str]:
    """The shipped list of the commonest passwords, in lower case."""
    text = resources.files("meeting").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def retry_at(failures: int, last_failed_at: datetime | None, account_failures: int) -> datetime | None:
    """When an address with `failures` recent wrong passwords for an account may try it again; None: now.

    Five failures are free, then the address waits 1, 2, 4 … minutes (at most an hour) after its
    last one. Once the account has had 20 failures from all addresses together, each address gets
    one free failure instead of five. An address without failures never waits, so the right password
    from elsewhere always gets through: nobody can lock another person out.
    """
    free = FREE_FAILURES_UNDER_ATTACK if account_failures >= ACCOUNT_UNDER_ATTACK else FREE_FAILURES
    if last_failed_at is None or failures < free:
        return None
    minutes = min(2 ** min(failures - free, 6), MAX_WAIT_MINUTES)
    return last_failed_at + timedelta(minutes=minutes)


def minutes_to_wait(until: datetime, now: datetime) -> int:
    """Whole minutes from `now` until `until`, rounded up (at least 1)."""
    return max(1, math.ceil((until - now).total_seconds() / 60))


def address_key(address: str) -> str:
    """The address failures are counted by; an IPv6 address by its /64, which one household or host gets."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
