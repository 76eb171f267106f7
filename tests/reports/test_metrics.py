"""Adoption metrics and the health composite (pure)."""

import pytest

from reports.metrics import GOOD, health, share, use_case_density


def test_density_is_per_100_seats_per_month():
    assert use_case_density(6, 300) == pytest.approx(2.0)
    assert use_case_density(6, 300, months=3) == pytest.approx(2 / 3)
    assert use_case_density(1, 0) is None and share(1, 0) is None


def test_health_averages_the_measured_parts_against_their_targets():
    h = health({"use_case_density": 2.5, "team_coverage": 1.0})  # half of the density target, full coverage
    assert h.score == 75 and h.band == "good" and h.score >= GOOD
    scored = {p.key: p.score for p in h.parts}
    assert scored["use_case_density"] == 0.5 and scored["team_coverage"] == 1.0
    assert scored["breadth"] is None  # not measured: shown as such, not counted as zero


def test_health_bands_and_caps():
    assert health({"use_case_density": 50.0, "team_coverage": 0.5}).score == 75  # density capped at 1
    assert health({"use_case_density": 2.5, "team_coverage": 0.5}).band == "watch"  # 50
    assert health({"use_case_density": 0.0, "team_coverage": 0.0}).band == "at_risk"
    assert health({}).score is None and health({}).band is None
