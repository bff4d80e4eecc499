"""Marking strings for translation in the pure core, which does not import Flask.

`N_("...")` returns the English text unchanged; pybabel extracts it (keyword N_), and the web
layer translates it with `gettext(text)` when it renders, in the reader's language.
"""


def N_(message: str) -> str:
    """Mark `message` for extraction; translation happens later, at render time."""
    return message
