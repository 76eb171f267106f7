"""ROI report generation against a bare WeasyPrint render of the same page, measured in the same run.

Floor: WeasyPrint's own ``HTML(string=...).write_pdf()`` of the finished report HTML (same pages, same
stylesheet and inline charts, default settings). Measured: what the report job does with a warm worker —
template, the plotly charts through the warm kaleido server, the locked-down fetcher, the PDF.
Target (issue 16): ratio <= 1.5.

    .venv/bin/python bench/bench_roi_pdf.py            # SQLite in a temp dir; BENCH_ROUNDS=10 by default
"""

import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("FAST_PASSWORD_HASH", "1")

from _report import figure, percentiles  # noqa: E402
from _setup import bench_app, bench_owner  # noqa: E402
from weasyprint import HTML  # noqa: E402

from app.extensions import db  # noqa: E402
from playbooks.usecases import Stage, create_use_case  # noqa: E402
from reports.account_reports import ReportRequest, request_report  # noqa: E402
from reports.report_pdf import account_report_html, render_account_report_pdf  # noqa: E402
from tenants.onboarding import AccountDraft, TeamDraft, onboard_account  # noqa: E402
from tenants.scoping import Scope, scoped  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))


def timed(fn, rounds):
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    app = bench_app(TESTING=True, REDIS_URL="")
    with app.app_context():
        owner = bench_owner()
        with scoped(db.session, Scope(owner.tenant_id)):
            draft = AccountDraft(
                name="株式会社ベンチ",
                industry="manufacturing",
                licensed_seats=1200,
                monthly_spend_yen=1_200_000,
                hourly_labor_cost_yen=4_800,
                kickoff_date=date(2026, 4, 1),
                admin_email="a@bench.example.jp",
                teams=[TeamDraft(f"部署{i}", 50) for i in range(8)],
            )
            account = onboard_account(db.session, owner.tenant, owner, draft).account
            for i in range(12):
                create_use_case(
                    db.session,
                    account,
                    owner,
                    title=f"業務{i}の下書きと要約を自動化する",
                    model_name="GPT-4o",
                    used_on=date(2026, 5 + i % 6, 3),
                    problem="毎回30分かかる" * 5,
                    prompt="次の要件で" * 20,
                    result="5分で初稿" * 5,
                    minutes_saved_per_run=10 + i * 5,
                    runs_per_month=4 + i,
                    people=20 + i * 10,
                    stage=Stage.PRODUCTION,
                    team_id=account.teams[i % 8].id,
                )
            report, _ = request_report(
                db.session,
                account,
                owner,
                ReportRequest(
                    date(2026, 5, 1), date(2026, 10, 31), "ja", "bench", notes="新人の立ち上がりが早くなった"
                ),
            )
            db.session.commit()
            render_account_report_pdf(
                report
            )  # warm: the kaleido server and font caches, as in a running worker
            css = (Path(__file__).resolve().parent.parent / "reports/assets/report.css").read_text()
            html = account_report_html(report).replace(
                '<link rel="stylesheet" href="asset:report.css">', f"<style>{css}</style>"
            )
            floor = timed(lambda: HTML(string=html).write_pdf(), ROUNDS)
            full = timed(lambda: render_account_report_pdf(report), ROUNDS)
            pdf, pages = render_account_report_pdf(report)
            if out := os.environ.get("BENCH_PDF_OUT"):  # keep the PDF to look at its pages
                Path(out).write_bytes(pdf)
    ratio = statistics.median(full) / statistics.median(floor)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {pages} pages, {ROUNDS} rounds"
    )
    for name, runs in (("floor: bare WeasyPrint    ", floor), ("report: template+charts+pdf", full)):
        p50, p99 = statistics.median(runs) * 1000, percentiles(runs)[1] * 1000
        print(f"{name} p50 {p50:7.0f} ms  p99 {p99:7.0f} ms")
    print(
        f"ratio (report / floor, p50): {ratio:.2f}x   target <= 1.5x: {'met' if ratio <= 1.5 else 'MISSED'}"
    )
    f50, f99 = percentiles(floor)
    r50, r99 = percentiles(full)
    figure(
        f"ROI report PDF, {pages} pages, warm worker",
        floor="bare WeasyPrint render of the same HTML",
        ratio=ratio,
        target="<= 1.5x time",
        met=ratio <= 1.5,
        unit="ms",
        measured_p50=round(r50 * 1000),
        measured_p99=round(r99 * 1000),
        floor_p50=round(f50 * 1000),
        floor_p99=round(f99 * 1000),
    )


if __name__ == "__main__":
    main()
