#!/usr/bin/env bash
# Plants each rule's violation, one at a time, in a copy of the package and shows which check of
# tests/test_architecture.py fails on it (every line must name at least one). Usage: scripts/plant_architecture_violations.sh
set -u
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
plant() {  # what, file, text appended to it
  rm -rf "$WORK/clone"; mkdir -p "$WORK/clone"; cp -r "$SRC/meeting" "$SRC/tests" "$WORK/clone/"
  printf '%b' "$3" >> "$WORK/clone/$2"
  failed=$(cd "$WORK/clone" && python -m pytest -q -p no:cacheprovider tests/test_architecture.py 2>&1 \
           | grep -E "^FAILED" | sed -e 's/ - .*//' -e 's/^FAILED tests\/test_architecture.py:://' | tr '\n' ' ')
  printf '%-45s %-28s caught by: %s\n' "$1" "$2" "${failed:-NOTHING (a hole)}"
}
plant "relative import of the store in the core" meeting/core/dates.py "\nfrom ..store import db as _planted\n"
plant "importlib.import_module in the core" meeting/core/dates.py "\nimport importlib\n_planted = importlib.import_module('meeting.store.db')\n"
plant "SQL starting with WITH outside the store" meeting/web/views/team.py "\n_PLANTED = 'WITH due AS (SELECT id FROM clients) SELECT * FROM due'\n"
plant "INSERT OR ... outside the store" meeting/web/views/team.py "\n_PLANTED = 'INSERT OR IGNORE INTO calendar_stale VALUES (?)'\n"
plant "REPLACE INTO outside the store" meeting/ops/cli.py "\n_PLANTED = 'REPLACE INTO teams (id, name) VALUES (?, ?)'\n"
plant "Flask imported in the store" meeting/store/teams.py "\nfrom flask import g as _planted\n"
plant "werkzeug imported in the store" meeting/store/teams.py "\nimport werkzeug.exceptions as _planted\n"
plant "meeting.web imported in the store" meeting/store/teams.py "\ndef _planted():\n    from meeting.web import shared\n"
plant "db.execute(q) in a view" meeting/web/views/team.py "\ndef _planted(db, q):\n    return db.execute(q)\n"
plant "db.query(q) in a view" meeting/web/views/team.py "\ndef _planted(db, q):\n    return list(db.query(q))\n"
plant "a view importing meeting.ops" meeting/web/views/team.py "\nfrom meeting.ops import scheduler as _planted\n"
plant "an import circle in the core" meeting/core/dates.py "\ndef _planted():\n    from meeting.core import evaluations\n"
plant "ops importing the app factory" meeting/ops/serve.py "\ndef _planted():\n    from meeting import create_app\n"
plant "a second source of now" meeting/web/shared.py "\ndef _planted():\n    return datetime.now()\n"
