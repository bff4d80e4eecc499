"""The requests' connection pool (meeting.store.db.Pool): a connection is reused between requests, comes back
with nothing left open, and the pool keeps no more than its size."""
import os
import sqlite3

import pytest

from meeting.store import db as database


def test_a_connection_given_back_is_the_next_one_taken(app):
    pool = database.Pool(app.config["DATABASE"])
    first = pool.take()
    pool.give_back(first)
    assert pool.take() is first


def test_what_a_request_left_uncommitted_is_rolled_back_before_the_next_one_uses_it(app, db):
    pool = database.Pool(app.config["DATABASE"])
    connection = pool.take()
    connection.conn.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO teams (name, created_at) VALUES ('Half-written', '2026-01-01')")
    pool.give_back(connection)  # as a request that failed between its writes
    again = pool.take()
    assert again is connection and not again.conn.in_transaction
    assert db.execute("SELECT count(*) FROM teams WHERE name = 'Half-written'").fetchone()[0] == 0
    with database.write(again):  # and the write lock is free for the next request
        again.execute("INSERT INTO teams (name, created_at) VALUES ('Whole', '2026-01-01')")
    assert db.execute("SELECT count(*) FROM teams WHERE name = 'Whole'").fetchone()[0] == 1


def test_the_pool_keeps_at_most_its_size_and_closes_the_rest(app):
    pool = database.Pool(app.config["DATABASE"], size=2)
    taken = [pool.take() for _ in range(4)]
    assert len({id(c) for c in taken}) == 4  # none shared while in use
    for connection in taken:
        pool.give_back(connection)
    assert [pool.take(), pool.take()] == [taken[1], taken[0]]  # the most recently given back first
    for closed in taken[2:]:  # no room left for these when they came back
        with pytest.raises(sqlite3.ProgrammingError):
            closed.execute("SELECT 1")
    assert all(pool.take() is not c for c in taken)


def test_a_forked_process_opens_its_own(app, monkeypatch):
    pool = database.Pool(app.config["DATABASE"])
    parents = pool.take()
    pool.give_back(parents)
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as a gunicorn worker after the fork
    assert pool.take() is not parents
