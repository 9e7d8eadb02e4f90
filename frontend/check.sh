#!/usr/bin/env bash
# CI guard: rebuild the front-end into a temp dir and compare with the
# committed files in static/. Fails if someone edited frontend/scss (or bumped
# a package) without re-running frontend/build.sh and committing the output.
set -euo pipefail

FRONTEND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "${FRONTEND_DIR}/.." && pwd)"

TMP_DIR="$(mktemp -d)"
trap 'rm -rf "${TMP_DIR}"' EXIT

bash "${FRONTEND_DIR}/build.sh" "${TMP_DIR}" > /dev/null

status=0
for rel in css/kpi.css js/govuk-frontend.min.js js/plotly-basic.min.js images/favicon.svg; do
  if ! cmp -s "${TMP_DIR}/${rel}" "${ROOT_DIR}/static/${rel}"; then
    echo "static/${rel} is stale: run frontend/build.sh and commit it" >&2
    status=1
  fi
done

if [ "${status}" -eq 0 ]; then
  echo "static/ front-end assets are up to date"
fi
exit "${status}"
