"""`manage.py bench` runs end to end on a small council (the figures themselves are recorded in
docs/benchmarks.md, never asserted: this checks the command works and reports every measure)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench(*args: str, database_url: str | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """`manage.py bench ARGS` in a subprocess, the portal on ``database_url`` (default: its own)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "manage.py", "bench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_bench_builds_times_and_reports_on_a_small_council(tmp_path):
    result = _bench(
        *("--indicators", "12", "--years", "2", "--no-memory"),
        *("--import-rows", "101", "--import-indicators", "5"),
        *("--database-url", f"sqlite:///{tmp_path / 'bench.sqlite3'}"),
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Built 12 indicators, 288 results" in out
    assert "Full recompute: 288 assessments" in out
    assert "One indicator after one edit" in out
    # Each recompute figure beside both floors: the same work, and the narrower one printed before.
    assert out.count("| narrow floor ") == 3, out
    # Every indicator on the CMT scorecard (plus the header rows), in each of the three views.
    for view in ("latest month, as reported", "latest month, current", "last financial year"):
        assert f"{view}, 17 table rows" in out, out
    # Then the import figures (issue 11): reading a workbook, confirming a hub import.
    assert "Import reading, best of 2" in out and "100 indicator rows, 19,900 values, 0 rejected" in out
    assert "Import confirm of 60 values" in out, out


def test_bench_refuses_nonsense_sizes():
    result = _bench("--indicators", "0", timeout=120)
    assert result.returncode != 0
    assert "at least 1 indicator" in result.stderr


def test_bench_runs_every_size_and_prints_the_scaling_table(tmp_path):
    """`--sizes`: one bench database per size (each checked against the portal's own, not the
    previous size's: the second size used to be refused as "the portal's own database")."""
    result = _bench(
        *("--sizes", "4,6", "--years", "2", "--no-memory"),
        *("--import-rows", "11", "--import-indicators", "2"),
        *("--database-url", f"sqlite:///{tmp_path / 'bench.sqlite3'}"),
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Built 4 indicators" in out and "Built 6 indicators" in out
    assert "Scaling (median seconds or ms; floor; ratio):" in out
    assert "\n| 4 | " in out and "\n| 6 | " in out


def test_bench_refuses_the_portals_own_database(tmp_path):
    own = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    result = _bench("--indicators", "2", "--database-url", own, database_url=own, timeout=120)
    assert result.returncode != 0
    assert "must not be the portal's own database" in result.stderr
