"""Marking strings for translation in the pure core, which does not import Flask; and text the app writes itself.

`N_("...")` returns the English text unchanged; pybabel extracts it (keyword N_), and the web
layer translates it with `gettext(text)` when it renders, in the reader's language.

Text the app generates and stores (a handover's announcement, a session step's title, "Not reached in the meeting")
is stored as its message id with its values (`generated`), never as English or Dutch: the web layer renders it in
each reader's language (`meeting.web.shared.shown`). What a person typed is stored as typed.
"""
import json
from collections.abc import Mapping

# Starts every stored generated text. It is a control character, which the core refuses in every text a person
# types (meeting.core.text), so typed text can never be taken for a generated one.
GENERATED = "\x1e"


def N_(message: str) -> str:
    """Mark `message` for extraction; translation happens later, at render time."""
    return message


def generated(message: str, **values) -> str:
    """The stored form of a text the app writes: its message id (marked with N_) and the values of its placeholders
    (numbers, references, or other stored texts, generated or typed)."""
    return GENERATED + json.dumps([message, values], ensure_ascii=False, sort_keys=True)


def is_generated(text: object) -> bool:
    """Whether a stored text is one the app wrote (message id and values) rather than one a person typed."""
    return isinstance(text, str) and text.startswith(GENERATED)


def message_of(text: str) -> tuple[str, Mapping]:
    """The message id and values of a stored generated text; a typed text is its own message, without values."""
    if not is_generated(text):
        return text, {}
    message, values = json.loads(text[len(GENERATED):])
    return message, values


def plain(text: str | None) -> str:
    """A stored text in English, untranslated (for logs and tests; readers get `meeting.web.shared.shown`)."""
    if not text:
        return ""
    message, values = message_of(text)
    return message % {key: plain(value) if isinstance(value, str) else value for key, value in values.items()} \
        if values else message
