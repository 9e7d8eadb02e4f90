"""Large imports never starve page requests (issue 11 item 1): `/healthz/` answers in under a second
while four large workbooks are read at once.

Before, the upload read the workbook in the web worker (41.5 s for 19,001 x 200), and four at once
made `/healthz/` time out for 30 s. Now the reading is the worker's job (`read_import`), in other
processes: here four processes do exactly that work (the reader and the parser on a
6,001 x 200 workbook, 1.2 million numbers each) while the live server, with its threads, answers
`/healthz/` over HTTP. The one timing the issue asks a test to hold; everything else is asserted
by counts.
"""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from indicators.workbooks.synthetic import bulk_workbook

ROWS, COLUMNS = 6_001, 200
IMPORTS = 4
LIMIT_SECONDS = 1.0
REPOSITORY = Path(__file__).resolve().parents[3]

READ_JOB = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_machine.settings")
import django
django.setup()
from indicators.workbooks.parser import parse_sheets
from indicators.workbooks.reader import read_upload
data = open(sys.argv[1], "rb").read()
sheets = read_upload("large.xlsx", data, max_bytes=len(data), max_rows=len(data))
print(sum(len(row.values) for row in parse_sheets(sheets).rows))
"""


def _healthz(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(f"{url}/healthz/", timeout=30) as response:  # noqa: S310 (the live server)
        assert response.status == 200
        response.read()
    return time.perf_counter() - started


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_within_a_second_while_four_large_imports_are_read(live_server, tmp_path):
    workbook = tmp_path / "large.xlsx"
    workbook.write_bytes(bulk_workbook(ROWS, COLUMNS))
    _healthz(live_server.url)  # the first request sets the server up: not what is held to the limit
    jobs = [
        subprocess.Popen(
            [sys.executable, "-c", READ_JOB, str(workbook)],
            cwd=REPOSITORY,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(IMPORTS)
    ]
    timings = []
    try:
        while any(job.poll() is None for job in jobs):
            timings.append(_healthz(live_server.url))
            time.sleep(0.05)
    finally:
        outputs = [job.communicate(timeout=300) for job in jobs]
    for job, (out, err) in zip(jobs, outputs, strict=True):
        assert job.returncode == 0, err.decode()[-2000:]
        assert int(out) == (ROWS - 1) * (COLUMNS - 1)  # each read the whole workbook
    print(f"/healthz/ answered {len(timings)} times while the imports ran, slowest {max(timings):.3f} s")
    assert len(timings) >= 10, f"only {len(timings)} requests while the imports ran"
    slow = [round(t, 3) for t in timings if t >= LIMIT_SECONDS]
    assert not slow, f"{len(slow)} of {len(timings)} /healthz/ answers took a second or more: {slow}"
