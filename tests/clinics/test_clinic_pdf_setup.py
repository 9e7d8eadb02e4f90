"""The clinic pack PDF's system libraries (WeasyPrint needs Pango and a font): the Dockerfile
installs them, and .ci/run's step a installs those missing (run here with stand-ins for dpkg-query
and apt-get, so nothing is installed)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"]


def test_the_dockerfile_installs_weasyprints_libraries_as_root():
    text = (ROOT / "Dockerfile").read_text()
    install = re.search(r"RUN apt-get update(?:[^\n]*\\\n)*[^\n]*", text)
    assert install, "the Dockerfile runs no apt-get install"
    command = install.group(0)
    assert "apt-get install -y --no-install-recommends" in command
    assert all(package in command.split() for package in PACKAGES)
    assert "rm -rf /var/lib/apt/lists/*" in command
    assert text.index(command) < text.index("USER kpi")  # installed as root, before the user switch


def _ci_function() -> str:
    text = (ROOT / ".ci" / "run").read_text()
    packages = re.search(r'^WEASYPRINT_PACKAGES="([^"]*)"', text, re.M)
    assert packages and packages.group(1).split() == PACKAGES
    body = re.search(r"^install_weasyprint_libraries\(\) \{\n.*?^\}\n", text, re.M | re.S)
    assert body, ".ci/run has no install_weasyprint_libraries function"
    assert "\n  install_weasyprint_libraries\n}" in text  # step a (step_services) calls it
    return f'WEASYPRINT_PACKAGES="{packages.group(1)}"\n{body.group(0)}install_weasyprint_libraries\n'


def _run(tmp_path, installed: list[str]) -> tuple[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    (bin_dir / "dpkg-query").write_text(
        "#!/bin/sh\nfor p in " + " ".join(installed) + '; do [ "$p" = "$3" ] && '
        "printf 'install ok installed' && exit 0; done\nexit 1\n"
    )
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    for name in ("dpkg-query", "apt-get"):
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _ci_function()],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout, log.read_text() if log.exists() else ""


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_ci_installs_only_the_missing_libraries(tmp_path):
    out, apt = _run(tmp_path, installed=["fonts-dejavu-core"])
    assert "Installing WeasyPrint's system libraries: libpango-1.0-0 libpangoft2-1.0-0" in out
    assert apt.splitlines() == [
        "update -qq",
        "install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0",
    ]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_ci_installs_nothing_when_every_library_is_there(tmp_path):
    out, apt = _run(tmp_path, installed=PACKAGES)
    assert "WeasyPrint's system libraries are installed" in out and apt == ""
