"""Usage-export importers on real-shaped samples written here (pure: no database)."""

import io
import json
from datetime import date

import pytest
from openpyxl import Workbook

from reports.importers import detect, read

M365 = (
    "\ufeffReport Refresh Date,User Principal Name,Display Name,Last Activity Date (UTC),"
    "Microsoft Teams Copilot Last Activity Date (UTC),Word Copilot Last Activity Date (UTC),"
    "Excel Copilot Last Activity Date (UTC),Copilot Chat Last Activity Date (UTC),Report Period\n"
    "2026-10-31,a1b2c3d4e5,Hidden,2026-10-30,2026-10-30,,2026-10-02,,30\n"
    "2026-10-31,taro@sakura.example.jp,山田 太郎,2026-10-29,,2026-10-29,,2026-10-15,30\n"
    "2026-10-31,hanako@sakura.example.jp,鈴木 花子,,,,,,30\n"
    "2026-10-31,jiro@sakura.example.jp,佐藤 次郎,2026-10-40,2026-10-40,,,,30\n"
)

GENERIC_JA = (
    "日付,ユーザー,部署,利用回数,削減時間(分)\n"
    '2026/9/1,u001,営業部,"1,181",30\n'
    "\n"
    "2026-09-02,u002,経理部,12,15\n"
    "2026-09-03,,経理部,3,5\n"
    "2026/9/4,u003,営業部,abc,5\n"
)


def test_m365_user_detail_gives_one_active_row_per_user_and_app():
    data = M365.encode("utf-8")
    assert detect(data[:4096]).name == "m365_copilot"
    result = read(data)
    assert result.encoding == "utf-8-sig" and result.rows == 4
    rows = sorted(zip(result.frame.user, result.frame.app, result.frame.day, strict=True))
    assert ("a1b2c3d4e5", "Microsoft Teams", date(2026, 10, 30)) in rows  # concealed names: still counted
    assert ("taro@sakura.example.jp", "Copilot Chat", date(2026, 10, 15)) in rows
    assert "hanako@sakura.example.jp" not in set(result.frame.user)  # no activity in the period
    assert [(p.row, p.column) for p in result.problems] == [
        (5, "Microsoft Teams Copilot Last Activity Date (UTC)")
    ]


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "utf-8"])
def test_generic_japanese_sheet_in_every_encoding_reports_bad_rows(encoding):
    result = read(GENERIC_JA.encode(encoding))
    assert result.format == "generic" and result.encoding == (
        "utf-8-sig" if encoding == "utf-8" else encoding
    )
    assert list(result.frame.actions) == [1181.0, 12.0]  # quoted thousands separator; blank line skipped
    assert list(result.frame.day) == [date(2026, 9, 1), date(2026, 9, 2)]
    assert [(p.row, p.column) for p in result.problems] == [(5, "ユーザー"), (6, "利用回数")]


def test_unknown_headers_need_a_mapping():
    data = b"when,who,n\n2026-09-01,u1,3\n"
    unmapped = read(data)
    assert {p.column for p in unmapped.problems} == {"day", "user"} and unmapped.frame.empty
    mapped = read(data, mapping={"when": "day", "who": "user", "n": "actions"})
    assert not mapped.problems and list(mapped.frame.actions) == [3.0]


def test_xlsx_is_read_like_csv():
    book = Workbook()
    sheet = book.active
    sheet.append(["日付", "ユーザー", "部署", "利用回数"])
    sheet.append([date(2026, 9, 1), "u1", "営業部", 4])
    out = io.BytesIO()
    book.save(out)
    result = read(out.getvalue())
    assert result.format == "generic" and list(result.frame.user) == ["u1"] and not result.problems


def test_github_legacy_array_and_ndjson_ignore_unknown_keys():
    legacy = json.dumps(
        [
            {
                "date": "2026-03-01",
                "total_active_users": 24,
                "total_engaged_users": 20,
                "copilot_ide_code_completions": {
                    "editors": [
                        {"models": [{"languages": [{"name": "python", "total_code_suggestions": 100}]}]}
                    ]
                },
                "future_key": 1,
            }
        ]
    )
    result = read(legacy.encode())
    assert result.format == "github_copilot"
    assert list(result.frame.active) == [24] and list(result.frame.actions) == [100.0]
    ndjson = "\n".join(
        json.dumps(x)
        for x in [
            {
                "day": "2026-11-01",
                "user_login": "octo",
                "user_initiated_interaction_count": 5,
                "code_generation_activity_count": 2,
                "totals_by_ide": [],
                "new_field": {"x": 1},
            },
            {"day": "2026-11-02", "user_login": "cat", "user_initiated_interaction_count": 1},
        ]
    )
    result = read(ndjson.encode())
    assert list(result.frame.user) == ["octo", "cat"] and list(result.frame.actions) == [7.0, 1.0]
    broken = read(b'{"day": "2026-11-01"}\n{not json\n', fmt="github_copilot")
    assert broken.frame.empty and broken.problems[0].row == 2


def test_a_file_that_is_none_of_these_is_refused():
    with pytest.raises(ValueError):
        read(b"\x00\x01binary")
