"""Reading and writing sheets of use cases (pure: bytes in, rows and errors out)."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from playbooks.usecase_sheets import (
    SheetError,
    export_headers,
    neutralise,
    parse_count,
    parse_date,
    parse_sheet,
    to_csv,
    to_xlsx,
)

JA_SHEET = (
    "タイトル,課題,プロンプト,結果,モデル名,日付,削減時間(分),月間実行回数,利用人数,部署,タグ,ステージ\r\n"
    '議事録の要約,会議の記録に時間がかかる,要約して,10分で共有,GPT-4o,2026/9/1,"1,200",4,3,営業部,'
    "context:sales、議事録,本番\r\n"
    "\r\n"
    "稟議書の下書き,,下書きして,,Claude,2026年10月2日,３０分,2,1,,,\r\n"
)


def test_cp932_sheet_with_japanese_headers_reads_every_field():
    sheet = parse_sheet(JA_SHEET.encode("cp932"), "cases.csv")
    assert sheet.errors == []
    first, second = sheet.rows
    assert first.row == 2 and second.row == 4  # sheet row numbers, blank line skipped
    assert first.values == {
        "source": "import",
        "title": "議事録の要約",
        "problem": "会議の記録に時間がかかる",
        "prompt": "要約して",
        "result": "10分で共有",
        "model_name": "GPT-4o",
        "team": "営業部",
        "used_on": date(2026, 9, 1),
        "minutes_saved_per_run": 1200,
        "runs_per_month": 4,
        "people": 3,
        "tags": ["context:sales", "議事録"],
        "stage": "production",
    }
    assert second.values["used_on"] == date(2026, 10, 2) and second.values["minutes_saved_per_run"] == 30
    assert second.values["stage"] == "shared" and second.values["tags"] == []


def test_utf8_with_bom_english_headers_any_order_and_tabs():
    text = "Model\tDate\tTitle\tNotes\nclaude\t2026-01-05\tDrafting approval requests\tignored\n"
    sheet = parse_sheet(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert sheet.errors == [] and sheet.ignored_columns == ["Notes"]
    assert sheet.rows[0].values["title"] == "Drafting approval requests"
    assert sheet.headers["used_on"] == "Date"


def test_row_errors_name_row_column_and_reason_and_keep_valid_rows():
    text = (
        "Title,Model,Date,Runs per month,Stage\n"
        "ok,gpt,2026-01-01,3,pilot\n"
        ",gpt,2026-01-01,3,\n"
        "no model,,someday,-2,finished\n"
    )
    sheet = parse_sheet(text.encode())
    assert [r.values["title"] for r in sheet.rows] == ["ok"]
    found = {(e.row, e.column) for e in sheet.errors}
    assert found == {(3, "Title"), (4, "Model"), (4, "Date"), (4, "Runs per month"), (4, "Stage")}
    assert all(e.reason for e in sheet.errors)
    assert sheet.errors[0].as_dict() == {"row": 3, "column": "Title", "reason": "This field is required."}


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"foo,bar\n1,2\n", "No header row"),
        ("タイトル,モデル\nx,y\n".encode("cp932"), "Date"),
        (b"\xff\xfe\x00\xd8garbage\x81", "neither UTF-8 nor Shift_JIS"),
        (b"PK\x03\x04not really a zip", ".xlsx file could not be opened"),
    ],
)
def test_whole_file_problems_raise_a_clear_sheet_error(data, message):
    with pytest.raises(SheetError, match=message):
        parse_sheet(data)


def test_too_many_rows_is_refused():
    text = "Title,Model,Date\n" + "t,m,2026-01-01\n" * 5001
    with pytest.raises(SheetError, match="more than 5000 rows"):
        parse_sheet(text.encode())


def test_xlsx_with_date_cells_and_a_title_row_above_the_header():
    book = Workbook()
    sheet = book.active
    sheet.append(["AI活用事例一覧"])
    sheet.append(["タイトル", "モデル", "日付", "削減時間(分/回)"])
    sheet.append(["請求書の明細抽出", "gpt-4o", date(2026, 3, 4), 15.0])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = parse_sheet(buffer.getvalue(), "x.xlsx")
    assert parsed.errors == []
    assert parsed.rows[0].row == 3
    assert parsed.rows[0].values["used_on"] == date(2026, 3, 4)
    assert parsed.rows[0].values["minutes_saved_per_run"] == 15


def test_values_parse_leniently_but_not_wrongly():
    assert parse_date("2026.1.2") == date(2026, 1, 2)
    assert parse_date("2026-01-02 10:00") == date(2026, 1, 2)
    for bad in ("1/2/2026", "2026-13-01", "tomorrow"):
        with pytest.raises(ValueError):
            parse_date(bad)
    assert parse_count("１，２００") == 1200 and parse_count(7) == 7 and parse_count("5 min") == 5
    for bad in ("1.5", -1, "many", True, 2.5):
        with pytest.raises(ValueError):
            parse_count(bad)


CASES = [
    {
        "id": 7,
        "title": '=HYPERLINK("http://evil","x")',
        "problem": "+1 cmd",
        "prompt": "- bullet\n- two",
        "result": "@SUM(A1)",
        "model_name": "gpt-4o",
        "used_on": date(2026, 2, 3),
        "minutes_saved_per_run": 12,
        "runs_per_month": 20,
        "people": 4,
        "team": "経理部",
        "tags": ["context:finance", "請求書"],
        "stage": "pilot",
        "author": "Hanako",
        "source": "post",
    },
    {
        "id": 8,
        "title": "<script>alert(1)</script> 稟議書",
        "problem": "",
        "prompt": "",
        "result": "",
        "model_name": "claude",
        "used_on": date(2026, 2, 4),
        "minutes_saved_per_run": 0,
        "runs_per_month": 0,
        "people": 0,
        "team": "",
        "tags": [],
        "stage": "shared",
        "author": "",
        "source": "import",
    },
]
FIELDS = ("title", "problem", "prompt", "result", "model_name", "used_on", "minutes_saved_per_run")
FIELDS += ("runs_per_month", "people", "team", "tags", "stage")


def test_neutralise_prefixes_dangerous_cells_only():
    assert neutralise("=1+1") == "'=1+1" and neutralise("@x") == "'@x" and neutralise("\tx") == "'\tx"
    assert neutralise("plain") == "plain" and neutralise(-5) == -5


def test_csv_export_neutralises_and_round_trips_through_cp932_and_utf8():
    data = to_csv(CASES, locale="ja")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("タイトル,課題")
    assert "\"'=HYPERLINK" in text and "'+1 cmd" in text and "'@SUM" in text
    for encoded in (data, data.decode("utf-8-sig").encode("cp932")):
        sheet = parse_sheet(encoded)
        assert sheet.errors == []
        assert [{k: r.values[k] for k in FIELDS} for r in sheet.rows] == [
            {k: c[k] for k in FIELDS} for c in CASES
        ]


def test_xlsx_export_stores_text_never_formulas_and_round_trips():
    data = to_xlsx(CASES, locale="en")
    book = load_workbook(io.BytesIO(data))
    rows = list(book.active.iter_rows())
    assert [c.value for c in rows[0]] == export_headers("en")
    assert rows[1][0].value.startswith("'=") and rows[1][0].data_type == "s"
    assert all(c.data_type != "f" for row in rows for c in row)
    sheet = parse_sheet(data, "export.xlsx")
    assert sheet.errors == []
    assert [{k: r.values[k] for k in FIELDS} for r in sheet.rows] == [
        {k: c[k] for k in FIELDS} for c in CASES
    ]
