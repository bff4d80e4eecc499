"""The schema, as numbered sqlite-utils migrations. Never edit one that has been applied: add one."""
import json
import re
import sqlite3

from sqlite_utils import Migrations

migrations = Migrations("belletje")


def run_statements(db, script: str) -> None:
    """Run `script` statement by statement inside the migration's transaction.

    sqlite3's executescript() would COMMIT first and so break the migration's atomicity.
    """
    for statement in split_statements(script):
        db.execute(statement)


def split_statements(script: str) -> list[str]:
    """Split SQL on semicolons that end a statement (a trigger body's END; included)."""
    statements, current = [], ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n;"):
                statements.append(current.strip())
            current = ""
    return statements


@migrations(name="0001_accounts_teams_clients_access_log")
def accounts_teams_clients_access_log(db):
    """Users, teams with their settings, roles per team, the client registry and the access log."""
    run_statements(db, """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL,
        password_hash TEXT,
        session_token TEXT NOT NULL,
        locale TEXT,
        is_admin INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        set_password_token TEXT UNIQUE,
        set_password_expires_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE teams (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        meeting_weekday INTEGER NOT NULL DEFAULT 1 CHECK (meeting_weekday BETWEEN 0 AND 6),
        meeting_start TEXT NOT NULL DEFAULT '13:30',
        meeting_minutes INTEGER NOT NULL DEFAULT 90,
        acute_budget INTEGER NOT NULL DEFAULT 30,
        regular_budget INTEGER NOT NULL DEFAULT 60,
        order_policy TEXT NOT NULL DEFAULT 'acute_first'
            CHECK (order_policy IN ('acute_first', 'regular_first')),
        evaluation_interval_months INTEGER NOT NULL DEFAULT 6,
        submission_deadline_hours INTEGER NOT NULL DEFAULT 24,
        timezone TEXT NOT NULL DEFAULT 'Europe/Amsterdam',
        minutes_announcement INTEGER NOT NULL DEFAULT 2,
        minutes_question INTEGER NOT NULL DEFAULT 5,
        minutes_issue INTEGER NOT NULL DEFAULT 10,
        auto_add_due_reviews INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE memberships (
        team_id INTEGER NOT NULL REFERENCES teams(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        role TEXT NOT NULL CHECK (role IN ('member', 'chair', 'manager')),
        PRIMARY KEY (team_id, user_id)
    );
    CREATE INDEX memberships_by_user ON memberships(user_id);
    CREATE TABLE clients (
        id INTEGER PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES teams(id),
        reference TEXT NOT NULL,
        clinician_id INTEGER NOT NULL REFERENCES users(id),
        treatment_start TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'finished')),
        last_evaluation TEXT,
        finished_on TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (team_id, reference)
    );
    CREATE INDEX clients_by_clinician ON clients(clinician_id);
    CREATE TABLE access_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user_id INTEGER REFERENCES users(id),
        team_id INTEGER REFERENCES teams(id),
        client_id INTEGER REFERENCES clients(id),
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        ip TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX access_log_by_client ON access_log(client_id, at);
    CREATE INDEX access_log_by_user ON access_log(user_id, at);
    CREATE INDEX access_log_by_time ON access_log(at);
    CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
        BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
    CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
        BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
    """)


@migrations(name="0002_meetings_items")
def meetings_items(db):
    """Meetings from the weekly schedule, with their own budgets, and the items brought in."""
    run_statements(db, """
    ALTER TABLE clients ADD COLUMN last_continuation_decision TEXT;
    ALTER TABLE clients ADD COLUMN colleague_invited_at TEXT;
    CREATE TABLE meetings (
        id INTEGER PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES teams(id),
        starts_at TEXT NOT NULL,
        deadline_at TEXT NOT NULL,
        minutes INTEGER NOT NULL,
        acute_budget INTEGER NOT NULL,
        regular_budget INTEGER NOT NULL,
        order_policy TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'planned'
            CHECK (state IN ('planned', 'frozen', 'running', 'closed', 'cancelled')),
        scheduled_for TEXT,
        is_extra INTEGER NOT NULL DEFAULT 0,
        revision INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        UNIQUE (team_id, scheduled_for)
    );
    CREATE INDEX meetings_by_team_start ON meetings(team_id, starts_at);
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        team_id INTEGER NOT NULL REFERENCES teams(id),
        presenter_id INTEGER NOT NULL REFERENCES users(id),
        client_id INTEGER REFERENCES clients(id),
        track TEXT NOT NULL CHECK (track IN ('acute', 'regular')),
        label TEXT NOT NULL CHECK (label IN ('announcement', 'question', 'issue')),
        title TEXT NOT NULL,
        need TEXT NOT NULL,
        current_state TEXT NOT NULL DEFAULT '',
        request_and_start TEXT NOT NULL DEFAULT '',
        tried_towards_finishing TEXT NOT NULL DEFAULT '',
        finishing_hard TEXT NOT NULL DEFAULT '',
        minutes INTEGER NOT NULL CHECK (minutes > 0),
        position INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'withdrawn', 'deferred', 'decided')),
        late INTEGER NOT NULL DEFAULT 0,
        carried_over INTEGER NOT NULL DEFAULT 0,
        deferred_reason TEXT,
        origin_item_id INTEGER REFERENCES items(id),
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX items_by_meeting ON items(meeting_id, track, position);
    CREATE INDEX items_by_presenter ON items(presenter_id);
    CREATE INDEX items_by_client ON items(client_id);
    """)


@migrations(name="0003_running_meetings")
def running_meetings(db):
    """The running meeting: clock events, bells, borrowed minutes, decisions, actions, evaluations, ratings."""
    run_statements(db, """
    ALTER TABLE meetings ADD COLUMN phase TEXT NOT NULL DEFAULT 'look_back';
    ALTER TABLE meetings ADD COLUMN current_item_id INTEGER REFERENCES items(id);
    ALTER TABLE meetings ADD COLUMN started_at TEXT;
    ALTER TABLE meetings ADD COLUMN ended_at TEXT;
    ALTER TABLE clients ADD COLUMN next_evaluation_on TEXT;
    CREATE TABLE clock_events (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES items(id),
        kind TEXT NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'extend', 'end')),
        at TEXT NOT NULL,
        seconds INTEGER NOT NULL DEFAULT 0,
        user_id INTEGER REFERENCES users(id)
    );
    CREATE INDEX clock_events_by_item ON clock_events(item_id, id);
    CREATE TABLE borrowings (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        from_track TEXT NOT NULL CHECK (from_track IN ('acute', 'regular')),
        minutes INTEGER NOT NULL CHECK (minutes > 0),
        user_id INTEGER REFERENCES users(id),
        at TEXT NOT NULL
    );
    CREATE INDEX borrowings_by_meeting ON borrowings(meeting_id);
    CREATE TABLE bells (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        item_id INTEGER REFERENCES items(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        reason TEXT,
        at TEXT NOT NULL,
        acknowledged_at TEXT
    );
    CREATE INDEX bells_by_meeting ON bells(meeting_id, id);
    CREATE INDEX bells_by_user ON bells(user_id, at);
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL UNIQUE REFERENCES items(id),
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        announcement_outcome TEXT,
        answer TEXT NOT NULL DEFAULT '',
        outcome TEXT,
        decision TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        needs_met TEXT,
        worded_by TEXT,
        next_evaluation_on TEXT,
        continuation_answer TEXT NOT NULL DEFAULT '',
        colleague_invited TEXT,
        exemplary_situation TEXT,
        decided_by INTEGER REFERENCES users(id),
        decided_at TEXT NOT NULL
    );
    CREATE INDEX decisions_by_meeting ON decisions(meeting_id);
    CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        decision_id INTEGER NOT NULL REFERENCES decisions(id),
        team_id INTEGER NOT NULL REFERENCES teams(id),
        description TEXT NOT NULL,
        owner_id INTEGER NOT NULL REFERENCES users(id),
        due_on TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'not_done', 'moved')),
        reviewed_meeting_id INTEGER REFERENCES meetings(id),
        reviewed_at TEXT
    );
    CREATE INDEX actions_by_team_status ON actions(team_id, status);
    CREATE TABLE evaluations (
        id INTEGER PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES teams(id),
        client_id INTEGER NOT NULL REFERENCES clients(id),
        item_id INTEGER NOT NULL UNIQUE REFERENCES items(id),
        clinician_id INTEGER NOT NULL REFERENCES users(id),
        held_on TEXT NOT NULL,
        outcome TEXT NOT NULL,
        next_evaluation_on TEXT
    );
    CREATE INDEX evaluations_by_team_day ON evaluations(team_id, held_on);
    CREATE INDEX evaluations_by_client ON evaluations(client_id, held_on);
    CREATE TABLE ratings (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        kept_process INTEGER NOT NULL CHECK (kept_process BETWEEN 1 AND 5),
        ended_in_decisions INTEGER NOT NULL CHECK (ended_in_decisions BETWEEN 1 AND 5),
        time_well_spent INTEGER NOT NULL CHECK (time_well_spent BETWEEN 1 AND 5),
        at TEXT NOT NULL,
        UNIQUE (meeting_id, user_id)
    );
    """)


@migrations(name="0004_reports_and_scheduler")
def reports_and_scheduler(db):
    """Used seconds kept on closed items for reports, idempotent job runs, in-app notices, report indexes."""
    run_statements(db, """
    ALTER TABLE items ADD COLUMN used_seconds INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE evaluations ADD COLUMN previous_evaluation TEXT;
    CREATE TABLE job_runs (
        id INTEGER PRIMARY KEY,
        job TEXT NOT NULL,
        period TEXT NOT NULL,
        ran_at TEXT NOT NULL,
        result TEXT NOT NULL DEFAULT '',
        UNIQUE (job, period)
    );
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        team_id INTEGER NOT NULL REFERENCES teams(id),
        message TEXT NOT NULL,
        params TEXT NOT NULL DEFAULT '{}',
        link TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        read_at TEXT
    );
    CREATE INDEX notifications_unread ON notifications(user_id, read_at);
    CREATE INDEX evaluations_by_clinician ON evaluations(clinician_id, held_on);
    CREATE INDEX clients_by_team_status ON clients(team_id, status);
    CREATE INDEX bells_by_item ON bells(item_id);
    CREATE INDEX meetings_by_state_deadline ON meetings(state, deadline_at);
    """)


@migrations(name="0005_report_indexes")
def report_indexes(db):
    """Closed meetings of several teams found by team and state, covering the dashboard's subqueries.

    Without it a dashboard over more teams (team_id IN (...)) reads every closed meeting via meetings_by_state_deadline.
    """
    run_statements(db, """
    CREATE INDEX meetings_by_team_state_start ON meetings(team_id, state, starts_at);
    """)


@migrations(name="0006_login_failures_per_address")
def login_failures_per_address(db):
    """Wrong passwords counted per account and address, so a stranger's guesses slow only the stranger.

    The account-wide lock (failed_logins, locked_until) goes: anyone could keep anyone locked out with it.
    """
    run_statements(db, """
    CREATE TABLE login_failures (
        email TEXT NOT NULL COLLATE NOCASE,
        address TEXT NOT NULL,
        failures INTEGER NOT NULL,
        last_failed_at TEXT NOT NULL,
        PRIMARY KEY (email, address)
    );
    CREATE INDEX login_failures_by_time ON login_failures(last_failed_at);
    ALTER TABLE users DROP COLUMN failed_logins;
    ALTER TABLE users DROP COLUMN locked_until;
    """)


@migrations(name="0007_meeting_overrides")
def meeting_overrides(db):
    """A chair's length, budgets or order for one meeting only (NULL: the meeting follows the team).

    Meetings keep their own copy of the team's settings (a frozen or closed meeting never changes under
    the chair); the copy of a meeting not yet frozen follows every change of the team's settings, except
    what an override holds.
    """
    run_statements(db, """
    ALTER TABLE meetings ADD COLUMN minutes_override INTEGER;
    ALTER TABLE meetings ADD COLUMN acute_budget_override INTEGER;
    ALTER TABLE meetings ADD COLUMN regular_budget_override INTEGER;
    ALTER TABLE meetings ADD COLUMN order_policy_override TEXT
        CHECK (order_policy_override IN ('acute_first', 'regular_first'));
    """)


@migrations(name="0008_access_views")
def access_views(db):
    """What each person last saw of a meeting's clients, per access point (NEN 7513 without the noise).

    A live screen re-rendered on every change used to write an access-log row per screen per change; now each
    client is logged once per person, meeting, access point and day (`seen` holds "day|id,id,..").
    """
    run_statements(db, """
    CREATE TABLE access_views (
        user_id INTEGER NOT NULL REFERENCES users(id),
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        ip TEXT NOT NULL,
        seen TEXT NOT NULL,
        PRIMARY KEY (user_id, meeting_id, ip)
    ) WITHOUT ROWID;
    """)


@migrations(name="0009_actions_follow_through_and_look_ahead")
def actions_follow_through_and_look_ahead(db):
    """Actions stay open until done: each look back is kept as a review (a move with its new date).

    "Not done" and "moved" used to close an action for good; they are reviews, the action goes on.
    The meeting ends with a look ahead: the chair's note (absences) and what was carried, kept for the minutes.
    """
    run_statements(db, """
    CREATE TABLE action_reviews (
        id INTEGER PRIMARY KEY,
        action_id INTEGER NOT NULL REFERENCES actions(id),
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        status TEXT NOT NULL CHECK (status IN ('done', 'not_done', 'moved')),
        due_before TEXT NOT NULL,
        due_after TEXT,
        user_id INTEGER REFERENCES users(id),
        at TEXT NOT NULL,
        UNIQUE (action_id, meeting_id)
    );
    CREATE INDEX action_reviews_by_meeting ON action_reviews(meeting_id);
    INSERT INTO action_reviews (action_id, meeting_id, status, due_before, at)
        SELECT id, reviewed_meeting_id, status, due_on, coalesce(reviewed_at, '')
        FROM actions WHERE status != 'open' AND reviewed_meeting_id IS NOT NULL;
    UPDATE actions SET status = 'open' WHERE status IN ('not_done', 'moved');
    CREATE INDEX actions_by_owner_status ON actions(owner_id, status, due_on);
    ALTER TABLE meetings ADD COLUMN look_ahead_note TEXT NOT NULL DEFAULT '';
    ALTER TABLE meetings ADD COLUMN look_ahead TEXT;
    """)


@migrations(name="0010_substance_of_the_review")
def substance_of_the_review(db):
    """What the review is about reaches the room: whose input an item asks for, a finish announced for the
    consent block, the prepared evaluation with the client; the evaluation with the client as recorded at a
    decision, external consultations and their answers, and the session rating on four dimensions.

    The old three-statement `ratings` stay as they were, for the history; new ratings go to `session_ratings`,
    without who rated (that is in `session_raters`, only to refuse a second rating).
    """
    run_statements(db, """
    ALTER TABLE items ADD COLUMN input_from TEXT NOT NULL DEFAULT '';
    ALTER TABLE items ADD COLUMN input_kind TEXT CHECK (input_kind IN ('advice', 'decision', 'second_opinion'));
    ALTER TABLE items ADD COLUMN proposed_outcome TEXT CHECK (proposed_outcome IN ('finish'));
    ALTER TABLE items ADD COLUMN evaluation_prep TEXT NOT NULL DEFAULT '';
    CREATE TABLE client_evaluations (
        id INTEGER PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES teams(id),
        client_id INTEGER NOT NULL REFERENCES clients(id),
        item_id INTEGER NOT NULL UNIQUE REFERENCES items(id),
        decision_id INTEGER NOT NULL UNIQUE REFERENCES decisions(id),
        clinician_id INTEGER NOT NULL REFERENCES users(id),
        evaluated_on TEXT,
        relatives_invited TEXT CHECK (relatives_invited IN ('yes', 'no')),
        relatives_present TEXT CHECK (relatives_present IN ('yes', 'no')),
        client_view TEXT NOT NULL DEFAULT '',
        rom_done TEXT CHECK (rom_done IN ('yes', 'no')),
        rom_personal TEXT CHECK (rom_personal IN ('better', 'same', 'worse', 'not_measured')),
        rom_social TEXT CHECK (rom_social IN ('better', 'same', 'worse', 'not_measured')),
        rom_symptomatic TEXT CHECK (rom_symptomatic IN ('better', 'same', 'worse', 'not_measured')),
        somatic_screening_on TEXT,
        agreements TEXT NOT NULL DEFAULT '',
        recorded_by INTEGER REFERENCES users(id),
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX client_evaluations_by_client ON client_evaluations(client_id, evaluated_on);
    CREATE INDEX client_evaluations_by_team ON client_evaluations(team_id, evaluated_on);
    CREATE TABLE consultations (
        id INTEGER PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES teams(id),
        client_id INTEGER REFERENCES clients(id),
        item_id INTEGER NOT NULL UNIQUE REFERENCES items(id),
        decision_id INTEGER NOT NULL UNIQUE REFERENCES decisions(id),
        presenter_id INTEGER NOT NULL REFERENCES users(id),
        question TEXT NOT NULL,
        asked_of TEXT NOT NULL,
        asked_on TEXT NOT NULL,
        answer TEXT,
        answered_on TEXT,
        answered_by INTEGER REFERENCES users(id),
        answer_item_id INTEGER REFERENCES items(id)
    );
    CREATE INDEX consultations_by_team ON consultations(team_id, answered_on);
    CREATE TABLE session_ratings (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        heard INTEGER NOT NULL CHECK (heard BETWEEN 1 AND 5),
        goals INTEGER NOT NULL CHECK (goals BETWEEN 1 AND 5),
        approach INTEGER NOT NULL CHECK (approach BETWEEN 1 AND 5),
        overall INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
        change_next TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX session_ratings_by_meeting ON session_ratings(meeting_id);
    CREATE TABLE session_raters (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (meeting_id, user_id)
    );
    """)


@migrations(name="0011_complex_case_sessions_and_handovers")
def complex_case_sessions_and_handovers(db):
    """The complex-case session (a meeting of its own kind whose five steps are timed items) with its case,
    worksheet cards, insights and options; and the step-down handover with its checklist.

    A session is a row in `meetings` so that the clock events, the bell, the revision that drives the live
    channel and the decision all serve it unchanged; `items.step` marks its steps. The weekly reports filter
    on kind, so their index covers it (else every closed meeting is read from the table).
    """
    run_statements(db, """
    ALTER TABLE meetings ADD COLUMN kind TEXT NOT NULL DEFAULT 'weekly' CHECK (kind IN ('weekly', 'complex_case'));
    CREATE INDEX meetings_by_team_kind_state_start ON meetings(team_id, kind, state, starts_at);
    ALTER TABLE items ADD COLUMN step TEXT;
    CREATE TABLE case_sessions (
        meeting_id INTEGER PRIMARY KEY REFERENCES meetings(id),
        team_id INTEGER NOT NULL REFERENCES teams(id),
        client_id INTEGER NOT NULL REFERENCES clients(id),
        presenter_id INTEGER NOT NULL REFERENCES users(id),
        colleague_id INTEGER REFERENCES users(id),
        external_colleague TEXT NOT NULL DEFAULT '',
        request_and_start TEXT NOT NULL DEFAULT '',
        tried_towards_finishing TEXT NOT NULL DEFAULT '',
        finishing_hard TEXT NOT NULL DEFAULT '',
        prepared_at TEXT
    );
    CREATE INDEX case_sessions_by_team ON case_sessions(team_id);
    CREATE TABLE session_cards (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        team_id INTEGER NOT NULL REFERENCES teams(id),
        step TEXT NOT NULL,
        level TEXT CHECK (level IN ('clinician', 'patient', 'organisation')),
        text TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id),
        at TEXT NOT NULL
    );
    CREATE INDEX session_cards_by_meeting ON session_cards(meeting_id, step, id);
    CREATE UNIQUE INDEX session_insights_one_per_person ON session_cards(meeting_id, step, user_id)
        WHERE level IS NULL;
    CREATE TABLE handovers (
        id INTEGER PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES teams(id),
        client_id INTEGER NOT NULL REFERENCES clients(id),
        decision_id INTEGER NOT NULL UNIQUE REFERENCES decisions(id),
        outcome TEXT NOT NULL CHECK (outcome IN ('step_down', 'finish')),
        opened_on TEXT NOT NULL,
        receiving_care TEXT,
        warm_meeting_on TEXT,
        warm_attendees TEXT NOT NULL DEFAULT '',
        new_care_starts_on TEXT,
        last_contact_on TEXT,
        client_left_on TEXT,
        done_on TEXT,
        version INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX handovers_by_team ON handovers(team_id, done_on);
    CREATE INDEX handovers_by_client ON handovers(client_id);
    CREATE TABLE handover_points (
        handover_id INTEGER NOT NULL REFERENCES handovers(id),
        point TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'not_applicable')),
        note TEXT NOT NULL DEFAULT '',
        user_id INTEGER REFERENCES users(id),
        at TEXT,
        PRIMARY KEY (handover_id, point)
    );
    ALTER TABLE items ADD COLUMN handover_id INTEGER REFERENCES handovers(id);
    CREATE INDEX items_by_handover ON items(handover_id) WHERE handover_id IS NOT NULL;
    """)


@migrations(name="0012_meeting_figures")
def meeting_figures(db):
    """Per-meeting figures written once when a meeting closes (meeting.store.figures), so that the dashboards
    sum one row per meeting instead of reading every item, bell and decision of the period on every view.
    `day` is the meeting's local date, compared as text in ranges an index serves. A meeting closed before this
    migration gets its row from the figures' owner once the database is migrated (`figures.write_missing`)."""
    run_statements(db, """
    CREATE TABLE meeting_figures (
        meeting_id INTEGER PRIMARY KEY REFERENCES meetings(id),
        team_id INTEGER NOT NULL REFERENCES teams(id),
        kind TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        day TEXT NOT NULL,
        minutes INTEGER NOT NULL DEFAULT 0, acute_budget INTEGER NOT NULL DEFAULT 0,
        regular_budget INTEGER NOT NULL DEFAULT 0, items_acute_announcement INTEGER NOT NULL DEFAULT 0,
        items_acute_question INTEGER NOT NULL DEFAULT 0, items_acute_issue INTEGER NOT NULL DEFAULT 0,
        items_regular_announcement INTEGER NOT NULL DEFAULT 0, items_regular_question INTEGER NOT NULL DEFAULT 0,
        items_regular_issue INTEGER NOT NULL DEFAULT 0, acute_planned_seconds INTEGER NOT NULL DEFAULT 0,
        acute_used_seconds INTEGER NOT NULL DEFAULT 0, regular_planned_seconds INTEGER NOT NULL DEFAULT 0,
        regular_used_seconds INTEGER NOT NULL DEFAULT 0, discussed INTEGER NOT NULL DEFAULT 0,
        decided INTEGER NOT NULL DEFAULT 0, deferred INTEGER NOT NULL DEFAULT 0,
        deferred_again INTEGER NOT NULL DEFAULT 0, bells INTEGER NOT NULL DEFAULT 0,
        borrowed_minutes INTEGER NOT NULL DEFAULT 0, tag_self_harm INTEGER NOT NULL DEFAULT 0,
        tag_aggression INTEGER NOT NULL DEFAULT 0, tag_self_neglect INTEGER NOT NULL DEFAULT 0,
        tag_socially_transgressive INTEGER NOT NULL DEFAULT 0, tag_other INTEGER NOT NULL DEFAULT 0,
        old_raters INTEGER NOT NULL DEFAULT 0, raters INTEGER NOT NULL DEFAULT 0,
        kept_process_sum INTEGER, ended_in_decisions_sum INTEGER, time_well_spent_sum INTEGER, heard_sum INTEGER,
        goals_sum INTEGER, approach_sum INTEGER, overall_sum INTEGER
    );
    CREATE INDEX meeting_figures_by_team_kind_day ON meeting_figures(team_id, kind, day);
    """)


@migrations(name="0013_stored_calendar")
def stored_calendar(db):
    """Each team's calendar, stored as dates the core works out (meeting.store.calendar): per client the dates it
    passes (and its last evaluation with the client), per client the stretches of period starts with their due date and
    next review, per team the
    register's counts from every day they change. Triggers mark a team stale whenever anything its dates depend
    on is written; every team is marked stale here, and the calendar's owner works it out before it is read. Each
    meeting's figures add the minutes its regular budget spent on anything but a review (the capacity line's pace)."""
    run_statements(db, """
    ALTER TABLE clients ADD COLUMN due_on TEXT;
    ALTER TABLE clients ADD COLUMN review_base TEXT;
    ALTER TABLE clients ADD COLUMN norm_until TEXT;
    ALTER TABLE clients ADD COLUMN legal_until TEXT;
    ALTER TABLE clients ADD COLUMN milestone_from TEXT;
    ALTER TABLE clients ADD COLUMN anniversary TEXT;
    ALTER TABLE clients ADD COLUMN last_with_client TEXT;
    CREATE INDEX clients_due ON clients(team_id, status, due_on);
    CREATE INDEX clients_now ON clients(team_id, status, clinician_id, due_on, norm_until);
    CREATE INDEX clients_milestones ON clients(team_id, status, milestone_from, anniversary);
    CREATE INDEX clients_in_treatment ON clients(team_id, clinician_id, treatment_start, finished_on, last_with_client);
    DROP INDEX evaluations_by_team_day;
    CREATE INDEX evaluations_by_team_day ON evaluations(team_id, held_on, clinician_id);
    CREATE TABLE review_cycles (  -- days as the core's day numbers (date.toordinal): compared, never computed
        team_id INTEGER NOT NULL REFERENCES teams(id),
        last_start INTEGER NOT NULL,
        client_id INTEGER NOT NULL REFERENCES clients(id),
        first_start INTEGER NOT NULL,
        due INTEGER NOT NULL,
        next_review INTEGER,
        treatment_start INTEGER NOT NULL,
        finished_on INTEGER,
        PRIMARY KEY (team_id, last_start, client_id)
    ) WITHOUT ROWID;
    CREATE TABLE register_steps (
        team_id INTEGER NOT NULL REFERENCES teams(id),
        day TEXT NOT NULL,
        counts INTEGER NOT NULL,  -- active, within the norm, within 12 months: meeting.store.calendar.pack
        PRIMARY KEY (team_id, day)
    ) WITHOUT ROWID;
    CREATE TABLE calendar_stale (team_id INTEGER PRIMARY KEY);
    CREATE TRIGGER calendar_client_added AFTER INSERT ON clients BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (NEW.team_id); END;
    CREATE TRIGGER calendar_client_removed AFTER DELETE ON clients BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (OLD.team_id); END;
    CREATE TRIGGER calendar_client_changed AFTER UPDATE OF team_id, status, treatment_start, finished_on,
        last_evaluation, next_evaluation_on, last_continuation_decision ON clients BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (OLD.team_id);
        INSERT OR IGNORE INTO calendar_stale VALUES (NEW.team_id); END;
    CREATE TRIGGER calendar_review_added AFTER INSERT ON evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (NEW.team_id); END;
    CREATE TRIGGER calendar_review_removed AFTER DELETE ON evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (OLD.team_id); END;
    CREATE TRIGGER calendar_review_changed AFTER UPDATE ON evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (OLD.team_id);
        INSERT OR IGNORE INTO calendar_stale VALUES (NEW.team_id); END;
    CREATE TRIGGER calendar_agreed_next_added AFTER INSERT ON decisions WHEN NEW.next_evaluation_on IS NOT NULL BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM meetings WHERE id = NEW.meeting_id; END;
    CREATE TRIGGER calendar_agreed_next_changed AFTER UPDATE OF next_evaluation_on, item_id ON decisions BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM meetings WHERE id IN (OLD.meeting_id, NEW.meeting_id); END;
    CREATE TRIGGER calendar_agreed_next_removed AFTER DELETE ON decisions WHEN OLD.next_evaluation_on IS NOT NULL BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM meetings WHERE id = OLD.meeting_id; END;
    CREATE TRIGGER calendar_with_client_added AFTER INSERT ON client_evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM clients WHERE id = NEW.client_id; END;
    CREATE TRIGGER calendar_with_client_removed AFTER DELETE ON client_evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM clients WHERE id = OLD.client_id; END;
    CREATE TRIGGER calendar_with_client_changed AFTER UPDATE OF client_id, evaluated_on ON client_evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM clients WHERE id IN (OLD.client_id, NEW.client_id); END;
    CREATE TRIGGER calendar_norm_changed AFTER UPDATE OF evaluation_interval_months ON teams BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (NEW.id); END;
    ALTER TABLE meeting_figures ADD COLUMN other_regular_minutes INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX meeting_figures_recent ON meeting_figures(team_id, starts_at, other_regular_minutes);
    UPDATE meeting_figures SET other_regular_minutes = (SELECT coalesce(sum(i.minutes) FILTER (WHERE e.id IS NULL), 0)
        FROM items i LEFT JOIN evaluations e ON e.item_id = i.id WHERE i.meeting_id = meeting_figures.meeting_id
        AND i.track = 'regular' AND i.state IN ('decided', 'deferred'));
    INSERT OR IGNORE INTO calendar_stale SELECT id FROM teams;
    """)


@migrations(name="0014_dashboard_rollups")
def dashboard_rollups(db):
    """Two rollups, so a dashboard over many teams reads rows per team and day, not per client or review:
    the team reviews held per team and day (kept by triggers on every write to the reviews), and today's
    register per team and clinician (worked out once a day, dropped by a trigger whenever the team's calendar
    turns stale; meeting.store.calendar.count_today). A client's new clinician marks the team stale too."""
    run_statements(db, """
    CREATE TABLE reviews_held (
        team_id INTEGER NOT NULL REFERENCES teams(id),
        day TEXT NOT NULL,
        held INTEGER NOT NULL,
        PRIMARY KEY (team_id, day)
    ) WITHOUT ROWID;
    INSERT INTO reviews_held (team_id, day, held)
        SELECT team_id, held_on, count(*) FROM evaluations GROUP BY team_id, held_on;
    CREATE TRIGGER reviews_held_added AFTER INSERT ON evaluations BEGIN
        INSERT INTO reviews_held (team_id, day, held) VALUES (NEW.team_id, NEW.held_on, 1)
            ON CONFLICT (team_id, day) DO UPDATE SET held = held + 1; END;
    CREATE TRIGGER reviews_held_removed AFTER DELETE ON evaluations BEGIN
        UPDATE reviews_held SET held = held - 1 WHERE team_id = OLD.team_id AND day = OLD.held_on; END;
    CREATE TRIGGER reviews_held_moved AFTER UPDATE OF team_id, held_on ON evaluations BEGIN
        UPDATE reviews_held SET held = held - 1 WHERE team_id = OLD.team_id AND day = OLD.held_on;
        INSERT INTO reviews_held (team_id, day, held) VALUES (NEW.team_id, NEW.held_on, 1)
            ON CONFLICT (team_id, day) DO UPDATE SET held = held + 1; END;
    CREATE TABLE today_counts (
        team_id INTEGER NOT NULL REFERENCES teams(id),
        day TEXT NOT NULL,
        clinician_id INTEGER NOT NULL REFERENCES users(id),
        active INTEGER NOT NULL,
        within_norm INTEGER NOT NULL,
        overdue INTEGER NOT NULL,
        in_treatment INTEGER NOT NULL,
        evaluated INTEGER NOT NULL,
        not_yet_due INTEGER NOT NULL,
        PRIMARY KEY (team_id, day, clinician_id)
    ) WITHOUT ROWID;
    CREATE TABLE today_counted (
        team_id INTEGER NOT NULL REFERENCES teams(id),
        day TEXT NOT NULL,
        PRIMARY KEY (team_id, day)
    ) WITHOUT ROWID;
    CREATE TRIGGER today_counts_stale AFTER INSERT ON calendar_stale BEGIN
        DELETE FROM today_counted WHERE team_id = NEW.team_id;
        DELETE FROM today_counts WHERE team_id = NEW.team_id; END;
    DROP TRIGGER calendar_client_changed;
    CREATE TRIGGER calendar_client_changed AFTER UPDATE OF team_id, clinician_id, status, treatment_start,
        finished_on, last_evaluation, next_evaluation_on, last_continuation_decision ON clients BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (OLD.team_id);
        INSERT OR IGNORE INTO calendar_stale VALUES (NEW.team_id); END;
    DROP INDEX clients_now;
    DROP INDEX clients_in_treatment;
    CREATE INDEX clients_today ON clients(team_id, clinician_id, status, due_on, norm_until, treatment_start,
        finished_on, last_with_client);
    """)


@migrations(name="0015_access_log_sets")
def access_log_sets(db):
    """A view of many clients at once (a dashboard, a CSV of every overdue client of 200 teams) is one access-log row
    and its clients, a pair of numbers each, written in the order they come: a log row per client, with the log's
    three indexes, cost a 16,000-client CSV more than its figures. No foreign keys: the ids are those of the rows
    the view just read, and checking 16,000 of them tripled the write. Append-only, like the log."""
    run_statements(db, """
    CREATE TABLE access_log_clients (
        log_id INTEGER NOT NULL,
        client_id INTEGER NOT NULL,
        PRIMARY KEY (log_id, client_id)
    ) WITHOUT ROWID;
    CREATE TRIGGER access_log_clients_no_update BEFORE UPDATE ON access_log_clients
        BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
    CREATE TRIGGER access_log_clients_no_delete BEFORE DELETE ON access_log_clients
        BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
    """)


@migrations(name="0016_milestones_covered")
def milestones_covered(db):
    """The list of open milestones reads its clients from the index alone: over 200 teams that is 16,000 clients,
    and a lookup of each row in the table cost more than the list's own work."""
    run_statements(db, """
    DROP INDEX clients_milestones;
    CREATE INDEX clients_milestones ON clients(team_id, status, milestone_from, anniversary, treatment_start,
        clinician_id, reference);
    """)


@migrations(name="0019_sign_in_an_institution_accepts")
def sign_in_an_institution_accepts(db):
    """Single sign-on, a second factor and the institution's sign-in policy (issue 26).

    A user's TOTP secret counts only once confirmed by a first code; the last accepted time step is kept so a code
    is used once. Recovery codes are stored as SHA-256 hashes (they are random, 50 bits: no slow hash needed) and
    spent by setting `used_at`. The institution is one row: its name (refused in passwords), whether every local
    account needs a second factor, whether single sign-on may create accounts, and whether local passwords work
    for anyone but the break-glass admins.
    """
    run_statements(db, """
    ALTER TABLE users ADD COLUMN totp_secret TEXT;
    ALTER TABLE users ADD COLUMN totp_confirmed_at TEXT;
    ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
    ALTER TABLE users ADD COLUMN second_factor_failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN second_factor_failed_at TEXT;
    ALTER TABLE users ADD COLUMN break_glass INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE recovery_codes (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        code_hash TEXT NOT NULL,
        used_at TEXT,
        PRIMARY KEY (user_id, code_hash)
    ) WITHOUT ROWID;
    CREATE TABLE institution (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL DEFAULT '',
        second_factor_required INTEGER NOT NULL DEFAULT 0,
        sso_creates_accounts INTEGER NOT NULL DEFAULT 0,
        local_passwords INTEGER NOT NULL DEFAULT 1
    );
    INSERT INTO institution (id) VALUES (1);
    """)


@migrations(name="0020_mail_reminders_calendar_feeds")
def mail_reminders_calendar_feeds(db):
    """Mail between the meetings and everyone's calendar: the outbox (written in the transaction that caused a
    mail, sent by the scheduler after commit), each person's reminder choices and the team's defaults, whether a
    person takes mail in the evening and at the weekend, the team's reminder time, each person's secret calendar
    feed (only its hash is kept), and a calendar sequence per meeting that rises when its time, length or state
    changes (a subscribed calendar then replaces the event it has)."""
    run_statements(db, """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        user_id INTEGER REFERENCES users(id),
        to_address TEXT NOT NULL,
        subject TEXT NOT NULL,
        text_body TEXT NOT NULL,
        html_body TEXT NOT NULL,
        quiet_timezone TEXT,
        created_at TEXT NOT NULL,
        send_after TEXT NOT NULL,
        expires_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        claimed_until TEXT,
        last_error TEXT NOT NULL DEFAULT '',
        sent_at TEXT,
        failed_at TEXT
    );
    CREATE INDEX outbox_waiting ON outbox(send_after) WHERE sent_at IS NULL AND failed_at IS NULL;
    CREATE INDEX outbox_failed ON outbox(failed_at) WHERE failed_at IS NOT NULL;
    CREATE TABLE reminder_choices (
        user_id INTEGER NOT NULL REFERENCES users(id),
        kind TEXT NOT NULL,
        choice TEXT NOT NULL,
        PRIMARY KEY (user_id, kind)
    ) WITHOUT ROWID;
    CREATE TABLE team_reminder_defaults (
        team_id INTEGER NOT NULL REFERENCES teams(id),
        kind TEXT NOT NULL,
        choice TEXT NOT NULL,
        PRIMARY KEY (team_id, kind)
    ) WITHOUT ROWID;
    ALTER TABLE users ADD COLUMN mail_any_time INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE teams ADD COLUMN reminder_time TEXT NOT NULL DEFAULT '09:00';
    CREATE TABLE calendar_feeds (
        user_id INTEGER PRIMARY KEY REFERENCES users(id),
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    ALTER TABLE meetings ADD COLUMN calendar_sequence INTEGER NOT NULL DEFAULT 0;
    CREATE TRIGGER meetings_calendar_sequence AFTER UPDATE OF starts_at, minutes, state ON meetings
        WHEN OLD.starts_at != NEW.starts_at OR OLD.minutes != NEW.minutes
          OR (NEW.state = 'cancelled') != (OLD.state = 'cancelled') BEGIN
        UPDATE meetings SET calendar_sequence = calendar_sequence + 1 WHERE id = NEW.id; END;
    """)


@migrations(name="0021_evaluation_with_client_planned")
def evaluation_with_client_planned(db):
    """The legal minimum, planned: an evaluation with the client can be recorded from the regiebehandelaar's worklist,
    without an agenda item or a decision (both may be NULL now); each client's stored calendar adds the last day its
    evaluation with the client keeps it within 12 months (`with_client_due`, meeting.store.calendar), which the
    worklist compares with today. Every team is marked stale: the calendar's owner fills the new dates in."""
    run_statements(db, """
    CREATE TABLE client_evaluations_new (
        id INTEGER PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES teams(id),
        client_id INTEGER NOT NULL REFERENCES clients(id),
        item_id INTEGER UNIQUE REFERENCES items(id),
        decision_id INTEGER UNIQUE REFERENCES decisions(id),
        clinician_id INTEGER NOT NULL REFERENCES users(id),
        evaluated_on TEXT,
        relatives_invited TEXT CHECK (relatives_invited IN ('yes', 'no')),
        relatives_present TEXT CHECK (relatives_present IN ('yes', 'no')),
        client_view TEXT NOT NULL DEFAULT '',
        rom_done TEXT CHECK (rom_done IN ('yes', 'no')),
        rom_personal TEXT CHECK (rom_personal IN ('better', 'same', 'worse', 'not_measured')),
        rom_social TEXT CHECK (rom_social IN ('better', 'same', 'worse', 'not_measured')),
        rom_symptomatic TEXT CHECK (rom_symptomatic IN ('better', 'same', 'worse', 'not_measured')),
        somatic_screening_on TEXT,
        agreements TEXT NOT NULL DEFAULT '',
        recorded_by INTEGER REFERENCES users(id),
        recorded_at TEXT NOT NULL
    );
    INSERT INTO client_evaluations_new SELECT id, team_id, client_id, item_id, decision_id, clinician_id, evaluated_on,
        relatives_invited, relatives_present, client_view, rom_done, rom_personal, rom_social, rom_symptomatic,
        somatic_screening_on, agreements, recorded_by, recorded_at FROM client_evaluations;
    DROP TABLE client_evaluations;
    ALTER TABLE client_evaluations_new RENAME TO client_evaluations;
    CREATE INDEX client_evaluations_by_client ON client_evaluations(client_id, evaluated_on);
    CREATE INDEX client_evaluations_by_team ON client_evaluations(team_id, evaluated_on);
    CREATE TRIGGER calendar_with_client_added AFTER INSERT ON client_evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM clients WHERE id = NEW.client_id; END;
    CREATE TRIGGER calendar_with_client_removed AFTER DELETE ON client_evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM clients WHERE id = OLD.client_id; END;
    CREATE TRIGGER calendar_with_client_changed AFTER UPDATE OF client_id, evaluated_on ON client_evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM clients WHERE id IN (OLD.client_id, NEW.client_id); END;
    ALTER TABLE clients ADD COLUMN with_client_due TEXT;
    CREATE INDEX clients_with_client_due ON clients(team_id, status, with_client_due, clinician_id);
    INSERT OR IGNORE INTO calendar_stale SELECT id FROM teams;
    """)


@migrations(name="0022_read_model_triggers")
def read_model_triggers(db):
    """The read model's triggers generated from its declared inputs (meeting.store.read_model, as of this day): the
    hand-written ones go. A review marks its team stale only when a column the calendar reads changes (any column did
    before). The same rows are derived: nothing is marked stale."""
    run_statements(db, """
    DROP TRIGGER calendar_agreed_next_added;
    DROP TRIGGER calendar_agreed_next_changed;
    DROP TRIGGER calendar_agreed_next_removed;
    DROP TRIGGER calendar_client_added;
    DROP TRIGGER calendar_client_changed;
    DROP TRIGGER calendar_client_removed;
    DROP TRIGGER calendar_norm_changed;
    DROP TRIGGER calendar_review_added;
    DROP TRIGGER calendar_review_changed;
    DROP TRIGGER calendar_review_removed;
    DROP TRIGGER calendar_with_client_added;
    DROP TRIGGER calendar_with_client_changed;
    DROP TRIGGER calendar_with_client_removed;
    DROP TRIGGER reviews_held_added;
    DROP TRIGGER reviews_held_moved;
    DROP TRIGGER reviews_held_removed;
    DROP TRIGGER today_counts_stale;
    CREATE TRIGGER derived_calendar_clients_added AFTER INSERT ON clients BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (NEW.team_id);
    END;
    CREATE TRIGGER derived_calendar_clients_removed AFTER DELETE ON clients BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (OLD.team_id);
    END;
    CREATE TRIGGER derived_calendar_clients_changed AFTER UPDATE OF team_id, clinician_id, status, treatment_start, finished_on, last_evaluation, next_evaluation_on, last_continuation_decision ON clients BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (OLD.team_id);
        INSERT OR IGNORE INTO calendar_stale VALUES (NEW.team_id);
    END;
    CREATE TRIGGER derived_calendar_evaluations_added AFTER INSERT ON evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (NEW.team_id);
    END;
    CREATE TRIGGER derived_calendar_evaluations_removed AFTER DELETE ON evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (OLD.team_id);
    END;
    CREATE TRIGGER derived_calendar_evaluations_changed AFTER UPDATE OF team_id, client_id, item_id, held_on, previous_evaluation ON evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (OLD.team_id);
        INSERT OR IGNORE INTO calendar_stale VALUES (NEW.team_id);
    END;
    CREATE TRIGGER derived_calendar_decisions_added AFTER INSERT ON decisions WHEN NEW.next_evaluation_on IS NOT NULL BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM meetings WHERE id = NEW.meeting_id;
    END;
    CREATE TRIGGER derived_calendar_decisions_removed AFTER DELETE ON decisions WHEN OLD.next_evaluation_on IS NOT NULL BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM meetings WHERE id = OLD.meeting_id;
    END;
    CREATE TRIGGER derived_calendar_decisions_changed AFTER UPDATE OF item_id, next_evaluation_on ON decisions BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM meetings WHERE id = OLD.meeting_id;
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM meetings WHERE id = NEW.meeting_id;
    END;
    CREATE TRIGGER derived_calendar_client_evaluations_added AFTER INSERT ON client_evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM clients WHERE id = NEW.client_id;
    END;
    CREATE TRIGGER derived_calendar_client_evaluations_removed AFTER DELETE ON client_evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM clients WHERE id = OLD.client_id;
    END;
    CREATE TRIGGER derived_calendar_client_evaluations_changed AFTER UPDATE OF client_id, evaluated_on ON client_evaluations BEGIN
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM clients WHERE id = OLD.client_id;
        INSERT OR IGNORE INTO calendar_stale SELECT team_id FROM clients WHERE id = NEW.client_id;
    END;
    CREATE TRIGGER derived_calendar_teams_changed AFTER UPDATE OF evaluation_interval_months ON teams BEGIN
        INSERT OR IGNORE INTO calendar_stale VALUES (OLD.id);
        INSERT OR IGNORE INTO calendar_stale VALUES (NEW.id);
    END;
    CREATE TRIGGER derived_reviews_held_added AFTER INSERT ON evaluations BEGIN
        INSERT INTO reviews_held (team_id, day, held) VALUES (NEW.team_id, NEW.held_on, 1)
            ON CONFLICT (team_id, day) DO UPDATE SET held = held + 1;
    END;
    CREATE TRIGGER derived_reviews_held_removed AFTER DELETE ON evaluations BEGIN
        UPDATE reviews_held SET held = held - 1 WHERE team_id = OLD.team_id AND day = OLD.held_on;
    END;
    CREATE TRIGGER derived_reviews_held_moved AFTER UPDATE OF team_id, held_on ON evaluations BEGIN
        UPDATE reviews_held SET held = held - 1 WHERE team_id = OLD.team_id AND day = OLD.held_on;
        INSERT INTO reviews_held (team_id, day, held) VALUES (NEW.team_id, NEW.held_on, 1)
            ON CONFLICT (team_id, day) DO UPDATE SET held = held + 1;
    END;
    CREATE TRIGGER derived_today_counts_stale AFTER INSERT ON calendar_stale BEGIN
        DELETE FROM today_counted WHERE team_id = NEW.team_id;
        DELETE FROM today_counts WHERE team_id = NEW.team_id;
    END;
    """)


@migrations(name="0023_legal_status_as_stored_dates")
def legal_status_as_stored_dates(db):
    """The legal minimum by stored dates the core works out (meeting.core.client_evaluation), SQL only comparing
    them with the day: per client the last day its last evaluation with the client counts (`evaluated_until`) and the
    last day it is not yet due (`not_yet_due_until`); per evaluation with the client the last day it counts
    (`covers_until`, for a day before the client's last). Every team is marked stale: the calendar's owner fills
    them in."""
    run_statements(db, """
    ALTER TABLE clients ADD COLUMN evaluated_until TEXT;
    ALTER TABLE clients ADD COLUMN not_yet_due_until TEXT;
    ALTER TABLE client_evaluations ADD COLUMN covers_until TEXT;
    DROP INDEX clients_today;
    CREATE INDEX clients_today ON clients(team_id, clinician_id, status, due_on, norm_until, treatment_start,
        finished_on, last_with_client, evaluated_until, not_yet_due_until);
    CREATE INDEX client_evaluations_covering ON client_evaluations(client_id, evaluated_on, covers_until);
    INSERT OR IGNORE INTO calendar_stale SELECT id FROM teams;
    """)


@migrations(name="0024_legacy_ratings_kept_as_figures")
def legacy_ratings_kept_as_figures(db):
    """The legacy ratings (three scores per person, before the meeting rating) go: each meeting's figures keep their
    count and sums (`old_raters`, `*_sum`), which the dashboards and the minutes read; nothing writes them any more.
    A closed meeting with ratings and no figures yet gets a row holding only them (its `day` empty): the figures'
    owner fills the rest in once the database is migrated (`figures.write_missing`)."""
    run_statements(db, """
    INSERT OR IGNORE INTO meeting_figures (meeting_id, team_id, kind, starts_at, day)
        SELECT m.id, m.team_id, m.kind, m.starts_at, '' FROM meetings m
        WHERE m.state = 'closed' AND m.id IN (SELECT meeting_id FROM ratings);
    UPDATE meeting_figures SET old_raters = (SELECT count(*) FROM ratings r WHERE r.meeting_id = meeting_figures.meeting_id),
        kept_process_sum = (SELECT sum(kept_process) FROM ratings r WHERE r.meeting_id = meeting_figures.meeting_id),
        ended_in_decisions_sum = (SELECT sum(ended_in_decisions) FROM ratings r
                                  WHERE r.meeting_id = meeting_figures.meeting_id),
        time_well_spent_sum = (SELECT sum(time_well_spent) FROM ratings r WHERE r.meeting_id = meeting_figures.meeting_id)
        WHERE meeting_id IN (SELECT meeting_id FROM ratings);
    DROP TABLE ratings;
    """)


# The texts the app wrote into rows before it stored them as message ids, in English and in Dutch (as the catalogue
# had them): message id -> the words it was stored in. Frozen with the migration below; never change it.
_GENERATED_TITLES = {
    "Handover %(reference)s: %(done)s of %(total)s points done":
        ("Overdracht %(reference)s: %(done)s van %(total)s punten afgerond",),
    "Evaluation %(reference)s (%(months)s months in treatment)":
        ("Bespreking %(reference)s (%(months)s maanden in behandeling)",),
    "Consultation answer: %(title)s": ("Antwoord extern consult: %(title)s",),
}
_GENERATED_NEEDS = {
    "The team follows the handover until every point is done or does not apply.":
        ("Het team volgt de overdracht tot elk punt is afgerond of niet van toepassing is.",),
    "Evaluate the treatment plan: continue, adjust, step down or finish?":
        ("Bespreking van het behandelplan: doorgaan, bijstellen, afschalen of afronden?",),
    "One year in treatment: why do we continue, and what do we still want to achieve?":
        ("Een jaar in behandeling: waarom gaan we door, en wat willen we nog bereiken?",),
    "Extension after two years: invite a colleague to the evaluation to question it critically.":
        ("Verlenging na twee jaar: nodig een collega uit bij de evaluatie om de verlenging kritisch te bevragen.",),
}
_GENERATED_STEPS = {
    "Case presentation": ("Casusbespreking",), "Systemic analysis": ("Systemische analyse",),
    "Reflective round": ("Reflectieve ronde",), "Options for action": ("Handelingsopties verkennen",),
    "Closing and application": ("Afronding en toepassing",),
}
_GENERATED_REASONS = {
    "Not reached in the meeting": ("Niet aan bod gekomen in het MDO",),
    "Does not fit the acute budget after the items before it.":
        ("Past niet meer in het acute budget na de agendapunten ervoor.",),
    "Does not fit the regular budget; more overdue reviews go first.":
        ("Past niet in het budget voor lopende behandelingen; langer achterstallige besprekingen gaan voor.",),
    "The announcements alone exceed the regular budget.":
        ("De mededelingen alleen passen al niet in het budget voor lopende behandelingen.",),
    "The acute budget is spent and acute items remain: defer them or borrow minutes from the regular budget.":
        ("Het budget voor acuut is op en er zijn nog acute agendapunten: stel ze uit of leen minuten van het budget "
         "voor lopende behandelingen.",),
    "The acute budget is spent and acute items remain: defer them; the regular budget has no minutes left to lend.":
        ("Het budget voor acuut is op en er zijn nog acute agendapunten: stel ze uit; het budget voor lopende "
         "behandelingen heeft geen minuten meer over om uit te lenen.",),
    "The regular budget is spent and regular reviews remain: defer them or borrow minutes from the acute budget.":
        ("Het budget voor lopende behandelingen is op en er zijn er nog te bespreken: stel ze uit of leen minuten van "
         "het budget voor acuut.",),
    "The regular budget is spent and regular reviews remain: defer them; the acute budget has no minutes left to lend.":
        ("Het budget voor lopende behandelingen is op en er zijn er nog te bespreken: stel ze uit; het budget voor "
         "acuut heeft geen minuten meer over om uit te lenen.",),
    "Acute issues come first: discuss or defer them before the regular reviews.":
        ("Acute agendapunten gaan voor: bespreek ze of stel ze uit vóór de lopende behandelingen.",),
    "Regular reviews come first: discuss or defer them before the acute issues.":
        ("Lopende behandelingen gaan voor: bespreek ze of stel ze uit vóór de acute agendapunten.",),
}


def _recognised(text, messages: dict) -> str | None:
    """`text` in the stored form of a generated text ("\\x1e" and JSON [message id, values]) when it reads as one of
    `messages` in English or Dutch; None when a person typed it (or it is stored so already)."""
    if not isinstance(text, str) or text.startswith("\x1e"):
        return None
    for message, words in messages.items():
        for form in (message, *words):
            pattern = "".join(f"(?P<{piece[2:-2]}>.+)" if piece.startswith("%(") else re.escape(piece)
                              for piece in re.split(r"(%\(\w+\)s)", form))
            found = re.fullmatch(pattern, text.strip(), re.S)
            if found:
                values = {key: int(value) if value.isdigit() else (_recognised(value, messages) or value)
                          for key, value in found.groupdict().items()}
                return "\x1e" + json.dumps([message, values], ensure_ascii=False, sort_keys=True)
    return None


@migrations(name="0026_generated_text_as_message_ids")
def generated_text_as_message_ids(db):
    """Text the app wrote into rows in the language of whoever triggered it (a handover's announcement, a due review's
    title, a session step's name, "Not reached in the meeting", the planner's and the budget's deferral reasons) is
    stored as its message id with its values, so each reader sees it in their own language. Text a person typed is
    left as typed; only a whole text that reads exactly as one the app writes is converted."""
    _store_generated_text_as_message_ids(db)


def _store_generated_text_as_message_ids(db) -> None:
    """Migration 0026's conversion, frozen with it: items' titles, needs and deferral reasons, meetings' carried titles."""
    conversions = (("title", _GENERATED_TITLES), ("need", _GENERATED_NEEDS), ("deferred_reason", _GENERATED_REASONS))
    for column, messages in conversions:
        for item_id, text, step in db.execute(f"SELECT id, {column}, step FROM items WHERE {column} IS NOT NULL"
                                              ).fetchall():
            if column == "title":  # a step's name only on a session's step, where the app wrote it
                messages = _GENERATED_STEPS if step else _GENERATED_TITLES
            stored = _recognised(text, messages)
            if stored:
                db.execute(f"UPDATE items SET {column} = ? WHERE id = ?", [stored, item_id])
    for meeting_id, ahead in db.execute("SELECT id, look_ahead FROM meetings WHERE look_ahead IS NOT NULL").fetchall():
        looked = json.loads(ahead)
        carried = [_recognised(title, _GENERATED_TITLES) or title for title in looked.get("carried") or []]
        if carried != (looked.get("carried") or []):
            db.execute("UPDATE meetings SET look_ahead = ? WHERE id = ?", [json.dumps(looked | {"carried": carried}),
                                                                          meeting_id])


@migrations(name="0027_frozen_notice_without_plural")
def frozen_notice_without_plural(db):
    """The scheduler's notice that an agenda froze is said without a plural ("1 items" showed); stored notices take the
    new message id, so they keep showing in the reader's language."""
    db.execute("UPDATE notifications SET message = ? WHERE message = ?",
               ["The agenda of %(moment)s is frozen. Items on it: %(items)s; due reviews added: %(added)s.",
                "The agenda of %(moment)s is frozen: %(items)s items, %(added)s due reviews added."])


@migrations(name="0033_meeting_ratings")
def meeting_ratings(db):
    """One word per meaning: the rating of a weekly meeting is a meeting rating (`session` is Flask's session and the
    complex-case session), so its two tables are renamed; nothing else changes."""
    run_statements(db, """
    ALTER TABLE session_ratings RENAME TO meeting_ratings;
    ALTER TABLE session_raters RENAME TO meeting_raters;
    DROP INDEX session_ratings_by_meeting;
    CREATE INDEX meeting_ratings_by_meeting ON meeting_ratings(meeting_id);
    """)
