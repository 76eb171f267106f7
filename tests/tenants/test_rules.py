"""Input rules: one table read by the domain and the forms (pure, no database)."""

from tenants.errors import Message
from tenants.rules import ACCOUNT_BOUNDS, MAX_SEATS, TOO_LARGE, Bound, check_bounds


def test_bound_reports_below_and_above_and_accepts_the_edges():
    bound = Bound(1, 10, "too small")
    assert bound.message_for(0) == "too small"
    assert bound.message_for(11) == TOO_LARGE
    assert bound.message_for(1) is None and bound.message_for(10) is None
    assert bound.message_for(None) is None  # "required" is the form's job, not the range's


def test_check_bounds_names_each_field_at_fault():
    errors = check_bounds(
        ACCOUNT_BOUNDS,
        {"licensed_seats": 0, "monthly_spend_yen": -1, "hourly_labor_cost_yen": 4800, "unknown": -5},
    )
    assert errors == {
        "licensed_seats": "Licensed seats must be at least 1.",
        "monthly_spend_yen": "Monthly spend cannot be negative.",
    }
    assert check_bounds(ACCOUNT_BOUNDS, {"licensed_seats": MAX_SEATS + 1}) == {"licensed_seats": TOO_LARGE}


def test_message_carries_its_parameters_and_compares_as_its_text():
    message = Message("Use at least %(n)d characters.", n=10)
    assert message == "Use at least %(n)d characters." and message.params == {"n": 10}
    assert str(message) % message.params == "Use at least 10 characters."
