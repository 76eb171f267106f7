"""How every benchmark reports a figure, so `bench/run.py` can collect them into one table.

A benchmark prints its own readable lines and, for each figure, one ``BENCH {json}`` line made here.
"""

import json
import statistics


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 of ``samples`` (seconds or anything else), nearest-rank."""
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return p50, p99


def figure(
    name: str,
    *,
    floor: str,
    ratio: float,
    target: str,
    met: bool,
    unit: str,
    measured_p50: float,
    measured_p99: float | None = None,
    floor_p50: float | None = None,
    floor_p99: float | None = None,
    note: str = "",
) -> None:
    """Print one figure: ``ratio`` is measured against ``floor`` (a bare version of the same work, timed in
    the same run); ``target`` says what the ratio should be and ``met`` whether it is."""
    print(
        "BENCH "
        + json.dumps(
            {
                "name": name,
                "floor": floor,
                "ratio": round(ratio, 3),
                "target": target,
                "met": bool(met),
                "unit": unit,
                "p50": measured_p50,
                "p99": measured_p99,
                "floor_p50": floor_p50,
                "floor_p99": floor_p99,
                "note": note,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )
