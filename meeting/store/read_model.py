"""The read model: every table (or column) the store derives from others, what it holds, what it is derived from and
when it is refreshed; and the inputs of each, declared once, from which its triggers are generated.

- The clients' calendar columns (`due_on`, `review_base`, `norm_until`, `legal_until`, `milestone_from`,
  `anniversary`, `last_with_client`, `with_client_due`, `evaluated_until`, `not_yet_due_until`) and each
  evaluation with the client's `covers_until`: the days each client passes, worked out by the core (SQL compares
  them with a day, nothing more). From `CALENDAR_INPUTS`; worked out team by team when stale (below).
- `review_cycles`: per client the stretches of period starts, their due date and next review (day numbers).
  From `CALENDAR_INPUTS`, with the calendar columns.
- `register_steps`: per team the register's counts from each day they change (`calendar.encode_counts`). From
  `CALENDAR_INPUTS`, with the calendar columns.
- `calendar_stale`: the teams whose three above wait to be worked out; a generated trigger per write to
  `CALENDAR_INPUTS` adds the team; `calendar.refresh_stale` empties it at the end of the request that wrote, at a
  meeting's close, and in the scheduler every minute. A GET never stores the calendar: a team still stale (changed
  behind the app's back) is worked out into the connection's temporary database (`calendar.work_out_live`).
- `today_counts`, `today_counted`: per team and clinician the register on the team's today. From the calendar
  columns and the day; counted by the scheduler shortly after each team's midnight; dropped when the team turns
  stale (`TODAY_DROPPED`); a team not counted is counted live, read only (`calendar.counts_today`).
- `reviews_held`: team reviews held per team and day. From `evaluations` (`REVIEWS_HELD`), by its generated
  triggers with every write.
- `meeting_figures`: per closed meeting the counts a dashboard sums. From the meeting's items, bells, borrowed
  minutes, decisions and ratings (meeting.store.figures), once at the close; a later meeting rating adds to its row.

meeting.store.calendar works the calendar out (the core computes every date) and counts today; meeting.store.figures
writes the meeting figures. A date rule in the core that reads a column not declared here would go stale unnoticed:
tests/test_read_model.py records what the core reads and fails on an undeclared input, and compares the triggers
generated here with the database's (a migration installs them, its SQL frozen as text).
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Input:
    """A table the calendar is worked out from: its `columns` read, and how a row names its team (`team`, SQL that
    selects or gives the team id of `{row}`, NEW or OLD). A row inserted or deleted counts only `when` it holds
    (SQL of `{row}`), every row if None."""

    table: str
    columns: tuple[str, ...]
    team: str
    when: str | None = None
    rows_come_and_go: bool = True  # a team's own row (teams) is never an input by being added or removed


CALENDAR_INPUTS = (
    Input("clients", ("team_id", "clinician_id", "status", "treatment_start", "finished_on", "last_evaluation",
                      "next_evaluation_on", "last_continuation_decision"), "VALUES ({row}.team_id)"),
    Input("evaluations", ("team_id", "client_id", "item_id", "held_on", "previous_evaluation"),
          "VALUES ({row}.team_id)"),
    Input("decisions", ("item_id", "next_evaluation_on"), "SELECT team_id FROM meetings WHERE id = {row}.meeting_id",
          when="{row}.next_evaluation_on IS NOT NULL"),
    Input("client_evaluations", ("client_id", "evaluated_on"),
          "SELECT team_id FROM clients WHERE id = {row}.client_id"),
    Input("teams", ("evaluation_interval_months",), "VALUES ({row}.id)", rows_come_and_go=False),
)

# what the core's calendar rules read (meeting.core.evaluations.stored_calendar, meeting.core.register), by class and
# attribute, and the inputs each is made of (meeting.store.calendar builds them); every one of them in
# CALENDAR_INPUTS, and nothing the core reads missing here (tests/test_read_model.py)
CORE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "ClientRecord.treatment_start": (("clients", "treatment_start"),),
    "ClientRecord.status": (("clients", "status"),),
    "ClientRecord.last_evaluation": (("clients", "last_evaluation"),),
    "ClientRecord.next_evaluation_on": (("clients", "next_evaluation_on"),),
    "ClientRecord.last_continuation_decision": (("clients", "last_continuation_decision"),),
    "Timeline.client_id": (("clients", "team_id"),),
    "Timeline.team_id": (("clients", "team_id"),),
    "Timeline.norm_months": (("teams", "evaluation_interval_months"),),
    "Timeline.treatment_start": (("clients", "treatment_start"),),
    "Timeline.finished_on": (("clients", "finished_on"),),
    "Timeline.registered_evaluation": (("clients", "last_evaluation"), ("evaluations", "previous_evaluation"),
                                       ("evaluations", "held_on")),
    "Timeline.reviews": (("evaluations", "client_id"), ("evaluations", "team_id")),
    "Review.held_on": (("evaluations", "held_on"),),
    "Review.agreed_next": (("evaluations", "item_id"), ("decisions", "item_id"), ("decisions", "next_evaluation_on")),
}


@dataclass(frozen=True)
class Rollup:
    """A count per key of a table's rows, kept by triggers on every write: `rollup` (`key` columns and `count`)
    counts the `source` rows by `source_key`."""

    rollup: str
    key: tuple[str, ...]
    count: str
    source: str
    source_key: tuple[str, ...]


REVIEWS_HELD = Rollup("reviews_held", ("team_id", "day"), "held", "evaluations", ("team_id", "held_on"))
TODAY_DROPPED = ("today_counted", "today_counts")  # a team's counts of today go when its calendar turns stale


def triggers() -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER statement) of every trigger that keeps the read model, generated from the lists above."""
    found = []
    for source in CALENDAR_INPUTS:
        found += _stale_triggers(source)
    found += _rollup_triggers(REVIEWS_HELD)
    drops = "\n".join(f"    DELETE FROM {table} WHERE team_id = NEW.team_id;" for table in TODAY_DROPPED)
    found.append(("derived_today_counts_stale",
                  f"CREATE TRIGGER derived_today_counts_stale AFTER INSERT ON calendar_stale BEGIN\n{drops}\nEND"))
    return found


def script() -> str:
    """Every trigger of `triggers`, as one SQL script."""
    return "".join(f"{sql};\n" for _, sql in triggers())


def _stale_triggers(source: Input) -> list[tuple[str, str]]:
    def mark(row: str) -> str:
        return f"    INSERT OR IGNORE INTO calendar_stale {source.team.format(row=row)};"

    def when(row: str) -> str:
        return f" WHEN {source.when.format(row=row)}" if source.when else ""

    name = f"derived_calendar_{source.table}"
    made = []
    if source.rows_come_and_go:
        made += [(f"{name}_added", f"CREATE TRIGGER {name}_added AFTER INSERT ON {source.table}{when('NEW')} BEGIN\n"
                                   f"{mark('NEW')}\nEND"),
                 (f"{name}_removed", f"CREATE TRIGGER {name}_removed AFTER DELETE ON {source.table}{when('OLD')} "
                                     f"BEGIN\n{mark('OLD')}\nEND")]
    made.append((f"{name}_changed", f"CREATE TRIGGER {name}_changed AFTER UPDATE OF {', '.join(source.columns)} "
                                    f"ON {source.table} BEGIN\n{mark('OLD')}\n{mark('NEW')}\nEND"))
    return made


def _rollup_triggers(rollup: Rollup) -> list[tuple[str, str]]:
    def add(row: str) -> str:
        values = ", ".join(f"{row}.{column}" for column in rollup.source_key)
        return (f"    INSERT INTO {rollup.rollup} ({', '.join(rollup.key)}, {rollup.count}) VALUES ({values}, 1)\n"
                f"        ON CONFLICT ({', '.join(rollup.key)}) DO UPDATE SET {rollup.count} = {rollup.count} + 1;")

    def take(row: str) -> str:
        where = " AND ".join(f"{key} = {row}.{column}" for key, column in zip(rollup.key, rollup.source_key))
        return f"    UPDATE {rollup.rollup} SET {rollup.count} = {rollup.count} - 1 WHERE {where};"

    name = f"derived_{rollup.rollup}"
    return [(f"{name}_added", f"CREATE TRIGGER {name}_added AFTER INSERT ON {rollup.source} BEGIN\n{add('NEW')}\nEND"),
            (f"{name}_removed", f"CREATE TRIGGER {name}_removed AFTER DELETE ON {rollup.source} BEGIN\n"
                                f"{take('OLD')}\nEND"),
            (f"{name}_moved", f"CREATE TRIGGER {name}_moved AFTER UPDATE OF {', '.join(rollup.source_key)} "
                              f"ON {rollup.source} BEGIN\n{take('OLD')}\n{add('NEW')}\nEND")]
