"""`manage.py bench` runs end to end on a small council (the figures themselves are recorded in
docs/benchmarks.md, never asserted: this checks the command works and reports every measure)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_builds_times_and_reports_on_a_small_council(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "bench",
            "--indicators",
            "12",
            "--years",
            "2",
            "--no-memory",
            "--import-rows",
            "101",
            "--import-indicators",
            "5",
            "--database-url",
            f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Built 12 indicators, 288 results" in out
    assert "Full recompute: 288 assessments" in out
    assert "One indicator after one edit" in out
    # Every indicator on the CMT scorecard (plus the header rows), in each of the three views.
    for view in ("latest month, as reported", "latest month, current", "last financial year"):
        assert f"{view}, 17 table rows" in out, out
    # Then the import figures (issue 11): reading a workbook, confirming a hub import.
    assert "Import reading, best of 2" in out and "100 indicator rows, 19,900 values, 0 rejected" in out
    assert "Import confirm of 60 values" in out, out


def test_bench_refuses_nonsense_sizes():
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "--indicators", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "at least 1 indicator" in result.stderr
