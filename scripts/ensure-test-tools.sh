#!/usr/bin/env bash
# Installs what the tests need beyond the build tools: Debian's Chromium and
# ChromeDriver (never a downloaded browser), a CJK font and npm playwright-core for the
# end-to-end tests, WebKit and Firefox with their WebDriver servers, and Debian's
# PostgreSQL for the server suite's second run. Skips
# whatever is already present.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '==> %s\n' "$*"; }

# A CJK font, so screenshots of the zh-CN UI show characters instead of boxes.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] \
   || [ ! -d /usr/share/fonts/truetype/wqy ]; then
  say "installing Debian chromium, chromium-driver and a CJK font"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei
fi

# Debian's PostgreSQL: the server suite runs against it too (scripts/with-postgres.sh).
if ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || ! command -v psql > /dev/null; then
  say "installing Debian postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi

# The other engines phones run, for the offline scenario over WebDriver
# (tests/e2e/engines.test.mjs): WebKit — Debian's WebKitWebDriver and its MiniBrowser,
# under Xvfb — and Firefox ESR with geckodriver, built from crates.io (never a
# downloaded binary).
if ! command -v WebKitWebDriver > /dev/null || ! command -v xvfb-run > /dev/null \
   || ! command -v firefox-esr > /dev/null; then
  say "installing Debian webkit2gtk-driver, xvfb and firefox-esr"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq webkit2gtk-driver xvfb firefox-esr
fi
if [ ! -x "$HOME/.cargo/bin/geckodriver" ]; then
  say "building geckodriver from crates.io (a few minutes, once)"
  cargo install --locked geckodriver
fi

# Again whenever the lock file changed since the last install (a new test dependency).
if [ ! -d tests/e2e/node_modules/playwright-core ] \
   || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  say "installing the e2e packages: playwright-core (uses /usr/bin/chromium; downloads no browser), iconv-lite"
  (cd tests/e2e && npm ci --no-audit --no-fund)
fi
