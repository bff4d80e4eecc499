"""Text a user downloads (CSV, Markdown): no cell a spreadsheet would run as a formula. Pure: no Flask, no SQL."""
import csv
import io
from collections.abc import Iterable, Sequence

from meeting.core.text import shown_safely

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """A text cell a spreadsheet would run as a formula gets a leading quote (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def markdown_cell(value):
    """A stored text as one Markdown line that starts no formula: line breaks and runs of white space become one
    space and the text is trimmed before it is `neutralised` (a text that began with a line break and "=" would
    otherwise start a line with a formula); any other control character becomes a visible mark. A leading tab or
    carriage return is kept after the quote, as in the CSVs."""
    if not isinstance(value, str):
        return value
    head = value[0] if value.startswith(("\t", "\r")) else ""
    text = neutralised(shown_safely(" ".join(value[len(head):].split())))
    return "'" + head + text if head else text


_FORMULA_FIRSTS = frozenset(FORMULA_STARTS)


def csv_text(header: list[str], rows: Iterable[Sequence]) -> str:
    """A CSV document with a header line; no text cell can start a formula (`neutralised`, inline: an export of
    every open milestone of 200 teams has 80,000 cells)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([("'" + cell if cell[:1] in _FORMULA_FIRSTS else cell) if type(cell) is str else cell
                      for cell in row] for row in rows)
    return out.getvalue()
