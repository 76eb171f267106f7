"""A 1,000,000-row usage import against a bare pandas read_csv of the same file, in the same run.

The import is the job a large upload runs (reports/usage_jobs.py): chunked read, every cell checked, people
hashed, rows upserted (COPY on PostgreSQL), all in one transaction. The floor only parses the file. Each
phase runs in a child process, so its peak memory (RSS) is its own; the import is also run on a quarter of
the rows to show that its memory does not grow with the file.

    .venv/bin/python bench/bench_import.py    # env BENCH_ROWS (1,000,000), BENCH_DATABASE_URL (PostgreSQL)
"""

import multiprocessing
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _report import figure  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "")  # see bench/_setup.py


def write_file(path: Path, rows: int) -> None:
    start = date(2026, 1, 1)
    teams = ["営業部", "経理部", "開発部", "人事部"]
    with path.open("w", encoding="utf-8") as out:
        out.write("日付,ユーザー,部署,利用回数,削減時間(分)\n")
        for i in range(rows):
            day = start + timedelta(days=i % 300)
            out.write(f"{day:%Y/%m/%d},user{i % 5000}@client.example.jp,{teams[i % 4]},{i % 9},{i % 31}\n")


def _floor(path: str, results) -> None:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(path)
    assert len(frame)
    results.put(("floor", time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def _import(path: str, label: str, results) -> None:
    from _setup import bench_app, bench_owner

    from app.extensions import db
    from reports.usage import UsageImport
    from reports.usage_jobs import run_usage_import
    from tenants.onboarding import AccountDraft, TeamDraft, onboard_account
    from tenants.scoping import Scope, scoped

    app = bench_app()
    with app.app_context():
        owner = bench_owner()
        with scoped(db.session, Scope(owner.tenant_id)):
            account = onboard_account(
                db.session,
                owner.tenant,
                owner,
                AccountDraft(
                    name="Client",
                    industry="other",
                    licensed_seats=5000,
                    monthly_spend_yen=1_000_000,
                    hourly_labor_cost_yen=5000,
                    kickoff_date=date(2026, 1, 1),
                    admin_email="a@client.example.jp",
                    teams=[TeamDraft(t, 1000) for t in ("営業部", "経理部", "開発部", "人事部")],
                ),
            ).account
            record = UsageImport(
                tenant_id=owner.tenant_id,
                account_id=account.id,
                filename="big.csv",
                sha256="0" * 64,
                format="generic",
                status="queued",
                options={"fmt": "auto"},
                stored_file=path,
            )
            db.session.add(record)
            db.session.commit()
            import_id, tenant_id = record.id, owner.tenant_id
        keep = Path(path).read_bytes()  # the job deletes its file when done
        started = time.perf_counter()
        status = run_usage_import(import_id, tenant_id)
        seconds = time.perf_counter() - started
        Path(path).write_bytes(keep)
        assert status == "done", status
    results.put((label, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def run(target, *args) -> tuple[str, float, int]:
    results = multiprocessing.Queue()
    child = multiprocessing.Process(target=target, args=(*args, results))
    child.start()
    outcome = results.get()
    child.join()
    return outcome


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    big, quarter = folder / "big.csv", folder / "quarter.csv"
    write_file(big, ROWS)
    write_file(quarter, ROWS // 4)
    _, floor_s, floor_kb = run(_floor, str(big))
    _, small_s, small_kb = run(_import, str(quarter), "quarter")
    _, import_s, import_kb = run(_import, str(big), "full")
    backend = "postgresql" if DATABASE_URL else "sqlite"
    ratio = import_s / floor_s
    print(f"{ROWS:,} rows ({big.stat().st_size / 1e6:.0f} MB), {backend}")
    print(f"floor: pandas.read_csv       {floor_s:7.2f} s   peak RSS {floor_kb / 1024:6.0f} MiB")
    print(f"import of {ROWS // 4:>9,} rows      {small_s:7.2f} s   peak RSS {small_kb / 1024:6.0f} MiB")
    print(
        f"import of {ROWS:>9,} rows      {import_s:7.2f} s   "
        f"peak RSS {import_kb / 1024:6.0f} MiB   {ratio:.1f}x"
    )
    figure(
        f"usage import, {ROWS:,} rows, {backend}",
        floor="bare pandas.read_csv of the same file",
        ratio=ratio,
        target="<= 3x time",
        met=ratio <= 3,
        unit="s",
        measured_p50=round(import_s, 2),
        floor_p50=round(floor_s, 2),
        note=f"peak RSS {import_kb / 1024:.0f} MiB at {ROWS:,} rows, "
        f"{small_kb / 1024:.0f} MiB at {ROWS // 4:,}",
    )


if __name__ == "__main__":
    main()
