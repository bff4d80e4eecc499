"""Budget accounting per track, borrowing both ways, and the order policies."""
import pytest

from meeting.core.budget import Borrowing, ItemTime, Resolution, account, borrow, other_track, track_exhausted_action

BUDGETS = {"acute": 20, "regular": 60}  # minutes

# (id, items, borrowings, acute fields, regular fields)
# fields: (budget, borrowed_in, borrowed_out, effective, planned, used, remaining), in seconds
ACCOUNT_CASES = [
    ("empty meeting", [], [],
     (1200, 0, 0, 1200, 0, 0, 1200), (3600, 0, 0, 3600, 0, 0, 3600)),
    ("items, no borrowing",
     [ItemTime("acute", 600, 700), ItemTime("acute", 300), ItemTime("regular", 900, 400)], [],
     (1200, 0, 0, 1200, 900, 700, 500), (3600, 0, 0, 3600, 900, 400, 3200)),
    ("regular lends 5 to acute", [ItemTime("acute", 600, 1300)], [Borrowing("regular", 5)],
     (1200, 300, 0, 1500, 600, 1300, 200), (3600, 0, 300, 3300, 0, 0, 3300)),
    ("acute lends 10 to regular", [ItemTime("regular", 1800, 3700)], [Borrowing("acute", 10)],
     (1200, 0, 600, 600, 0, 0, 600), (3600, 600, 0, 4200, 1800, 3700, 500)),
    ("borrowing both ways", [], [Borrowing("acute", 10), Borrowing("regular", 3), ("regular", 2)],
     (1200, 300, 600, 900, 0, 0, 900), (3600, 600, 300, 3900, 0, 0, 3900)),
    ("overrun goes negative", [ItemTime("acute", 1200, 1500)], [],
     (1200, 0, 0, 1200, 1200, 1500, -300), (3600, 0, 0, 3600, 0, 0, 3600)),
    ("tuples and row dicts", [("acute", 300, 100), {"track": "regular", "planned_seconds": 600,
                                                    "used_seconds": None}],
     [{"from_track": "acute", "minutes": 1}],
     (1200, 0, 60, 1140, 300, 100, 1040), (3600, 60, 0, 3660, 600, 0, 3660)),
]


def fields(track_account) -> tuple:
    """The numbers of one track account, in declaration order."""
    a = track_account
    return (a.budget_seconds, a.borrowed_in_seconds, a.borrowed_out_seconds, a.effective_seconds,
            a.planned_seconds, a.used_seconds, a.remaining_seconds)


@pytest.mark.parametrize("items, borrowings, acute, regular",
                         [c[1:] for c in ACCOUNT_CASES], ids=[c[0] for c in ACCOUNT_CASES])
def test_account(items, borrowings, acute, regular):
    result = account(BUDGETS, items, borrowings)
    assert fields(result.acute) == acute
    assert fields(result.regular) == regular
    assert result.track("acute") is result.acute and result.track("regular") is result.regular


def test_missing_budget_counts_as_zero():
    result = account({"regular": 90}, [ItemTime("acute", 60, 30)])
    assert fields(result.acute) == (0, 0, 0, 0, 60, 30, -30)
    assert result.acute.spent and not result.regular.spent


@pytest.mark.parametrize("budgets, items, borrowings", [
    ({"acute": -1, "regular": 60}, [], []),
    (BUDGETS, [ItemTime("urgent", 60, 0)], []),
    (BUDGETS, [], [Borrowing("urgent", 5)]),
])
def test_account_refuses_bad_input(budgets, items, borrowings):
    with pytest.raises(ValueError):
        account(budgets, items, borrowings)


def test_borrowing_knows_where_it_goes():
    assert Borrowing("acute", 5).to_track == "regular"
    assert Borrowing("regular", 5).to_track == "acute"
    assert other_track("acute") == "regular"
    with pytest.raises(ValueError):
        other_track("urgent")


# acute overran by 5 minutes; regular has 10.5 minutes left (630 s)
TIGHT = account(BUDGETS, [ItemTime("acute", 1200, 1500), ItemTime("regular", 3000, 2970)])

WHOLE = "Enter a whole number of minutes."
AT_LEAST = "Borrow at least one minute."
TOO_MANY = "You cannot borrow more minutes than the other budget has left."


@pytest.mark.parametrize("from_track, minutes, expected", [
    ("regular", 10, {}),
    ("regular", 1, {}),
    ("regular", "10", {}),
    ("regular", " 3 ", {}),
    ("regular", 11, {"minutes": TOO_MANY}),  # 10.5 minutes left: whole minutes only
    ("acute", 1, {"minutes": TOO_MANY}),  # the acute budget is overrun
    ("regular", 0, {"minutes": AT_LEAST}),
    ("regular", -2, {"minutes": AT_LEAST}),
    ("regular", "abc", {"minutes": WHOLE}),
    ("regular", "", {"minutes": WHOLE}),
    ("regular", None, {"minutes": WHOLE}),
    ("regular", 2.5, {"minutes": WHOLE}),
    ("urgent", 1, {"from_track": "Choose the budget to borrow from."}),
])
def test_borrow_validation(from_track, minutes, expected):
    assert borrow(TIGHT, from_track, minutes) == expected


def test_validated_borrowing_moves_the_minutes():
    assert borrow(TIGHT, "regular", 10) == {}
    after = account(BUDGETS, [ItemTime("acute", 1200, 1500), ItemTime("regular", 3000, 2970)],
                    [Borrowing("regular", 10)])
    assert after.acute.remaining_seconds == 300 and after.regular.remaining_seconds == 30
    assert borrow(after, "regular", 1) == {"minutes": TOO_MANY}


# (id, policy, next track, acute used, regular used, borrowings, remaining items,
#  expected (track, reason, options, borrowable) or None); budgets 20 / 60 minutes
EXHAUSTED_CASES = [
    ("acute_first: acute time left", "acute_first", "acute", 600, 0, [], {"acute": 2}, None),
    ("acute_first: acute spent exactly, items left", "acute_first", "acute", 1200, 0, [],
     {"acute": 1, "regular": 4}, ("acute", "budget_spent", ("defer", "borrow"), 60)),
    ("acute_first: acute overrun, none left", "acute_first", "acute", 1300, 0, [],
     {"acute": 0, "regular": 4}, None),
    ("acute_first: regular before acute is done", "acute_first", "regular", 600, 0, [],
     {"acute": 1, "regular": 3}, ("acute", "out_of_order", ("defer",), 0)),
    ("acute_first: regular requested, acute spent with items", "acute_first", "regular", 1300, 0,
     [], {"acute": 1, "regular": 3}, ("acute", "budget_spent", ("defer", "borrow"), 60)),
    ("acute_first: acute done, regular has time", "acute_first", "regular", 1300, 100, [],
     {"regular": 3}, None),
    ("acute_first: regular spent, acute can lend", "acute_first", "regular", 900, 3600, [],
     {"acute": 0, "regular": 2}, ("regular", "budget_spent", ("defer", "borrow"), 5)),
    ("acute_first: both spent, only defer", "acute_first", "regular", 1300, 3700, [],
     {"regular": 2}, ("regular", "budget_spent", ("defer",), 0)),
    ("acute_first: borrowed minutes unblock acute", "acute_first", "acute", 1300, 0,
     [Borrowing("regular", 5)], {"acute": 1}, None),
    ("acute_first: under a minute to lend is nothing", "acute_first", "acute", 1200, 3541, [],
     {"acute": 1}, ("acute", "budget_spent", ("defer",), 0)),
    ("regular_first: acute before regular is done", "regular_first", "acute", 0, 600, [],
     {"acute": 2, "regular": 2}, ("regular", "out_of_order", ("defer",), 0)),
    ("regular_first: regular spent, items left", "regular_first", "regular", 0, 3600, [],
     {"acute": 2, "regular": 1}, ("regular", "budget_spent", ("defer", "borrow"), 20)),
    ("regular_first: acute requested, regular spent with items", "regular_first", "acute", 0, 3650,
     [], {"acute": 2, "regular": 1}, ("regular", "budget_spent", ("defer", "borrow"), 20)),
    ("regular_first: regular done, acute spent", "regular_first", "acute", 1250, 3000, [],
     {"acute": 1}, ("acute", "budget_spent", ("defer", "borrow"), 10)),
    ("regular_first: regular done, acute has time", "regular_first", "acute", 100, 3700, [],
     {"acute": 1}, None),
    ("regular_first: less than a minute left is not spent", "regular_first", "regular", 0, 3541,
     [], {"regular": 1}, None),
]


@pytest.mark.parametrize("policy, track, acute_used, regular_used, borrowings, remaining, expected",
                         [c[1:] for c in EXHAUSTED_CASES], ids=[c[0] for c in EXHAUSTED_CASES])
def test_track_exhausted_action(policy, track, acute_used, regular_used, borrowings, remaining,
                                expected):
    used = [ItemTime("acute", 0, acute_used), ItemTime("regular", 0, regular_used)]
    result = track_exhausted_action(policy, track, account(BUDGETS, used, borrowings), remaining)
    if expected is None:
        assert result is None
        return
    assert isinstance(result, Resolution)
    assert (result.track, result.reason, result.options, result.borrowable_minutes) == expected
    if result.reason == "budget_spent":
        assert result.message.startswith(f"The {result.track} budget is spent")
        assert ("borrow minutes" in result.message) == ("borrow" in result.options)
    else:
        assert "come first" in result.message


@pytest.mark.parametrize("policy, track", [("chaos", "acute"), ("acute_first", "urgent")])
def test_track_exhausted_action_refuses_unknown_names(policy, track):
    with pytest.raises(ValueError):
        track_exhausted_action(policy, track, account(BUDGETS), {})
