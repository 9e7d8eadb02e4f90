"""docker-compose.yml describes the production-like stack the README promises.

CI validates the file with `docker compose config` where an engine is installed; this test is
the check that runs everywhere. It needs PyYAML (dev dependency group); without it the test
skips, unless REQUIRE_COMPOSE_CHECK=1 (set by .ci/run when `docker compose` is unavailable),
when it fails.
"""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
README = ROOT / "README.md"

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the environment
    yaml = None
    if os.environ.get("REQUIRE_COMPOSE_CHECK") == "1":
        pytest.fail(
            "PyYAML is required to check docker-compose.yml (REQUIRE_COMPOSE_CHECK=1): "
            "add pyyaml to the dev dependency group.",
            pytrace=False,
        )
    pytest.skip("PyYAML is not installed: docker-compose.yml is not checked", allow_module_level=True)

SERVICES = {"web", "worker", "beat", "postgres", "redis"}
# ${VAR}, ${VAR:-default}, ${VAR:?message}; `$$` is a literal dollar in compose files.
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


def command_words(service: dict) -> list[str]:
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else [str(word) for word in command]


def test_the_five_services_exist(compose):
    assert SERVICES <= set(compose["services"])


@pytest.mark.parametrize("name", ["postgres", "redis", "web"])
def test_service_has_a_healthcheck(compose, name):
    healthcheck = compose["services"][name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert healthcheck.get("test"), f"{name}'s healthcheck has no test"
    assert not healthcheck.get("disable"), f"{name}'s healthcheck is disabled"


def test_web_waits_for_healthy_postgres_and_redis(compose):
    depends_on = compose["services"]["web"]["depends_on"]
    assert isinstance(depends_on, dict), "web's depends_on must use conditions, not a plain list"
    for name in ("postgres", "redis"):
        assert depends_on.get(name, {}).get("condition") == "service_healthy", name


def test_web_healthcheck_probes_healthz(compose):
    test = compose["services"]["web"]["healthcheck"]["test"]
    text = " ".join(test) if isinstance(test, list) else test
    probe = ROOT / "docker" / "healthcheck.py"
    assert "/healthz/" in text or ("healthcheck.py" in text and "/healthz/" in probe.read_text())


@pytest.mark.parametrize("name,role", [("worker", "worker"), ("beat", "beat")])
def test_worker_and_beat_run_celery_for_the_project(compose, name, role):
    words = command_words(compose["services"][name])
    assert words[:1] == ["celery"], words
    assert "-A" in words and words[words.index("-A") + 1] == "kpi_machine", words
    assert role in words, words


def test_app_services_are_configured_for_production(compose):
    for name in ("web", "worker", "beat"):
        environment = compose["services"][name]["environment"]
        assert str(environment["DEBUG"]).lower() == "false", name
        assert str(environment["CELERY_TASK_ALWAYS_EAGER"]).lower() == "false", name
        assert ":?" in environment["SECRET_KEY"], f"{name}: SECRET_KEY must be required, not defaulted"
        for variable in ("DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"):
            assert environment.get(variable), f"{name} lacks {variable}"


def configuration_section(readme: str) -> str | None:
    lines = readme.splitlines()
    for index, line in enumerate(lines):
        match = re.match(r"^(#+)\s+Configuration\b", line)
        if match:
            level = len(match.group(1))
            section = []
            for following in lines[index + 1 :]:
                heading = re.match(r"^(#+)\s", following)
                if heading and len(heading.group(1)) <= level:
                    break
                section.append(following)
            return "\n".join(section)
    return None


def strings_in(node):
    """Every string value in the parsed file (comments are gone; compose interpolates values)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings_in(value)


def test_every_variable_is_documented_in_the_readme(compose):
    variables = sorted({name for text in strings_in(compose) for name in VARIABLE.findall(text)})
    assert variables, "expected docker-compose.yml to take its settings from ${VARIABLES}"
    section = configuration_section(README.read_text()) if README.exists() else None
    if section is None:
        # TEMPORARY: README.md has no "Configuration" heading yet. Once it does, this check runs
        # and every ${VARIABLE} used in docker-compose.yml must be named in that section.
        pytest.skip('README.md has no "Configuration" section yet; variables not checked')
    missing = [name for name in variables if not re.search(rf"\b{name}\b", section)]
    assert not missing, f"README.md's Configuration section does not document: {', '.join(missing)}"


# --- issue 11, item 13: slow clients never hold a gunicorn worker ------------------------------

NGINX = ROOT / "docker" / "nginx.conf"


def test_a_buffering_proxy_is_the_only_way_in(compose):
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith("nginx")
    assert any(str(volume).startswith("./docker/nginx.conf:") for volume in proxy["volumes"])
    assert [str(port) for port in proxy["ports"]] == ["127.0.0.1:${WEB_PORT:-8000}:80"]
    assert "ports" not in compose["services"]["web"]  # gunicorn is reached through nginx only


def test_the_portal_trusts_forwarded_headers_from_the_proxy_alone(compose):
    address = compose["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    environment = compose["services"]["web"]["environment"]
    assert str(environment["KPI_TRUSTED_PROXIES"]) == address


def test_nginx_reads_whole_requests_with_short_time_outs_before_gunicorn_sees_them():
    conf = NGINX.read_text()
    settings = dict(re.findall(r"^[ \t]*(\w+)[ \t]+([^;{}]+);", conf, re.M))
    assert settings["proxy_request_buffering"] == "on"
    assert settings["proxy_buffering"] == "on"
    for timeout in ("client_header_timeout", "client_body_timeout"):
        assert int(settings[timeout].rstrip("s")) <= 30, timeout
    assert re.search(r"upstream portal \{\s*server web:8000;", conf)
    assert "proxy_set_header X-Forwarded-Proto $scheme" in conf
