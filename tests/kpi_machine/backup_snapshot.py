"""What a backup must keep, printed as JSON for tests/kpi_machine/test_backup_restore.py: the
rendered HTML of a few scorecards and pages (as CMT, the auditor and the public), and every row of
the audit trail and of each table of the portal's apps, hashed. Run with DATABASE_URL naming the
database to describe; reads only.

    DATABASE_URL=postgres://... python tests/kpi_machine/backup_snapshot.py
"""

import hashlib
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_machine.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

PAGES = {
    "cmt": [
        "/scorecards/cmt/",
        "/scorecards/cmt/?view=current",
        "/scorecards/council-plan/",
        "/scorecards/directorate/oce/",
        "/indicators/STF15/",
        "/exceptions/",
    ],
    "auditor": ["/audit/", "/audit/?page=2"],
    None: ["/public/"],
}
PORTAL_APPS = ("organisation", "indicators", "service_plans", "clinics", "reporting")
# The CSRF token is masked afresh on every response: the only part of a page that must differ.
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def page_hashes() -> dict[str, dict]:
    setup_test_environment()
    found = {}
    for username, urls in PAGES.items():
        client = Client()
        if username:
            client.force_login(get_user_model().objects.get(username=username))
        for url in urls:
            response = client.get(url)
            html = CSRF.sub(r"\1-", response.content.decode())
            found[f"{username or 'anonymous'} {url}"] = {
                "status": response.status_code,
                "bytes": len(html),
                "sha256": hashlib.sha256(html.encode()).hexdigest(),
            }
    return found


def table_hashes() -> dict[str, dict]:
    found = {}
    for name in PORTAL_APPS + ("auth",):
        for model in apps.get_app_config(name).get_models():
            rows = list(model._default_manager.order_by("pk").values_list())
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            found[model._meta.label] = {"rows": len(rows), "sha256": digest}
    return found


if __name__ == "__main__":
    # The rows first: signing in to render the pages writes users' last_login.
    tables = table_hashes()
    print(json.dumps({"pages": page_hashes(), "tables": tables}, indent=1, sort_keys=True))
