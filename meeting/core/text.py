"""Rules for text that people type: control characters, lengths, names, e-mail addresses, whole numbers.
No Flask, no SQL.

Every free-text field follows one rule: multi-line text refuses control characters other than tab and line
breaks, one-line text refuses those too, and each field has a stated maximum, said in its message; nothing is
ever cut silently. `text_errors` applies it to a form's fields, so a new form names its fields and limits once.
"""
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from meeting.core.i18n import N_

CONTROL_CHARACTERS = N_("This contains invisible control characters. Type it again without them.")
# A browser sends a text area's line breaks as CR LF, so multi-line text may hold both, and tabs.
MULTILINE_WHITESPACE = frozenset("\t\n\r")
ONE_LINE = N_("Keep this on one line, without line breaks or tabs.")
TOO_LONG = N_("This is too long: at most %(max)s characters, it has %(length)s.")
MAX_EMAIL_LENGTH = 200
MAX_NAME_LENGTH = 100
MAX_WHOLE_NUMBER = 2 ** 63 - 1  # SQLite's largest integer: any larger one in a query raises OverflowError


class Message(str):
    """A message marked for translation (N_) with the values of its placeholders; the web layer's translate()
    fills them, so a pure rule can say "at most 300 characters" without knowing the reader's language."""
    params: dict

    def __new__(cls, text: str, **params):
        message = super().__new__(cls, text)
        message.params = params
        return message


@dataclass(frozen=True)
class TextField:
    """A free-text field's rule: its maximum length and whether it may hold several lines."""
    max_length: int
    multiline: bool = False


def text_error(text: str, field: TextField) -> str | None:
    """Why `text` (already trimmed) cannot be stored in `field`, or None."""
    if has_control_characters(text, multiline=True):
        return CONTROL_CHARACTERS
    if not field.multiline and any(char in MULTILINE_WHITESPACE for char in text):
        return ONE_LINE
    return too_long(text, field.max_length)


def too_long(text: str, max_length: int) -> str | None:
    """The message stating the field's maximum when `text` is longer, or None."""
    return length_message(text, max_length) if len(text) > max_length else None


def length_message(text: str, max_length: int) -> str:
    """The message stating the field's maximum and `text`'s length (for a text already found too long)."""
    return Message(TOO_LONG, max=max_length, length=len(text))


def text_errors(form: Mapping, fields: Mapping[str, TextField]) -> dict[str, str]:
    """Field -> message for each of `fields` in `form` that breaks its rule (trimmed first, as it is stored)."""
    errors = {}
    for name, field in fields.items():
        if error := text_error(str(form.get(name) or "").strip(), field):
            errors[name] = error
    return errors


def whole_number(value) -> int | None:
    """`value` as a whole number from 0 up to SQLite's largest integer; None when blank, signed, fractional,
    not ASCII digits or too large (Python refuses to read over 4,300 digits and SQLite to store over 19)."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_WHOLE_NUMBER else None


def parse_whole_number(text: str) -> int:
    """`text` as `whole_number` reads it, raising ValueError otherwise (for werkzeug's `args.get(type=...)`)."""
    number = whole_number(text)
    if number is None:
        raise ValueError(f"not a whole number: {text[:20]!r}")
    return number


def has_control_characters(text: str, multiline: bool = False) -> bool:
    """True when `text` holds a control character (NUL, escape, DEL, …); multi-line text may hold tab and newline."""
    allowed = MULTILINE_WHITESPACE if multiline else frozenset()
    return any(unicodedata.category(char) == "Cc" and char not in allowed for char in text)


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
