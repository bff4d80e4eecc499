"""Password rules (NIST SP 800-63B) and the login throttle's timing (OWASP ASVS 2.2.1), pure."""
from datetime import UTC, datetime, timedelta

import pytest

from meeting.core.passwords import address_key, common_passwords, minutes_to_wait, password_error, retry_at
from meeting.ops.demo import DEMO_PASSWORD, STAFF, demo_email
from tests.conftest import PASSWORD

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OWNER = {"email": "j.devries@ggz.example", "name": "Joost de Vries"}
LONGEST = ("De trein naar Zwolle vertrekt om kwart over negen van spoor vier, maar vandaag rijdt hij later"
           " door werk aan het spoor bij Ede!!")  # 128 characters, the most allowed


@pytest.mark.parametrize("password, reason", [
    ("short pass", "at least 12 characters"),
    ("x" * 100_000, "at most 128 characters"),
    ("aaaaaaaaaaaa", "only repeats a character"),
    ("abcabcabcabc", "only repeats a character"),
    ("123456789012", "simple run"),
    ("210987654321", "simple run"),
    ("qwertyuiopas", "simple run"),
    ("abcdefghijklm", "simple run"),
    ("password1234", "most common passwords"),
    ("Password1234!", "most common passwords"),
    ("!!welkom2026!!", "most common passwords"),
    ("qwerty123456", "most common passwords"),
    ("I am J.DeVries at work", "before the @"),
    ("joost loves cycling", "your name"),
    ("the vries family trip", "your name"),
])
def test_weak_passwords_are_refused_with_their_reason(password, reason):
    assert reason in password_error(password, password, **OWNER)


@pytest.mark.parametrize("password", [
    PASSWORD,
    "vanavond eten we vis",  # "van" and "de" of the name are too short to count
    "Ab3$Xy7!Qz9#",
    LONGEST,
    "Een lange zin mag ook, zoals deze over de fiets van mijn buurvrouw.",
])
def test_good_passwords_are_accepted(password):
    assert password_error(password, password, **OWNER) is None


def test_128_characters_is_the_limit():
    assert len(LONGEST) == 128 and "at most 128" in password_error(LONGEST + "!", LONGEST + "!")


def test_the_two_passwords_must_match():
    assert password_error(PASSWORD, PASSWORD + "!") == "The two passwords differ."


def test_short_email_names_are_not_checked():
    assert password_error("a long walk by the sea", "a long walk by the sea", "al@example.org", "") is None


def test_the_tests_password_stays_valid_for_every_fixture_user():
    for email in ("admin@example.org", "member.a@example.org", "chair.b@example.org"):
        assert password_error(PASSWORD, PASSWORD, email, email.split("@")[0].replace(".", " ")) is None


def test_the_printed_demo_password_is_valid_for_the_demo_staff():
    for local_part, name, _role in STAFF:
        assert password_error(DEMO_PASSWORD, DEMO_PASSWORD, demo_email(local_part), name) is None


def test_the_common_list_ships_with_the_package():
    common = common_passwords()
    assert len(common) > 5000 and {"password", "123456", "wachtwoord", "welkom"} <= common
    assert DEMO_PASSWORD not in common and not any(line.startswith("#") for line in common)


@pytest.mark.parametrize("failures, account_failures, wait_minutes", [
    (0, 0, None), (4, 4, None), (5, 5, 1), (6, 6, 2), (7, 7, 4), (11, 11, 60), (500, 500, 60),
    (1, 20, 1), (2, 25, 2), (0, 40, None),
])
def test_the_wait_starts_after_the_free_failures_and_doubles_up_to_an_hour(failures, account_failures,
                                                                          wait_minutes):
    expected = NOW + timedelta(minutes=wait_minutes) if wait_minutes else None
    assert retry_at(failures, NOW if failures else None, account_failures) == expected


def test_minutes_to_wait_round_up():
    assert minutes_to_wait(NOW + timedelta(seconds=61), NOW) == 2
    assert minutes_to_wait(NOW + timedelta(seconds=60), NOW) == 1
    assert minutes_to_wait(NOW, NOW) == 1


def test_an_ipv6_host_counts_as_its_slash_64():
    assert address_key("2001:db8::1") == address_key("2001:db8::ffff") == "2001:db8::/64"
    assert address_key("2001:db8:0:1::1") != address_key("2001:db8::1")
    assert address_key("::ffff:192.0.2.7") == address_key("192.0.2.7") == "192.0.2.7"
    assert address_key("") == ""
