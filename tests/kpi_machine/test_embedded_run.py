"""The README's `make run` serves the portal's own error pages, never Django's technical ones.

Django's technical 404 lists every URL pattern and its 500 page shows settings and source: a
council's trial run must not show either. The test reads the server command `make run` would
execute (`make -n`), starts Django in a subprocess with exactly that environment and asks it for
a page that does not exist and a page that fails.
"""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import django, sys
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import path
import kpi_machine.urls as urls

def fail(request):
    raise RuntimeError("deliberate failure")

urls.urlpatterns.append(path("probe-fail/", fail))
setup_test_environment()
client = Client(raise_request_exception=False)
settings.ALLOWED_HOSTS = ["testserver"]
missing = client.get("/no-such-page/")
failing = client.get("/probe-fail/")
print("DEBUG", settings.DEBUG)
print("404", missing.status_code, "Using the URLconf" in missing.content.decode(), "Page not found" in missing.content.decode())
print("500", failing.status_code, "Traceback" in failing.content.decode(), "Sorry, there is a problem with the service" in failing.content.decode())
"""


def server_environment() -> dict[str, str]:
    """The VAR=value assignments in front of `manage.py runserver` in `make -n run`."""
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8199"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    line = next(
        line for line in dry.splitlines() if "manage.py runserver" in line and not line.startswith("#")
    )
    env = {}
    for token in shlex.split(line):
        if "=" not in token or token.startswith("-"):
            break
        name, value = token.split("=", 1)
        env[name] = value
    if "SECRET_KEY" in env:  # made at run time from .embedded-secret-key
        env["SECRET_KEY"] = "k" * 20 + "embedded-run-probe-" + "x" * 30
    return env


def test_make_run_serves_the_portals_own_404_and_500_pages(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DEBUG", "SECRET_KEY"))}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(server_environment())
    env["DJANGO_SETTINGS_MODULE"] = "kpi_machine.settings"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'probe.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = dict(
        line.split(" ", 1) for line in result.stdout.splitlines() if line[:3] in {"DEB", "404", "500"}
    )
    assert lines["DEBUG"] == "False"
    assert lines["404"] == "404 False True", "make run shows Django's technical 404 (every URL pattern)"
    assert lines["500"] == "500 False True", "make run shows Django's technical 500 page"


def test_the_demo_loader_still_refuses_with_debug_off(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(server_environment())
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'refuse.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo", "--skip-checks"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "refuses to run with DEBUG off" in result.stderr
