#!/usr/bin/env bash
# Build KPI Machine's front-end assets from frontend/ into static/.
#
#   frontend/build.sh            # writes to <repo>/static (commit the result)
#   frontend/build.sh OUT_DIR    # writes to OUT_DIR instead (used by check.sh)
#
# Outputs (deterministic: same inputs give byte-identical files):
#   static/css/kpi.css                 compiled from frontend/scss/kpi.scss
#   static/js/govuk-frontend.min.js    copied from govuk-frontend (ES module)
#   static/images/favicon.svg          our own icon (no GOV.UK images)
#   static/js/plotly-basic.min.js      plotly.js's basic bundle (scatter, bar, pie): unlike the
#                                      full bundle it never calls eval() or Function(), so it
#                                      runs under the strict Content-Security-Policy
#
# static/js/kpi.js is hand-written and not touched by this script.
set -euo pipefail

FRONTEND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "${FRONTEND_DIR}/.." && pwd)"
OUT_DIR="${1:-${ROOT_DIR}/static}"
mkdir -p "${OUT_DIR}"
OUT_DIR="$(cd "${OUT_DIR}" && pwd)"

cd "${FRONTEND_DIR}"

# Exact versions from package-lock.json. Install scripts are not needed
# (only sass's optional file watcher has one).
npm ci --quiet --no-audit --no-fund --ignore-scripts

mkdir -p "${OUT_DIR}/css" "${OUT_DIR}/js" "${OUT_DIR}/images"

# CSS: compressed, no source map. --quiet-deps hides deprecation warnings
# from govuk-frontend; the import deprecation is silenced because
# govuk-frontend 5.x is only distributed for @import.
./node_modules/.bin/sass \
  --no-source-map \
  --style=compressed \
  --load-path=node_modules \
  --quiet-deps \
  --silence-deprecation=import \
  scss/kpi.scss "${OUT_DIR}/css/kpi.css"

# JS: GOV.UK Frontend as an ES module (loaded with type="module").
# Drop the trailing sourceMappingURL comment: the .map is not shipped.
sed -e 's|//# sourceMappingURL=govuk-frontend\.min\.js\.map$||' \
  node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js \
  > "${OUT_DIR}/js/govuk-frontend.min.js"

# Charts: plotly.js's basic bundle, as published (CSP-safe: no eval, no Function()).
cp node_modules/plotly.js-basic-dist-min/plotly-basic.min.js "${OUT_DIR}/js/plotly-basic.min.js"

# Favicon: plain council-blue square with a white "K" (no crown, no GOV.UK images).
cat > "${OUT_DIR}/images/favicon.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32"><rect width="32" height="32" rx="4" fill="#1d3f6e"/><text x="16" y="23.5" text-anchor="middle" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif" font-size="22" font-weight="700" fill="#ffffff">K</text></svg>
SVG

echo "Built ${OUT_DIR}/css/kpi.css, ${OUT_DIR}/js/govuk-frontend.min.js, ${OUT_DIR}/js/plotly-basic.min.js, ${OUT_DIR}/images/favicon.svg"
