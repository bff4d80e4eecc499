"""Teams, their settings and the roles of their members."""
from meeting.core.teams import DEFAULTS
from meeting.store.db import iso, utcnow


def create_team(db, name: str, **settings) -> int:
    """Insert a team with default settings overridden by `settings`."""
    row = DEFAULTS | settings | {"name": name.strip(), "created_at": iso(utcnow())}
    columns = ", ".join(row)
    return db.execute(f"INSERT INTO teams ({columns}) VALUES ({', '.join('?' * len(row))})",
                      list(row.values())).lastrowid


def get_team(db, team_id: int) -> dict | None:
    """The team row, or None."""
    return next(db.query("SELECT * FROM teams WHERE id = ?", [team_id]), None)


def get_team_by_name(db, name: str) -> dict | None:
    """The team with this name, or None."""
    return next(db.query("SELECT * FROM teams WHERE name = ?", [name]), None)


def list_teams(db) -> list[dict]:
    """All teams with their member count, by name."""
    return list(db.query("""SELECT t.*, count(m.user_id) AS members FROM teams t
        LEFT JOIN memberships m ON m.team_id = t.id GROUP BY t.id ORDER BY t.name"""))


def update_settings(db, team_id: int, values: dict) -> None:
    """Store validated settings."""
    assignments = ", ".join(f"{column} = ?" for column in values)
    db.execute(f"UPDATE teams SET {assignments} WHERE id = ?", [*values.values(), team_id])


def set_role(db, team_id: int, user_id: int, role: str | None) -> None:
    """Give a user a role in the team, or remove them from it (role None)."""
    if role is None:
        db.execute("DELETE FROM memberships WHERE team_id = ? AND user_id = ?", [team_id, user_id])
    else:
        db.execute("INSERT INTO memberships (team_id, user_id, role) VALUES (?, ?, ?)"
                   " ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role",
                   [team_id, user_id, role])


def role_in(db, team_id: int, user_id: int) -> str | None:
    """The user's role in the team, or None when not a member."""
    row = next(db.query("SELECT role FROM memberships WHERE team_id = ? AND user_id = ?",
                        [team_id, user_id]), None)
    return row["role"] if row else None


def teams_of(db, user_id: int) -> list[dict]:
    """The teams a user belongs to, with the user's role, by name."""
    return list(db.query("""SELECT t.*, m.role FROM teams t JOIN memberships m ON m.team_id = t.id
        WHERE m.user_id = ? ORDER BY t.name""", [user_id]))


def members(db, team_id: int) -> list[dict]:
    """Active and inactive members of a team with their role, by name."""
    return list(db.query("""SELECT u.id, u.name, u.email, u.active, m.role FROM users u
        JOIN memberships m ON m.user_id = u.id WHERE m.team_id = ? ORDER BY u.name""", [team_id]))
