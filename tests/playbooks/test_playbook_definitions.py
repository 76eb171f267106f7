"""Playbook files: shipped ones are valid; broken ones are rejected with file, key path and reason (pure)."""

import pytest
import yaml

from playbooks.definitions import SHIPPED_DIR, PlaybookFileError, check_shipped, parse, shipped


def _good() -> dict:
    return {
        "key": "pilot",
        "version": 1,
        "title": {"ja": "試行", "en": "Pilot"},
        "summary": {"ja": "概要", "en": "Summary"},
        "phases": [
            {
                "key": "first",
                "title": {"ja": "最初", "en": "First"},
                "tasks": [
                    {
                        "key": "a",
                        "owner": "csm",
                        "title": {"ja": "A", "en": "A"},
                        "description": {"ja": "説明", "en": "Why"},
                        "offset_days": 3,
                    },
                    {
                        "key": "b",
                        "owner": "champion",
                        "title": {"ja": "B", "en": "B"},
                        "description": {"ja": "説明", "en": "Why"},
                        "recurrence": "monthly",
                    },
                ],
            }
        ],
    }


def _errors(data, file="custom.yaml") -> list[str]:
    with pytest.raises(PlaybookFileError) as info:
        parse(yaml.safe_dump(data, allow_unicode=True), file=file)
    return [str(p) for p in info.value.problems]


def test_shipped_playbooks_load_with_both_languages():
    specs = shipped()
    assert set(specs) == {"ai_champion", "monthly_lt", "hackathon", "reorientation_90d"}
    for spec in specs.values():
        for _, task in spec.tasks():
            assert task.title.ja != task.title.en
            assert task.description.get("ja") and task.description.get("en")
    assert specs["monthly_lt"].task("hold_lt_day").recurrence == "monthly"
    assert specs["hackathon"].task("run_hackathon").offset_months == 6
    assert specs["hackathon"].task("run_hackathon").recurrence == "semiannual"
    check_shipped()


def test_a_good_file_parses():
    spec = parse(yaml.safe_dump(_good()))
    assert [t.key for _, t in spec.tasks()] == ["a", "b"]
    assert spec.task("b").recurring and not spec.task("a").recurring


def test_unknown_owner_role_names_file_path_and_roles():
    data = _good()
    data["phases"][0]["tasks"][1]["owner"] = "manager"
    assert _errors(data) == [
        "custom.yaml: phases.0.tasks.1.owner: unknown owner role 'manager'; "
        "use one of csm, client_admin, champion"
    ]


def test_negative_offset():
    data = _good()
    data["phases"][0]["tasks"][0]["offset_days"] = -5
    (msg,) = _errors(data)
    assert msg.startswith("custom.yaml: phases.0.tasks.0.offset_days: ")
    assert "greater than or equal to 0" in msg


def test_duplicated_task_key_points_at_the_second_one():
    data = _good()
    data["phases"][0]["tasks"][1]["key"] = "a"
    assert _errors(data) == [
        "custom.yaml: phases.0.tasks.1.key: duplicated task key 'a' (first at phases.0.tasks.0.key)"
    ]


def test_missing_language_unknown_key_and_recurrence_are_all_reported():
    data = _good()
    del data["title"]["ja"]
    data["phases"][0]["tasks"][0]["colour"] = "red"
    data["phases"][0]["tasks"][1]["recurrence"] = "weekly"
    errors = _errors(data)
    assert "custom.yaml: title.ja: Field required" in errors
    assert "custom.yaml: phases.0.tasks.0.colour: unknown key" in errors
    assert (
        "custom.yaml: phases.0.tasks.1.recurrence: unknown recurrence 'weekly'; "
        "use one of once, monthly, semiannual" in errors
    )


def test_broken_yaml_gives_line_and_column():
    with pytest.raises(PlaybookFileError) as info:
        parse("key: x\nphases: [\n  - a: b\n", file="bad.yaml")
    (problem,) = info.value.problems
    assert problem.file == "bad.yaml" and problem.path.startswith("line ")
    assert "not valid YAML" in problem.reason


def test_not_a_mapping():
    assert _errors(["a", "b"]) == ["custom.yaml: (file): expected a mapping with key, version, title, phases"]


def test_a_broken_shipped_playbook_stops_the_check(tmp_path, monkeypatch):
    broken = _good()
    broken["phases"][0]["tasks"][0]["owner"] = "boss"
    (tmp_path / "x.yaml").write_text(yaml.safe_dump(broken))
    monkeypatch.setattr("playbooks.definitions.SHIPPED_DIR", tmp_path)
    try:
        expected = r"x\.yaml: phases\.0\.tasks\.0\.owner: unknown owner role 'boss'"
        with pytest.raises(PlaybookFileError, match=expected):
            check_shipped()
    finally:
        monkeypatch.setattr("playbooks.definitions.SHIPPED_DIR", SHIPPED_DIR)
        check_shipped()
