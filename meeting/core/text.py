"""Rules for text that people type: control characters, names, e-mail addresses. No Flask, no SQL."""
import unicodedata

from meeting.core.i18n import N_

CONTROL_CHARACTERS = N_("This contains invisible control characters. Type it again without them.")
# A browser sends a text area's line breaks as CR LF, so multi-line text may hold both, and tabs.
MULTILINE_WHITESPACE = frozenset("\t\n\r")
MAX_EMAIL_LENGTH = 200
MAX_NAME_LENGTH = 100
# a stated maximum per field, said in the message: text over it is refused, never cut
TOO_LONG = {300: N_("This is too long: at most 300 characters."),
            500: N_("This is too long: at most 500 characters."),
            2000: N_("This is too long: at most 2,000 characters.")}


def has_control_characters(text: str, multiline: bool = False) -> bool:
    """True when `text` holds a control character (NUL, escape, DEL, …); multi-line text may hold tab and newline."""
    allowed = MULTILINE_WHITESPACE if multiline else frozenset()
    return any(unicodedata.category(char) == "Cc" and char not in allowed for char in text)


def text_error(text: str, limit: int, multiline: bool = False) -> str | None:
    """Why typed `text` cannot be stored: a control character (multi-line text may hold newlines), or over `limit`."""
    if has_control_characters(text, multiline=multiline):
        return CONTROL_CHARACTERS
    return TOO_LONG[limit] if len(text) > limit else None


def shown_safely(text: str) -> str:
    """`text` with each control character replaced by a visible mark, for echoing a refused value."""
    return "".join("\ufffd" if unicodedata.category(char) == "Cc" else char for char in text)


def email_error(email: str) -> str | None:
    """Why `email` cannot be a user's e-mail address, or None."""
    if has_control_characters(email):
        return CONTROL_CHARACTERS
    if "@" not in email or len(email) > MAX_EMAIL_LENGTH:
        return N_("Give an e-mail address.")
    return None


def person_name_error(name: str) -> str | None:
    """Why `name` cannot be a user's name, or None."""
    if has_control_characters(name):
        return CONTROL_CHARACTERS
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        return N_("Give a name.")
    return None
