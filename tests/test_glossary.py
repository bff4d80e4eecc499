"""The Dutch catalogue keeps to the glossary: no translation uses a word the glossary forbids for what its English
says (the table "Checked by the suite" in meeting/translations/GLOSSARY.md)."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "meeting" / "translations"
SECTION = "## Checked by the suite"


def glossary_rules() -> list[tuple[str, str, str]]:
    """(forbidden Dutch pattern, English pattern, what to write instead) per row of the checked table."""
    text = (TRANSLATIONS / "GLOSSARY.md").read_text(encoding="utf-8").split(SECTION, 1)[1]
    rules = []
    for line in text.splitlines():
        cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 3 and cells[0].startswith("`") and cells[1].startswith("`"):
            rules.append((cells[0].strip("`"), cells[1].strip("`"), cells[2]))
    return rules


def dutch_messages() -> list[tuple[list[str], list[str]]]:
    """Each message of the Dutch catalogue as (its English forms, its Dutch forms)."""
    with open(TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po)
    return [(list(m.id) if isinstance(m.id, tuple) else [m.id],
             list(m.string) if isinstance(m.string, tuple) else [m.string]) for m in catalogue if m.id]


def test_the_glossary_table_is_read():
    rules = glossary_rules()
    assert len(rules) >= 10
    assert all(re.compile(dutch) and re.compile(english) for dutch, english, _ in rules)


@pytest.mark.parametrize("dutch, english, instead", glossary_rules(), ids=lambda value: value[:30])
def test_no_dutch_translation_uses_a_word_the_glossary_forbids(dutch, english, instead):
    wrong = [f"{ids[0]!r} -> {string!r}" for ids, strings in dutch_messages() for string in strings
             if re.search(dutch, string) and any(re.search(english, msgid) for msgid in ids)]
    assert wrong == [], f"write {instead}"


def test_a_forbidden_word_is_found():
    """The check itself: a catalogue line with "luiden" or "Verplaatst" for a button breaks its rule."""
    rules = {instead.split(" ")[0]: (dutch, english) for dutch, english, instead in glossary_rules()}
    dutch, english = rules["aan"]
    assert re.search(dutch, "Iemand luidt de bel") and re.search(english, "Someone rang the bell")
    dutch, english = rules["Verplaatsen"]
    assert re.search(dutch, "Verplaatst") and re.search(english, "Moved")
    assert not re.search(dutch, "Verplaatsen")
