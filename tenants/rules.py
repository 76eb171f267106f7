"""Input rules with one home: each bound and its message is written once, here, and read by both the domain
validators (which raise :class:`~tenants.errors.FieldErrors`) and the web forms (which show the same message
next to the field before the domain is even asked).

A rule table is a plain dict ``field name -> Bound``; a domain package that adds fields (use cases, ROI
inputs, import mappings) writes its own table beside its model and checks it with :func:`check_bounds`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tenants.errors import N_

TOO_LARGE = N_("That is more than AdoptLoop accepts; check for an extra digit.")


@dataclass(frozen=True)
class Bound:
    """An inclusive integer range and what to tell a person who is outside it."""

    min: int | None
    max: int | None
    below: str  # message when value < min
    above: str = TOO_LARGE  # message when value > max

    def message_for(self, value: int | None) -> str | None:
        """The message for ``value``, or None when it is inside the range (None values are not checked)."""
        if value is None:
            return None
        if self.min is not None and value < self.min:
            return self.below
        if self.max is not None and value > self.max:
            return self.above
        return None


def check_bounds(table: Mapping[str, Bound], values: Mapping[str, int | None]) -> dict[str, str]:
    """Messages keyed by field for every value in ``values`` that breaks its bound in ``table``."""
    errors = {}
    for name, value in values.items():
        if name in table and (message := table[name].message_for(value)):
            errors[name] = message
    return errors


# -- Accounts -----------------------------------------------------------------------------------------------
# Upper bounds keep every amount inside its column and catch a slipped zero; far above real clients.
MAX_SEATS = 10_000_000
MAX_HEADCOUNT = 10_000_000
MAX_MONTHLY_SPEND_YEN = 1_000_000_000_000
MAX_HOURLY_LABOR_COST_YEN = 1_000_000
MAX_TEAMS = 200

ACCOUNT_BOUNDS: dict[str, Bound] = {
    "licensed_seats": Bound(1, MAX_SEATS, N_("Licensed seats must be at least 1.")),
    "monthly_spend_yen": Bound(0, MAX_MONTHLY_SPEND_YEN, N_("Monthly spend cannot be negative.")),
    "hourly_labor_cost_yen": Bound(
        1, MAX_HOURLY_LABOR_COST_YEN, N_("Hourly labor cost must be more than ¥0.")
    ),
    "headcount": Bound(0, MAX_HEADCOUNT, N_("Headcount cannot be negative.")),
}

# -- People ------------------------------------------------------------------------------------------------
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# The number is a placeholder so the message follows the constant; callers format it with ``n``.
PASSWORD_TOO_SHORT = N_("Use at least %(n)d characters.")
PASSWORD_HINT = N_("At least %(n)d characters.")
