"""The institution's sign-in policy: one row."""

SETTINGS = ("name", "second_factor_required", "sso_creates_accounts", "local_passwords")


def get(db) -> dict:
    """The institution's settings."""
    return next(db.query("SELECT * FROM institution WHERE id = 1"))


def update(db, **values) -> None:
    """Change some of the settings (names from SETTINGS)."""
    changes = {k: v for k, v in values.items() if k in SETTINGS}
    if changes:
        db.execute("UPDATE institution SET " + ", ".join(f"{k} = ?" for k in changes) + " WHERE id = 1",
                   list(changes.values()))
