# Gatewatch: the two commands a new user types.
#   make run   — install what is missing, build the app, serve it on http://127.0.0.1:8080
#   make test  — install what is missing, run every test layer (the server's on SQLite
#                and on PostgreSQL)
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/tools/node_modules/.bin:$(PATH)
# trunk's errors are unreadable with backtraces on.
export RUST_BACKTRACE := 0

SERVER := target/server/gatewatch-server
# Unset by default so the server's own defaults and GATEWATCH_* variables apply
# (127.0.0.1:8080, data/gatewatch.db); `make run LISTEN=… DATABASE=…` overrides them.
LISTEN ?=
DATABASE ?=

.PHONY: run test tools test-tools app console server test-model test-server test-web test-e2e test-webkit bench soak clean

run: tools app console server
	$(SERVER) --demo $(if $(LISTEN),--listen $(LISTEN)) $(if $(DATABASE),--database $(DATABASE)) --dist dist

test: tools test-tools
	$(MAKE) --no-print-directory test-model test-server test-web test-e2e

tools:
	@scripts/ensure-tools.sh

test-tools:
	@scripts/ensure-test-tools.sh

# The PWA, release build (size is a feature): dist/
app:
	trunk build --release

# The managers' console (crates/console), release build: dist/console/. trunk empties its
# dist folder on every build, so the console is built into target/console-dist/ — only
# when its sources changed (a no-change trunk build still costs ~25 s of wasm-bindgen
# and wasm-opt) — and copied under dist/ after the PWA's build.
CONSOLE_DIST := target/console-dist
CONSOLE_SOURCES := $(shell find crates/console crates/model/src -type f) crates/model/Cargo.toml \
	Cargo.lock scripts/console-post-build.mjs scripts/built-files.mjs
console: app $(CONSOLE_DIST)/index.html
	rm -rf dist/console
	cp -r $(CONSOLE_DIST) dist/console
	rm -f dist/console/.trunk-lock

$(CONSOLE_DIST)/index.html: $(CONSOLE_SOURCES)
	cd crates/console && trunk build --release

# The sync server, optimised but without fat LTO: target/server/gatewatch-server
server:
	cargo build -p gatewatch-server --profile server

test-model:
	cargo test -p gatewatch-model

# The server suite twice: on SQLite (the default), then every integration test again on
# a private PostgreSQL on 127.0.0.1 (scripts/with-postgres.sh starts and stops it).
test-server:
	cargo test -p gatewatch-server
	scripts/with-postgres.sh cargo test -p gatewatch-server --test '*'

# The app's browser tests in headless Chromium, then its pure helpers (HTML escaping,
# paths) natively: plain #[test]s are not run by the wasm test runner; then the
# console's (its grid, heatmap, routes, i18n), natively too.
test-web:
	CHROMEDRIVER=/usr/bin/chromedriver cargo test-web
	cargo test -p gatewatch --lib
	cargo test -p gatewatch-console --lib

test-e2e: app console server
	cd tests/e2e && node --test --test-reporter=spec --test-concurrency=1

# A smoke test of the main screens in WebKit (MiniBrowser, as iPhones run it), through
# Debian's WebKitWebDriver under Xvfb (test-tools installs them). Not part of `make test`,
# which runs the offline scenario in WebKit and Firefox (tests/e2e/engines.test.mjs).
test-webkit: tools test-tools app console server
	cd tests/e2e && node webkit-smoke.mjs

# Benchmark reports (figures go to BENCHMARKS.md): the app in Chromium, then the
# city-year coverage natively (as the server runs it) and as wasm in Chromium, the
# city-wide monthly duty report through the server, the per-officer 落实率 report of a
# city month on SQLite and PostgreSQL, pushes a second on one database,
# then a lead's team on the phone (storage use, and the monthly report as wasm in
# Chromium), then a morning peak of phones against the real binary (load_bench: 500
# phones, then 2,000 at once) on SQLite and PostgreSQL.
bench: tools test-tools app server
	node tests/e2e/bench.mjs
	cargo run --profile server -p gatewatch-model --features fixtures --example coverage_bench
	cargo run --profile server -p gatewatch-server --example duty_report_bench
	cargo run --profile server -p gatewatch-server --example officer_report_bench
	scripts/with-postgres.sh cargo run --profile server -p gatewatch-server --example officer_report_bench
	cargo run --profile server -p gatewatch-server --example push_bench
	CHROMEDRIVER=/usr/bin/chromedriver cargo bench --target wasm32-unknown-unknown -p gatewatch --bench coverage_wasm
	cargo run --profile server -p gatewatch-model --features fixtures --example team_storage
	CHROMEDRIVER=/usr/bin/chromedriver cargo bench --target wasm32-unknown-unknown -p gatewatch --bench duty_wasm
	cargo run --profile server -p gatewatch-server --example load_bench
	scripts/with-postgres.sh cargo run --profile server -p gatewatch-server --example load_bench

# The proof suite at full size (issue 13), slower than `make test`: 100,000 fuzzed
# requests through the app, 10,000 seeds of the phones-and-server simulation, 100
# SIGKILLs of the server binary while phones push (SQLite, then PostgreSQL),
# GATEWATCH_SOAK=1 raising the other tests' counts (the users CSV at its documented
# 5,000 rows), then the morning peak of 500 phones and 2,000 at once on SQLite and on
# PostgreSQL.
soak: tools test-tools server
	GATEWATCH_FUZZ_REQUESTS=100000 cargo test -p gatewatch-server --test fuzz -- --nocapture
	GATEWATCH_SIM_SEEDS=10000 cargo test -p gatewatch-server --test simulation -- --nocapture
	GATEWATCH_CHAOS_KILLS=100 cargo test -p gatewatch-server --test chaos -- --nocapture
	GATEWATCH_CHAOS_KILLS=100 scripts/with-postgres.sh cargo test -p gatewatch-server --test chaos -- --nocapture
	GATEWATCH_SOAK=1 cargo test -p gatewatch-server --test accounts --test login_limits --test load
	GATEWATCH_SOAK=1 scripts/with-postgres.sh cargo test -p gatewatch-server --test accounts --test login_limits --test load
	cargo run --profile server -p gatewatch-server --example load_bench
	scripts/with-postgres.sh cargo run --profile server -p gatewatch-server --example load_bench

clean:
	rm -rf dist target/server $(CONSOLE_DIST)
