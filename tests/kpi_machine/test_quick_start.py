"""A second `make run` starts quickly: Django's start and its system checks (which import every
URL and view) import neither pandas nor numpy nor openpyxl; they are imported when a recompute,
a chart or a workbook needs them (issue 12: "the start does not import pandas when nothing needs
loading")."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
import django
django.setup()
from django.core.management import call_command
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as the first request would
call_command("check", verbosity=0)
import reporting.exceptions  # what prepare_embedded uses when nothing needs loading
heavy = sorted(m for m in ("pandas", "numpy", "openpyxl", "statsmodels") if m in sys.modules)
print(",".join(heavy) or "none")
"""


def test_starting_django_and_its_checks_import_no_heavy_library():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kpi_machine.settings"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "none"
