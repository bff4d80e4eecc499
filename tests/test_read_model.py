"""The read model has one owner (meeting.store.read_model): the database's triggers are the ones generated from its
declared inputs, and every field the core's calendar rules read is declared, so a new input cannot go stale
unnoticed."""
import re
import types
from dataclasses import fields
from datetime import date
from functools import cached_property

from hypothesis import given, settings
from hypothesis import strategies as st

from meeting.core import evaluations, register
from meeting.store import read_model
from meeting.store.db import connect, prepare

DERIVED_TABLES = ("calendar_stale", "reviews_held", "today_counts", "today_counted")


def words(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def test_the_databases_triggers_are_generated_from_the_declared_inputs(tmp_path):
    prepare(tmp_path / "db.sqlite3")
    db = connect(tmp_path / "db.sqlite3")
    stored = {name: words(sql)
              for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    generated = {name: words(sql) for name, sql in read_model.triggers()}
    assert {name: stored.get(name) for name in generated} == generated
    # and no other trigger keeps a derived table
    others = {name for name, sql in stored.items() if name not in generated
              and any(re.search(rf"\b{table}\b", sql) for table in DERIVED_TABLES)}
    assert others == set()


def test_every_input_the_core_reads_is_declared():
    declared = {(source.table, column) for source in read_model.CALENDAR_INPUTS for column in source.columns}
    assert {field: set(made_of) - declared for field, made_of in read_model.CORE_FIELDS.items()
            if not set(made_of) <= declared} == {}


class Recorder:
    """Stands in for a record of the core and notes each attribute read (as Class.attribute); a method runs with the
    recorder as its self, so what it reads is noted too."""

    def __init__(self, record, read: set[str], wrap=lambda value: value):
        self._record, self._read, self._wrap = record, read, wrap

    def __getattr__(self, name):
        kind = type(self._record)
        attribute = getattr(kind, name, None)
        if callable(attribute):
            return types.MethodType(attribute, self)
        if isinstance(attribute, (property, cached_property)):  # worked out from what it reads, on the recorder
            return (attribute.fget if isinstance(attribute, property) else attribute.func)(self)
        self._read.add(f"{kind.__name__}.{name}")
        return self._wrap(getattr(self._record, name))


DAYS = st.dates(date(2018, 1, 1), date(2027, 12, 31))


@settings(max_examples=200, deadline=None)
@given(DAYS, st.none() | DAYS, st.none() | DAYS, st.none() | DAYS, st.none() | DAYS,
       st.lists(st.tuples(DAYS, st.none() | DAYS), max_size=4), st.sampled_from(["active", "finished"]))
def test_the_core_reads_no_client_or_review_field_that_is_not_declared(start, last, agreed, continued, finished,
                                                                       reviews, status):
    read: set[str] = set()
    client = evaluations.ClientRecord("R-1", 1, start, status, last, continued, None, agreed)
    evaluations.stored_calendar(Recorder(client, read), 6)
    timeline = register.Timeline(1, "R-1", 1, 6, start, finished, last,
                                 tuple(register.Review(held, next_on)
                                       for held, next_on in sorted(reviews, key=lambda r: r[0])))

    def reviews_recorded(value):
        return tuple(Recorder(r, read) for r in value) if isinstance(value, tuple) else value
    recorded = Recorder(timeline, read, reviews_recorded)
    register.register_steps([recorded])
    list(recorded.cycles())
    assert read - set(read_model.CORE_FIELDS) == set()


def test_the_recorder_sees_what_the_core_reads():
    """The check above can fail: a rule reading a field (here the reference, an identifier) is noted."""
    read: set[str] = set()
    client = evaluations.ClientRecord("R-1", 1, date(2024, 1, 1))
    assert Recorder(client, read).reference == "R-1" and read == {"ClientRecord.reference"}
    assert {field.name for field in fields(evaluations.ClientRecord)} >= {
        name.split(".")[1] for name in read_model.CORE_FIELDS if name.startswith("ClientRecord.")}
