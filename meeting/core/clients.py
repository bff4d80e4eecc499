"""The client registry's rules: pseudonymous references, validation, CSV import. No Flask, no SQL."""
import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from meeting.core.dates import parse_date
from meeting.core.i18n import N_
from meeting.core.text import CONTROL_CHARACTERS, Message, has_control_characters, shown_safely

REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{1,19}")
EARLIEST_TREATMENT_START = date(1950, 1, 1)
CSV_COLUMNS = ("reference", "clinician_email", "treatment_start", "last_evaluation")
# One import is one transaction (all or nothing) holding the write lock: at 2,000 rows about 0.1 s, so nobody
# else's write waits long; a larger registry comes in several files.
IMPORT_MAX_ROWS = 2000
IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_TOO_LARGE = N_("The file is larger than %(max)s MB. Import at most %(rows)s clients per file.")
IMPORT_TOO_MANY = N_("The file holds %(count)s clients. Import at most %(max)s per file.")
STATUSES = ("active", "finished")


def passes_eleven_test(digits: str) -> bool:
    """True when nine digits pass the Dutch BSN eleven-test (weights 9..2, last digit -1)."""
    if not (len(digits) == 9 and digits.isdigit()):
        return False
    weighted = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1)))
    return (weighted - int(digits[8])) % 11 == 0


def reference_error(reference: str) -> str | None:
    """Why `reference` cannot identify a client pseudonymously, or None when it can."""
    if not REFERENCE_PATTERN.fullmatch(reference):
        return N_("A reference is 2 to 20 letters, digits or dashes, starting with a letter or digit.")
    if passes_eleven_test(reference):
        return N_("This looks like a citizen service number (BSN). Use a pseudonymous "
                  "reference, never a number that identifies the client.")
    return None


@dataclass(frozen=True)
class ClientInput:
    """A client's registry fields as validated from a form or a CSV row."""
    reference: str
    clinician_id: int
    treatment_start: date
    last_evaluation: date | None


def validate_client(form: dict, clinician_ids: set[int], today: date) -> tuple[ClientInput | None, dict]:
    """Check a client form; return the values, or None and a field → message dict."""
    errors = {}
    reference = (form.get("reference") or "").strip()
    if message := reference_error(reference):
        errors["reference"] = message
    clinician_id = _int_or_none(form.get("clinician_id"))
    if clinician_id not in clinician_ids:
        errors["clinician_id"] = N_("Choose the responsible clinician from the team.")
    start = parse_date(form.get("treatment_start") or "")
    if start is None:
        errors["treatment_start"] = N_("Give the treatment start as a date (YYYY-MM-DD).")
    elif start > today:
        errors["treatment_start"] = N_("The treatment start cannot be in the future.")
    elif start < EARLIEST_TREATMENT_START:
        errors["treatment_start"] = N_("The treatment start cannot be before 1950.")
    last_evaluation, raw = None, (form.get("last_evaluation") or "").strip()
    if raw:
        last_evaluation = parse_date(raw)
        if last_evaluation is None:
            errors["last_evaluation"] = N_("Give the last evaluation as a date (YYYY-MM-DD), or leave it empty.")
        elif last_evaluation > today or (start and last_evaluation < start):
            errors["last_evaluation"] = N_("The last evaluation lies between the treatment start and today.")
    errors |= _control_character_errors(form, ("reference", "treatment_start", "last_evaluation"))
    if errors:
        return None, errors
    return ClientInput(reference, clinician_id, start, last_evaluation), {}  # type: ignore[arg-type]  # no errors: set


@dataclass(frozen=True)
class RowError:
    """One problem in an imported CSV file; line 1 is the header."""
    line: int
    message: str
    value: str = ""


def import_too_large(size: int) -> RowError | None:
    """The refusal of an uploaded file of `size` bytes when it is over the import's limit, or None."""
    if size <= IMPORT_MAX_BYTES:
        return None
    return RowError(1, Message(IMPORT_TOO_LARGE, max=IMPORT_MAX_BYTES // (1024 * 1024), rows=IMPORT_MAX_ROWS))


def parse_client_csv(text: str, clinician_ids_by_email: dict[str, int],
                     existing_references: set[str], today: date) -> tuple[list[ClientInput], list[RowError]]:
    """Read `reference,clinician_email,treatment_start,last_evaluation`; all rows or, on any error, none."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if tuple(name.strip() for name in reader.fieldnames or ()) != CSV_COLUMNS:
        return [], [RowError(1,
                             N_("The first line must be: reference,clinician_email,treatment_start,last_evaluation"))]
    rows, errors, seen = [], [], {r.upper() for r in existing_references}
    records = list(reader)
    if len(records) > IMPORT_MAX_ROWS:
        return [], [RowError(1, Message(IMPORT_TOO_MANY, count=len(records), max=IMPORT_MAX_ROWS))]
    for line, raw in enumerate(records, start=2):
        if unseen := _control_characters_in_row(line, raw):
            errors.append(unseen)
            continue
        email = (raw.get("clinician_email") or "").strip().lower()
        form = dict(raw, clinician_id=clinician_ids_by_email.get(email))
        client, field_errors = validate_client(form, set(clinician_ids_by_email.values()), today)
        errors += [RowError(line, message, str(raw.get(field) or ""))
                   for field, message in field_errors.items()]
        if client and client.reference.upper() in seen:
            errors.append(RowError(line, N_("This reference is already in the registry or earlier in the file."),
                                   client.reference))
        elif client:
            seen.add(client.reference.upper())
            rows.append(client)
    if not rows and not errors:
        errors.append(RowError(1, N_("The file holds no clients.")))
    return (rows, []) if not errors else ([], errors)


def _control_characters_in_row(line: int, raw: dict) -> RowError | None:
    row_text = ",".join(str(value) for value in raw.values() if value is not None)
    if not has_control_characters(row_text):
        return None
    return RowError(line, N_("This line contains invisible control characters. Remove them from the file."),
                    shown_safely(row_text))


def _control_character_errors(form: dict, fields: tuple[str, ...]) -> dict:
    # Reported over any other problem of the field: it is the one the user cannot see.
    return {field: CONTROL_CHARACTERS for field in fields if has_control_characters(str(form.get(field) or ""))}


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
