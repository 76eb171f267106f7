"""Every benchmark in one command: each figure as a ratio to a floor measured in the same run, with p50/p99
and the machine, as one table (and, with --write, as the latest run in BENCHMARKS.md).

    .venv/bin/python bench/run.py            # the full sizes the targets are about (about 15 minutes)
    .venv/bin/python bench/run.py --quick    # small sizes: do the benchmarks still run? (about 2 minutes)
    .venv/bin/python bench/run.py --only pages,pdf --write

PostgreSQL figures use BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/bench; its public
schema is wiped; the database is created when missing).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench")


def _benchmarks(quick: bool) -> dict[str, list[tuple[str, dict]]]:
    """name -> the runs of a script with their environment; sizes per profile."""
    pg = {"BENCH_DATABASE_URL": PG_URL}
    accounts = "100" if quick else "1000"
    runs = {
        "pages": [
            ("bench_pages.py", {"BENCH_ACCOUNTS": accounts, "BENCH_ROUNDS": "50" if quick else "300"}),
            ("bench_pages.py", {**pg, "BENCH_ACCOUNTS": accounts, "BENCH_ROUNDS": "50" if quick else "300"}),
        ],
        "pdf": [("bench_roi_pdf.py", {"BENCH_ROUNDS": "3" if quick else "15"})],
        "search": [
            (
                "bench_search.py",
                {"BENCH_CASES": "2000" if quick else "100000", "BENCH_ROUNDS": "2" if quick else "5"},
            ),
            (
                "bench_search.py",
                {**pg, "BENCH_CASES": "2000" if quick else "100000", "BENCH_ROUNDS": "2" if quick else "5"},
            ),
        ],
        "signin": [("bench_signin.py", {"BENCH_SECONDS": "3" if quick else "10"})],
    }
    # Benchmarks added by other features join the table when their script is there.
    if (HERE / "bench_import.py").exists():
        runs["import"] = [("bench_import.py", {**pg, "BENCH_ROWS": "50000" if quick else "1000000"})]
    if (HERE / "bench_portfolio.py").exists():
        runs["portfolio"] = [("bench_portfolio.py", {**pg, "BENCH_ACCOUNTS": accounts})]
    return runs


def _ensure_pg_database() -> None:
    import psycopg

    base = PG_URL.rsplit("/", 1)
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.OperationalError:
        with psycopg.connect(base[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{base[1]}"')


def machine() -> dict:
    """What the figures were measured on."""
    info = {
        "date": date.today().isoformat(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_before": os.getloadavg()[0],
    }
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        info["cpu"] = model
    except (OSError, StopIteration):
        pass
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - the machine line is informative only
        info["postgresql"] = "not reachable"
    return info


def run_script(script: str, env: dict) -> tuple[list[dict], str, float]:
    """Run one benchmark script; its figures (``BENCH`` lines), its other output and its wall time."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE / script)],
        cwd=ROOT,
        env={"PUBLIC_URL": "http://bench.localhost", **os.environ, **env},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{script} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures, other = [], []
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            figures.append(json.loads(line[6:]))
        else:
            other.append(line)
    return figures, "\n".join(other), seconds


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}" if isinstance(value, float) and value < 100 else f"{value:,.0f}"


def table(figures: list[dict]) -> str:
    """The figures as a markdown table."""
    lines = [
        "| figure | floor (same run) | floor p50 / p99 | measured p50 / p99 | ratio | target | met? |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        unit = f["unit"]
        floor = f"{_fmt(f['floor_p50'])} / {_fmt(f['floor_p99'])} {unit}"
        measured = f"{_fmt(f['p50'])} / {_fmt(f['p99'])} {unit}"
        note = f" ({f['note']})" if f.get("note") else ""
        lines.append(
            f"| {f['name']}{note} | {f['floor']} | {floor} | {measured} | {f['ratio']:.2f}x | {f['target']} "
            f"| {'yes' if f['met'] else '**no**'} |"
        )
    return "\n".join(lines)


def write_benchmarks_md(info: dict, figures: list[dict], profile: str) -> None:
    """Replace the "Latest run" section of BENCHMARKS.md (the rest of the file is kept)."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start_marker, end_marker = "<!-- latest-run:start -->", "<!-- latest-run:end -->"
    block = "\n".join(
        [
            start_marker,
            f"## Latest run ({info['date']}, `bench/run.py{' --quick' if profile == 'quick' else ''}`)",
            "",
            f"Machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
            f"PostgreSQL {info.get('postgresql')}; load average before the run {info['load_before']:.2f}.",
            "",
            table(figures),
            end_marker,
        ]
    )
    if start_marker in text:
        head, rest = text.split(start_marker, 1)
        text = head + block + rest.split(end_marker, 1)[1]
    else:
        title, _, body = text.partition("\n")
        text = f"{title}\n\n{block}\n{body}"
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: check that every benchmark runs")
    parser.add_argument("--only", default="", help="comma-separated subset, e.g. pages,pdf")
    parser.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    args = parser.parse_args()
    runs = _benchmarks(args.quick)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(runs)
    unknown = sorted(set(chosen) - set(runs))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(runs)}")
    _ensure_pg_database()
    info = machine()
    print(f"machine: {info}", file=sys.stderr)
    figures = []
    for name in chosen:
        for script, env in runs[name]:
            print(f"== {name}: {script} {env}", file=sys.stderr)
            found, output, seconds = run_script(script, env)
            print(output, file=sys.stderr)
            print(f"   ({seconds:.0f} s)", file=sys.stderr)
            figures.extend(found)
    print(table(figures))
    missed = [f["name"] for f in figures if not f["met"]]
    print(
        f"\n{len(figures)} figures, {len(missed)} target(s) missed"
        + (f": {'; '.join(missed)}" if missed else "")
    )
    if args.write:
        write_benchmarks_md(info, figures, "quick" if args.quick else "full")
    return 0


if __name__ == "__main__":
    sys.exit(main())
