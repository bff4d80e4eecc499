"""The caches kept, each for its reason: a year's replay of the register (`capacity.forecast`) is worked out once
for the same register, day, norm and pace, which the planner, the settings and the dashboard ask for again and
again; any change to a client is another question."""
import dataclasses
from datetime import date

from meeting.core import capacity, evaluations, passwords
from meeting.core import dashboard as dashboard_rules
from meeting.core.evaluations import ClientRecord
from meeting.ops import mail
from meeting.web import shared

TODAY, FIRST_MEETING = date(2026, 3, 2), date(2026, 3, 3)
REGISTER = [ClientRecord(f"R-{n}", 1, date(2024, 1, 1 + n), last_evaluation=date(2025, 6, 1 + n)) for n in range(20)]


def test_the_same_register_is_replayed_once_and_a_changed_one_again(monkeypatch):
    replays = []
    original = capacity._replay

    def counted(*args, **kwargs):
        replays.append(1)
        return original(*args, **kwargs)
    monkeypatch.setattr(capacity, "_replay", counted)
    capacity._forecast.cache_clear()
    first = capacity.forecast(REGISTER, TODAY, FIRST_MEETING, 6, capacity.Pace(60, 10, 10))
    once = len(replays)
    again = capacity.forecast(list(REGISTER), TODAY, FIRST_MEETING, 6, capacity.Pace(60, 10, 10))
    assert once > 0 and len(replays) == once and again == first
    changed = [dataclasses.replace(REGISTER[0], last_evaluation=date(2026, 2, 1)), *REGISTER[1:]]
    capacity.forecast(changed, TODAY, FIRST_MEETING, 6, capacity.Pace(60, 10, 10))
    assert len(replays) > once


# The small caches kept, each for the cost its comment names; a second call with the same arguments is answered
# from the cache (the trivial ones, add_months and parse_date, were removed: under a microsecond a call).

def test_a_treatment_s_latest_mark_is_worked_out_once_per_start_and_day():
    evaluations.latest_mark.cache_clear()
    first = evaluations.latest_mark(date(2020, 2, 29), TODAY)
    assert evaluations.latest_mark(date(2020, 2, 29), TODAY) == first == (6, date(2026, 2, 28))
    assert evaluations.latest_mark.cache_info().hits == 1


def test_a_trend_day_s_key_is_worked_out_once():
    dashboard_rules._key_of.cache_clear()
    assert dashboard_rules._key_of("2026-03-04", False) == dashboard_rules._key_of("2026-03-04", False) == "2026-03-02"
    assert dashboard_rules._key_of.cache_info().hits == 1


def test_a_chart_label_and_the_number_symbols_are_formatted_once_per_locale():
    shared._chart_label.cache_clear()
    shared._number_symbols.cache_clear()
    assert shared._chart_label("2026-03", "nl") == shared._chart_label("2026-03", "nl") == "mrt 2026"
    assert shared._number_symbols("nl") == shared._number_symbols("nl")
    assert shared._chart_label.cache_info().hits == 1 and shared._number_symbols.cache_info().hits == 1


def test_a_static_file_is_read_and_hashed_once(tmp_path):
    shared._content_hash.cache_clear()
    style = tmp_path / "style.css"
    style.write_text("body { color: black }")
    first = shared._content_hash(str(style))
    style.write_text("body { color: red }")  # a running app serves the files it started with
    assert shared._content_hash(str(style)) == first


def test_a_mail_language_s_translations_are_loaded_once(monkeypatch):
    loads, load = [], mail.Translations.load

    def counted(*args, **kwargs):
        loads.append(args)
        return load(*args, **kwargs)
    monkeypatch.setattr(mail.Translations, "load", counted)
    mail.catalogue.cache_clear()
    assert mail.catalogue("nl") is mail.catalogue("nl")
    assert len(loads) == 1


def test_the_common_passwords_are_read_once():
    assert passwords.common_passwords() is passwords.common_passwords()
    assert "password" in passwords.common_passwords()
