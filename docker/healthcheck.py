"""Docker healthcheck for the web container: GET /healthz/ on the local gunicorn.

Sends a Host header Django accepts (the first ALLOWED_HOSTS entry) and X-Forwarded-Proto
https (settings trust it), so neither ALLOWED_HOSTS nor SECURE_SSL_REDIRECT turns the probe
into a 400 or a redirect. Exit 0 when the page answers 200, 1 otherwise.
"""

import os
import sys
import urllib.request

hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
host = next((h for h in hosts if h and h != "*"), "localhost")
request = urllib.request.Request(
    "http://127.0.0.1:8000/healthz/", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (fixed local URL)
        sys.exit(0 if response.status == 200 else 1)
except Exception as error:
    print(f"healthcheck failed: {error}", file=sys.stderr)
    sys.exit(1)
