"""Online backups of the live database and putting one back (SQLite's backup API, integrity-checked)."""
import sqlite3
from contextlib import closing
from pathlib import Path


def copy_database(source: str | Path, target: str | Path) -> None:
    """Copy a live database with SQLite's online backup API, then check the copy's integrity."""
    with closing(sqlite3.connect(str(source))) as src, closing(sqlite3.connect(str(target))) as dst:
        src.backup(dst)
        result = dst.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        Path(target).unlink(missing_ok=True)
        raise RuntimeError(f"backup failed its integrity check: {result}")


def integrity(path: str | Path) -> str:
    """SQLite's own check of a database file: "ok", or what is wrong."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def restore(backup_file: str | Path, database_path: str | Path) -> None:
    """Put a backup back in place of the database (run with the app stopped); checks the backup first."""
    with closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as check:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise RuntimeError(f"the backup is damaged: {result}")
    copy_database(backup_file, database_path)
