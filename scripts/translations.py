"""Keep the English and Dutch catalogues complete.

    python scripts/translations.py update   # extract, merge into both catalogues, fill English, compile
    python scripts/translations.py check    # fail on missing, stale or fuzzy translations, or stale .mo files
"""
import io
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "meeting" / "translations"
LOCALES = ("en", "nl")
KEYWORDS = ["-k", "N_", "-k", "lazy_gettext", "-k", "_", "-k", "gettext", "-k", "ngettext:1,2",
            "-k", "lazy_ngettext:1,2", "-k", "lazy_pgettext:1c,2"]


def extract(pot: Path) -> None:
    """Extract every marked string from the code and templates into `pot`."""
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    *KEYWORDS, "--no-location", "--omit-header", "--sort-output", "-o", str(pot), str(ROOT)],
                   check=True, capture_output=True, cwd=ROOT)


def po_path(locale: str) -> Path:
    return CATALOGUES / locale / "LC_MESSAGES" / "messages.po"


def update() -> None:
    """Merge new strings into both catalogues, fill English from the source, compile."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(pot)
        template_bytes = pot.read_bytes()
    for locale in LOCALES:
        template = read_po(io.BytesIO(template_bytes))
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read_po(io.BytesIO(path.read_bytes()), locale=locale) if path.exists() else None
        if catalog is None:
            from babel.messages.catalog import Catalog
            catalog = Catalog(locale=locale, project="Belletje")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        if locale == "en":
            for message in catalog:
                if message.id:
                    message.string = message.id
        with path.open("wb") as out:
            write_po(out, catalog, omit_header=False, no_location=True, sort_output=True, width=100)
        with path.with_suffix(".mo").open("wb") as out:
            write_mo(out, catalog)


def problems() -> list[str]:
    """Everything wrong with the catalogues; an empty list means complete and current."""
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(pot)
        wanted = {m.id for m in read_po(io.BytesIO(pot.read_bytes())) if m.id}
    for locale in LOCALES:
        path = po_path(locale)
        if not path.exists():
            found.append(f"{locale}: no catalogue at {path}")
            continue
        catalog = read_po(io.BytesIO(path.read_bytes()), locale=locale)
        have = {m.id for m in catalog if m.id}
        found += [f"{locale}: missing {_show(i)}" for i in wanted - have]
        found += [f"{locale}: stale {_show(i)}" for i in have - wanted]
        found += [f"{locale}: fuzzy {_show(m.id)}" for m in catalog if m.id and m.fuzzy]
        found += [f"{locale}: untranslated {_show(m.id)}" for m in catalog
                  if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
        found += _stale_mo(catalog, path, locale)
    return found


def _stale_mo(catalog, path: Path, locale: str) -> list[str]:
    """Compare the compiled messages, not the bytes: each Babel release writes its own header."""
    mo = path.with_suffix(".mo")
    if not mo.exists():
        return [f"{locale}: no messages.mo (run: python scripts/translations.py update)"]
    with mo.open("rb") as compiled:
        stale = _messages(read_mo(compiled)) != _messages(catalog)
    if stale:
        return [f"{locale}: messages.mo is not compiled from messages.po (run: python scripts/translations.py update)"]
    return []


def _messages(catalog) -> dict:
    return {(m.context, _key(m.id)): _key(m.string) for m in catalog if m.id and not m.fuzzy}


def _key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _show(message_id) -> str:
    return repr(message_id[0] if isinstance(message_id, tuple) else message_id)


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        update()
    elif sys.argv[1:] == ["check"]:
        issues = problems()
        print("\n".join(issues) or "Catalogues complete: English and Dutch.")
        sys.exit(1 if issues else 0)
    else:
        sys.exit(__doc__)
