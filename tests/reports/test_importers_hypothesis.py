"""Hostile files against every importer (property tests, hypothesis).

Files are built from pieces people and attackers actually send: the encodings Excel and other tools write
(UTF-8, UTF-8 with BOM, CP932, UTF-16, Latin-1 garbage), the four delimiters, 100k-character fields,
formula cells, NUL bytes, blank lines, duplicated headers, ragged rows, and plain random bytes. The
properties:

* reading never raises anything but the documented error (``ValueError`` for usage exports,
  ``SheetError`` for use-case sheets); everything else is a result with row/column problems;
* what a reader returns can be stored as it is (typed, finite, no NUL in stored text);
* all-or-nothing: a file with problems writes no row unless "only the valid rows" was chosen;
* importing the same file again never double counts.

Examples are derandomized and bounded so the module runs well under a minute on two cores.
"""

import io
import math
import zipfile
from collections import Counter
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from playbooks.usecase_import import import_sheet
from playbooks.usecase_sheets import SheetError, parse_sheet
from playbooks.usecases import UseCase
from reports.importers import COLUMNS, Result, read
from reports.importers.generic import GenericSheet
from reports.usage import UsageImport, UsageRow, import_usage
from tenants.accounts import get_account
from tenants.db import db
from tenants.scoping import Scope, scoped
from tests.factories import make_world

# A 140k-character field makes hypothesis warn that the failing example it would print is large.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
PURE = settings(max_examples=400, deadline=None, derandomize=True)
STORED = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FORMULAS = ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("http://x")', "\t=1", "\r=1")
HOSTILE_TEXT = st.one_of(
    st.sampled_from(FORMULAS),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\u202e", "<script>alert(1)</script>", "\ufeff", '"', "'"]),
    st.sampled_from(["nan", "inf", "-1", "1e999", "1,181", "１２", "0x10", "2026-13-40", "2026/9/1"]),
    st.text(max_size=20),
    st.integers(min_value=100_000, max_value=140_000).map(lambda n: "x" * n),  # huge fields
)
GOOD = {
    "day": st.sampled_from(["2026-09-01", "2026/9/2", "2026年9月3日", "2026-09-04 10:00"]),
    "user": st.sampled_from(["u1@x.jp", "u2", "TARO@x.jp", "taro@x.jp"]),
    "team": st.sampled_from(["Sales", "Ops", "営業部", ""]),
    "actions": st.sampled_from(["1", "1,181", "", "0"]),
    "minutes": st.sampled_from(["5", "", "30"]),
    "app": st.sampled_from(["chat", "word", "x" * 70 + "a", "x" * 70 + "b"]),
}
GENERIC_HEADERS = ["日付", "ユーザー", "部署", "利用回数", "削減時間(分)", "アプリ", "date", "extra", ""]
M365_HEADERS = [
    "Report Refresh Date",
    "User Principal Name",
    "Display Name",
    "Microsoft Teams Copilot Last Activity Date (UTC)",
    "Word Copilot Last Activity Date (UTC)",
    "Copilot Chat Last Activity Date (UTC)",
    "x" * 70 + " Copilot Last Activity Date (UTC)",
    "y" * 70 + "1 Copilot Last Activity Date (UTC)",
    "y" * 70 + "2 Copilot Last Activity Date (UTC)",
    "Report Period",
]
USECASE_HEADERS = [
    "Title",
    "Model",
    "Date",
    "課題",
    "プロンプト",
    "タグ",
    "ステージ",
    "利用人数",
    "Team",
    "Title",
]
ENCODINGS = ["utf-8", "utf-8-sig", "cp932", "utf-16", "latin-1"]
DELIMITERS = [",", ";", "\t", "|"]


def cell_for(header: str, hostility: int):
    """A plausible value for the column, or (one time in ``hostility``) a hostile one; 0: always plausible."""
    good = {
        "日付": GOOD["day"],
        "date": GOOD["day"],
        "Date": GOOD["day"],
        "ユーザー": GOOD["user"],
        "User Principal Name": GOOD["user"],
        "部署": GOOD["team"],
        "Team": GOOD["team"],
        "利用回数": GOOD["actions"],
        "利用人数": GOOD["actions"],
        "削減時間(分)": GOOD["minutes"],
        "アプリ": GOOD["app"],
        "Title": st.sampled_from(["議事録の要約", "Summaries"]),
        "Model": st.sampled_from(["GPT-4o", "Claude"]),
    }.get(header)
    if good is None and header.endswith("Last Activity Date (UTC)"):
        good = st.sampled_from(["", "2026-10-30", "2026-10-02"])
    if good is None:
        return HOSTILE_TEXT if hostility else st.just("")
    if not hostility:
        return good
    return st.one_of(*[good] * (hostility - 1), HOSTILE_TEXT)


def quote(value: str, delimiter: str) -> str:
    if any(c in value for c in (delimiter, '"', "\n", "\r")) and value != "\r=1":
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def sheets(draw, headers: list[str]):
    """A CSV (any encoding and delimiter) or .xlsx built from ``headers`` with hostile cells and shapes."""
    chosen = draw(st.lists(st.sampled_from(headers), min_size=1, max_size=len(headers) + 2))
    if draw(st.integers(0, 3)):  # most files name the columns they need
        chosen = [h for h in headers[:3]] + chosen
    hostility = draw(st.sampled_from([0, 0, 3, 8]))
    rows = [chosen]
    for _ in range(draw(st.integers(0, 6))):
        row = [draw(cell_for(h, hostility)) for h in chosen]
        shape = draw(st.sampled_from(["full"] * 6 + ["short", "long", "blank"]))
        if shape == "short":
            row = row[: draw(st.integers(0, len(row)))]
        elif shape == "long":
            row += [draw(HOSTILE_TEXT)]
        elif shape == "blank":
            row = []
        rows.append(row)
    if draw(st.integers(0, 5)) == 0:
        return xlsx(rows)
    delimiter = draw(st.sampled_from(DELIMITERS))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(delimiter.join(quote(str(c), delimiter) for c in row) for row in rows) + newline
    encoding = draw(st.sampled_from(ENCODINGS + ["utf-8", "utf-8-sig"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 8)) == 0:  # a damaged file: random bytes spliced in
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=40)) + data[at:]
    return data


def xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        # openpyxl refuses control characters in cells; a real workbook cannot hold them either.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", str(c))[:32_000] for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def damage(book: bytes, cut: float) -> bytes:
    """The workbook with its sheet XML cut short: it opens as a zip, then fails while its rows are read."""
    source, out = zipfile.ZipFile(io.BytesIO(book)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: int(len(data) * cut)]
            target.writestr(item, data)
    return out.getvalue()


DAMAGED_XLSX = st.builds(
    damage,
    st.lists(
        st.lists(st.sampled_from(["Title", "Model", "Date", "日付", "ユーザー", "2026-09-01"]), max_size=4)
    ).map(xlsx),
    st.floats(0, 0.99),
)

GITHUB_KEYS = ["day", "date", "total_active_users", "user_login", "user", "total_code_suggestions", "editors"]
GITHUB_KEYS += ["user_initiated_interaction_count", "code_generation_activity_count"]


def github_nodes(children):
    """Lists and objects (with the keys the importer reads) around ``children``."""
    objects = st.dictionaries(st.sampled_from(GITHUB_KEYS), children, max_size=6)
    return st.lists(children, max_size=4) | objects


GITHUB = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["2026-09-01", "2026-13-01", "nan"]),
    github_nodes,
    max_leaves=20,
)


@st.composite
def github_files(draw):
    import json

    items = draw(st.lists(GITHUB, max_size=5))
    if draw(st.booleans()):
        text = json.dumps(items, ensure_ascii=draw(st.booleans()))
    else:
        text = "\n".join(json.dumps(i) for i in items)
    if draw(st.integers(0, 6)) == 0:
        text = "[" * draw(st.integers(1, 200_000))  # deep nesting
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))
    if draw(st.integers(0, 6)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=20)) + data[at:]
    return data


ANY_USAGE_FILE = st.one_of(
    sheets(GENERIC_HEADERS),
    sheets(M365_HEADERS),
    github_files(),
    st.binary(max_size=300),
    st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b),
    DAMAGED_XLSX,
)


def check_storable(result: Result) -> None:
    """What a reader hands on can be stored as is: typed values, finite numbers, no NUL in stored text."""
    assert list(result.frame.columns) == COLUMNS
    for problem in result.problems:
        assert isinstance(problem.row, int) and problem.row >= 0
        assert isinstance(problem.column, str) and isinstance(problem.reason, str)
    for row in result.frame.itertuples(index=False):
        assert type(row.day) is date
        assert isinstance(row.user, str) and row.user.strip() and "\x00" not in row.user
        assert isinstance(row.app, str) and row.app and "\x00" not in row.app
        if not (row.team is None or row.team != row.team):  # None or NaN (pandas' missing value)
            assert isinstance(row.team, str) and row.team.strip() and "\x00" not in row.team
        assert int(row.active) == row.active and row.active >= 0
        for number in (row.actions, row.minutes_saved):
            assert math.isfinite(number) and number >= 0


def read_or_refuse(data: bytes, fmt: str = "auto", mapping=None) -> Result | None:
    try:
        result = read(data, fmt, mapping)
    except ValueError:
        return None  # the documented refusal of a whole file
    check_storable(result)
    return result


@PURE
@given(ANY_USAGE_FILE, st.sampled_from(["auto", "generic", "m365_copilot", "github_copilot"]))
# The files that broke an importer before (each was a traceback instead of a result or a refusal):
@example(b"PK", "auto")  # a damaged .xlsx
@example(b"\x00", "generic")  # nothing the delimiter sniffer recognises
@example(("day,user\n2026-09-01," + "x" * 140_000 + "\n").encode(), "generic")  # a cell over 128 KB
@example(b'day;user\r\n2026-09-01;"a\rb"\r\n', "generic")  # CR inside a quoted cell
@example(b"day,user,actions\n2026-09-01,u1,nan\n2026-09-01,u2,1e999\n", "generic")  # not finite
@example(b"day,user\n2026-09-01,u\x00\n", "generic")  # NUL in a stored name
@example(b"[" * 100_000, "github_copilot")  # nested deeper than the recursion limit
@example(b'[{"day": "2026-09-01", "total_active_users": "many"}]', "github_copilot")
@example(b'{"day": "2026-09-01", "user_initiated_interaction_count": 1e400}', "github_copilot")
@example(
    "User Principal Name,Word Copilot Last Activity Date (UTC)\nu1,2026-09-01\n".encode("utf-16"), "auto"
)
def test_every_usage_importer_reads_hostile_files_or_refuses_them(data, fmt):
    read_or_refuse(data, fmt)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    sheets(GENERIC_HEADERS + ["when", "who", "how many"]),
    st.dictionaries(
        st.sampled_from(["when", "who", "how many", "extra", "部署", "missing"]),
        st.sampled_from([*COLUMNS, "", "nonsense"]),
        max_size=4,
    ),
)
@example(b"date,who\n2026-09-01,u1\n", {"when": "user"})  # maps a header the file lacks
@example(b"date,user,n\n2026-09-01,u1,yes\n", {"n": "active"})  # "active" must be a count
@example(b"date,user,n\n2026-09-01,u1,\n", {"n": "app"})  # a blank app
def test_a_chosen_column_mapping_never_breaks_the_reader(data, mapping):
    read_or_refuse(data, "generic", mapping)


@PURE
@given(st.one_of(sheets(USECASE_HEADERS), st.binary(max_size=300), DAMAGED_XLSX))
def test_usecase_sheets_read_hostile_files_or_refuse_them(data):
    try:
        parsed = parse_sheet(data, "cases.csv")
    except SheetError:
        return
    for error in parsed.errors:
        assert isinstance(error.row, int) and error.row >= 2 and isinstance(error.column, str)
    for row in parsed.rows:
        assert type(row.values["used_on"]) is date and row.values["title"] and row.values["model_name"]


def usage_rows(account_id: int) -> int:
    return db.session.scalar(db.select(db.func.count(UsageRow.id)).where(UsageRow.account_id == account_id))


def test_usage_import_is_all_or_nothing_and_never_double_counts(app):
    world = make_world(app, "hyp-usage")
    seen = Counter()

    @STORED
    @given(ANY_USAGE_FILE, st.booleans(), st.booleans())
    def check(data, only_valid, create_teams):
        with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
            account = get_account(db.session, world.account_ids[0])
            try:
                options = dict(
                    filename="u\x00.csv", secret="s", only_valid=only_valid, create_teams=create_teams
                )
                try:
                    first = import_usage(db.session, account, None, data, **options)
                except ValueError:
                    seen["file refused"] += 1
                    assert usage_rows(account.id) == 0
                    return
                stored = usage_rows(account.id)
                seen[first.status + (", rows stored" if stored else "")] += 1
                if first.errors and not only_valid:
                    assert first.status == "refused" and stored == 0
                else:
                    assert first.status == "done" and stored == first.imported
                again = import_usage(db.session, account, None, data, **options)
                assert usage_rows(account.id) == stored  # replaced, never added again
                if again.status == "done":
                    assert again.replaced == again.imported == stored
                db.session.flush()
            finally:
                db.session.rollback()

    check()
    # The generator reaches every outcome, so each property above was really exercised.
    assert {"file refused", "refused", "done, rows stored"} <= seen.keys(), seen


def test_usecase_sheet_import_is_all_or_nothing(app):
    world = make_world(app, "hyp-cases")
    seen = Counter()

    @STORED
    @given(sheets(USECASE_HEADERS), st.booleans())
    def check(data, only_valid):
        with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
            account = get_account(db.session, world.account_ids[0])
            before = db.session.scalar(db.select(db.func.count(UseCase.id)))
            try:
                try:
                    outcome = import_sheet(
                        db.session, account, None, data, "cases.csv", only_valid=only_valid
                    )
                except SheetError:
                    seen["file refused"] += 1
                    assert db.session.scalar(db.select(db.func.count(UseCase.id))) == before
                    return
                db.session.flush()
                added = db.session.scalar(db.select(db.func.count(UseCase.id))) - before
                seen[
                    ("committed" if outcome.committed else "refused") + (", cases added" if added else "")
                ] += 1
                if outcome.errors and not only_valid:
                    assert added == 0 and not outcome.committed
                else:
                    assert added == outcome.imported == outcome.valid
            finally:
                db.session.rollback()

    check()
    assert {"file refused", "refused", "committed, cases added"} <= seen.keys(), seen


def test_import_records_are_written_even_for_refused_files(app):
    """The history keeps a refused file (with its problems), so an all-or-nothing refusal is visible."""
    world = make_world(app, "hyp-history")
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])
        record = import_usage(
            db.session,
            account,
            None,
            "日付,ユーザー\n2026-09-01,\x00\n".encode(),
            filename="x.csv",
            secret="s",
        )
        db.session.commit()
        assert record.status == "refused" and usage_rows(account.id) == 0
        own = db.select(db.func.count(UsageImport.id)).where(UsageImport.filename == "x.csv")
        assert db.session.scalar(own) == 1  # (the factory's world has a failed import of its own)


# ---------------------------------------------------------------- the way out: exports never run a formula

EXPORTED_TEXT = st.one_of(
    st.sampled_from([*FORMULAS, "'=1+1", "'plain", "''=x", "-5", "+81 3 1234", "@home", "=", "'"]),
    st.builds(lambda p, t: p + t, st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", ""]), st.text()),
)


def assert_no_formula(cells) -> None:
    for cell in cells:
        if isinstance(cell, str) and cell.startswith(("=", "+", "-", "@", "\t", "\r")):
            float(cell)  # only a number (a negative figure in a CSV) may start so


def case_with(texts: list[str]) -> dict:
    title, problem, prompt, result, model, team, tag = texts
    return {
        "id": 1,
        "title": title.strip() or "x",
        "problem": problem,
        "prompt": prompt,
        "result": result,
        "model_name": model.strip() or "m",
        "used_on": date(2026, 9, 1),
        "minutes_saved_per_run": 1,
        "runs_per_month": 2,
        "people": 3,
        "team": team,
        "tags": [tag],
        "stage": "shared",
        "author": title,
        "source": "import",
    }


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(EXPORTED_TEXT, min_size=7, max_size=7))
def test_use_case_exports_never_start_a_cell_with_a_formula(texts):
    import csv as csvlib

    from openpyxl import load_workbook

    from playbooks.usecase_sheets import to_csv, to_xlsx

    case = case_with(texts)
    data = to_csv([case])
    for row in csvlib.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        assert_no_formula(row)
    # ... and what was exported imports back as it was written (the apostrophe is only for spreadsheets).
    (row,) = parse_sheet(data).rows
    for name in ("title", "problem", "prompt", "result", "model_name", "team"):
        assert row.values[name].strip() == case[name].strip(), name
    book = load_workbook(io.BytesIO(to_xlsx([case])))
    for row in book.active.iter_rows():
        assert all(c.data_type != "f" for c in row)
        assert_no_formula(c.value for c in row)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(EXPORTED_TEXT, min_size=7, max_size=7))
def test_report_figure_exports_never_start_a_cell_with_a_formula(texts):
    from types import SimpleNamespace

    from openpyxl import load_workbook

    from reports.exports import to_csv, to_xlsx

    figures = dict.fromkeys(
        [
            "gross_hours_per_month",
            "gross_hours_per_year",
            "realized_hours_per_month",
            "realized_hours_per_year",
            "realized_value_per_month",
            "realized_value_per_year",
            "cost_per_month",
            "net_benefit_per_month",
            "net_benefit_per_year",
            "npv",
            "roi_pct",
            "payback_months",
            "cost_per_hour_saved",
        ],
        -1.5,  # negative figures stay numbers, never text
    )
    roi = {
        **figures,
        "assumptions": {"note": texts[0]},
        "use_cases": [{"title": t, "gross_hours_per_month": 1.0} for t in texts[1:]],
    }
    report = SimpleNamespace(
        id=1,
        results={"roi": roi, "account": {"name": texts[0]}},
        period_start=date(2026, 9, 1),
        period_end=date(2026, 9, 30),
        inputs_sha256="0" * 64,
    )
    import csv as csvlib

    for row in csvlib.reader(io.StringIO(to_csv(report).decode("utf-8-sig"), newline="")):
        assert_no_formula(row)
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    for row in book.active.iter_rows():
        assert all(c.data_type != "f" for c in row)
        assert_no_formula(c.value for c in row)


# ---------------------------------------------------------------- the same files through the upload pages


def test_upload_pages_check_and_import_hostile_files_without_a_server_error(app):
    """The web path (check, then import; the use-case sheet import) answers every file with a page."""
    from tests.factories import PASSWORD
    from tests.helpers import csrf_token, login

    world = make_world(app, "hyp-web")
    client = app.test_client()
    login(client, world.email("csm"), PASSWORD)
    token = csrf_token(client)
    usage_url = f"/accounts/{world.account_ids[0]}/usage"
    seen = Counter()

    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(st.one_of(ANY_USAGE_FILE, sheets(USECASE_HEADERS)), st.booleans())
    def check(data, only_valid):
        form = {"csrf_token": token, "format": "auto", "file": (io.BytesIO(data), "hostile\x00<b>.csv")}
        preview = client.post(f"{usage_url}/preview", data=form, content_type="multipart/form-data")
        assert preview.status_code in (200, 302), preview.status_code
        page = preview.get_data(as_text=True)
        if preview.status_code == 200:
            seen["checked"] += 1
            pending = page.split('name="token" value="')[1].split('"')[0]
            fields = {"csrf_token": token, "token": pending, "filename": "hostile.csv", "format": "auto"}
            if only_valid:
                fields["only_valid"] = "1"
            done = client.post(f"{usage_url}/import", data=fields)
            assert done.status_code == 302, done.status_code
        sheet = {"csrf_token": token, "account_id": str(world.account_ids[0]), "action": "import"}
        sheet |= {"only_valid": "y" if only_valid else "", "file": (io.BytesIO(data), "cases.csv")}
        imported = client.post("/library/import", data=sheet, content_type="multipart/form-data")
        assert imported.status_code in (200, 422), imported.status_code

    check()
    assert seen["checked"] >= 10, seen


def read_chunks_or_refuse(data: bytes, mapping=None) -> list[Result] | None:
    """The chunked reader of large CSV files (the import job's), on the same hostile files."""
    try:
        results = list(GenericSheet().read_chunks(io.BytesIO(data), mapping, chunk_rows=7))
    except ValueError:
        return None
    for result in results:
        check_storable(result)
    return results


@PURE
@given(sheets(GENERIC_HEADERS))
@example(b"day,user,actions\n2026-09-01,u1,nan\n2026-09-01,u2,1e999\n")  # not finite
@example(b"day,user\n2026-09-01,u\x00\n")  # NUL in a stored name
@example(b"day,user,n\n2026-09-01,u1,2.5\n")
@example("日付;ユーザー\n２０２６年９月１日;u1\n\n2026/13/1;u2\n".encode())
def test_the_chunked_reader_of_large_files_agrees_on_which_rows_are_good(data):
    """Chunk by chunk, the same rows are stored and the same lines refused as by the whole-file reader."""
    whole = read_or_refuse(data, "generic")
    chunks = read_chunks_or_refuse(data)
    if whole is None or chunks is None:
        return  # one refused the file as a whole: the job reports it and imports nothing
    stored = pd.concat([c.frame for c in chunks], ignore_index=True) if chunks else whole.frame.iloc[:0]
    assert len(stored) == len(whole.frame)
    assert sorted({p.row for c in chunks for p in c.problems}) == sorted({p.row for p in whole.problems})
