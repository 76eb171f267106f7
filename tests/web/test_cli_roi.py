"""``flask roi compute``: one JSON object on stdout, named keys on bad input, no traceback."""

import json

import pytest


@pytest.fixture
def runner(app):
    return app.test_cli_runner()  # click >= 8.2 keeps stdout and stderr apart


def test_compute_prints_one_json_object(runner, tmp_path):
    inputs = tmp_path / "in.json"
    inputs.write_text(
        json.dumps(
            {
                "monthly_spend": 300_000,
                "hourly_labor_cost": 5_000,
                "use_cases": [{"title": "要約", "minutes_per_run": 30, "runs_per_month": 6, "people": 100}],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["roi", "compute", str(inputs)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["gross_hours_per_year"] == 3600.0 and out["npv"] > 0
    assert {
        "gross_hours_per_month",
        "realized_value_per_month",
        "cost_per_month",
        "net_benefit_per_month",
        "npv",
        "roi_pct",
        "payback_months",
    } <= set(out)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"monthly_spend": "abc", "hourly_labor_cost": 1}', "monthly_spend"),
        ('{"monthly_spend": 1, "hourly_labor_cost": 1, "realization_rate": 1.2}', "realization_rate"),
        ('{"monthly_spend": -1, "hourly_labor_cost": 1}', "monthly_spend"),
        ("not json", "not valid UTF-8 JSON"),
    ],
)
def test_bad_input_names_the_key_and_exits_non_zero(runner, tmp_path, content, needle):
    inputs = tmp_path / "in.json"
    inputs.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["roi", "compute", str(inputs)])
    assert result.exit_code == 1
    assert needle in json.loads(result.stdout)["error"]
    assert "Traceback" not in result.output
