# Turnpike: the two commands a newcomer needs are `make run` and `make test`.
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)
BIN        := $(BUILD_DIR)/turnpike
FAKE_PORT  ?= 9100

.PHONY: all deps browser-deps build server web run test lint unit web-test browser integration integration-pg e2e node-deps fake bench format clean fuzz fuzz-build fuzz-check

all: build web

deps:
	@bash scripts/install-deps

$(BUILD_DIR)/CMakeCache.txt: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j$(JOBS)

# The server alone, without the unit tests (what `make run` needs: about half the compile time).
server: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j$(JOBS) --target turnpike

# The dashboard (web/): its packages, then the production bundle in web/dist, which the control
# listener serves at /. Rebuilt when its sources, packages or the OpenAPI document change.
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json -type f 2>/dev/null | grep -v 'src/lib/api-types.ts')

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web/dist/index.html: web/node_modules/.package-lock.json src/control/openapi.json $(WEB_SOURCES)
	cd web && npm run build --silent

web: deps web/dist/index.html

# Chromium for the dashboard's browser tests (not needed to run Turnpike).
browser-deps:
	@bash scripts/install-deps --browser

# Migrates, loads the default catalog into an empty database, creates the first admin user and
# API key on first start (printed once), then serves the gateway on :4000 and control on :3000.
# Development defaults: the sandbox payment provider credits top-ups at once (override it with
# TURNPIKE_PAYMENTS_PROVIDER=stripe or none).
run: server web
	$(BIN) migrate
	@echo "make run: the first start prints the admin's login and an API key, once. Lost them? (README, Quick start)"
	@echo "  $(BIN) user set-password --email admin@turnpike.local   |   $(BIN) key create --email admin@turnpike.local --name NAME"
	TURNPIKE_PAYMENTS_PROVIDER=$${TURNPIKE_PAYMENTS_PROVIDER:-sandbox} $(BIN) serve

# The fake OpenAI-compatible provider, for trying the gateway without real provider keys:
#   make fake   (in one terminal), then
#   OPENAI_BASE_URL=http://127.0.0.1:9100/v1 OPENAI_API_KEY=fake make run   (in another)
fake:
	@bash scripts/install-deps --node
	node tests/fakes/fake-provider.mjs --port $(FAKE_PORT)

tests/node_modules/.package-lock.json: tests/package.json tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund --loglevel=error

node-deps: tests/node_modules/.package-lock.json

# The unit tests run with a throwaway PostgreSQL cluster (scripts/with-pg-test-cluster), for the
# PostgreSQL store's tests; it is stopped and removed afterwards, whatever the outcome.
PG_TESTS := $(CURDIR)/scripts/with-pg-test-cluster

unit: build
	cd $(BUILD_DIR) && $(PG_TESTS) ctest --output-on-failure -j2

integration: build node-deps
	cd tests && node --test integration/ fakes/ lib/

e2e: build node-deps
	cd tests && node --test e2e/

# The integration and e2e suites again with every server on a fresh PostgreSQL database of a
# throwaway cluster (tests/lib/harness.mjs, TURNPIKE_TEST_DATABASE). Part of `make test`.
integration-pg: build node-deps
	cd tests && TURNPIKE_TEST_DATABASE=postgresql $(PG_TESTS) node --test integration/ e2e/

# Component and hook tests of the dashboard (Vitest, jsdom).
web-test: web/node_modules/.package-lock.json
	cd web && npm test --silent

# The dashboard in headless Chromium against the real binary, SQLite and the fake provider;
# screenshots of every page land in $(BUILD_DIR)/screenshots/.
browser: build web node-deps browser-deps
	cd tests && TURNPIKE_SCREENSHOTS=$(abspath $(BUILD_DIR))/screenshots node --test browser/

# Style and static checks: clang-format (.clang-format) over src/, and the dashboard's type check
# and ESLint. Part of `make test`.
CXX_SOURCES = $$(git ls-files 'src/*.cc' 'src/*.h')

lint: deps web/node_modules/.package-lock.json
	clang-format --dry-run --Werror $(CXX_SOURCES)
	cd web && npm run typecheck --silent && npm run lint --silent

# Fuzzing (fuzz/README.md): libFuzzer targets built with clang, ASan and UBSan in their own
# build directory. `make fuzz` runs each for FUZZ_SECONDS, keeping the inputs it finds in
# $(FUZZ_DIR)/fuzz-corpus/ (outside git); `make fuzz-check`, part of `make test`, runs every
# checked-in seed and then FUZZ_CHECK_SECONDS of fresh fuzzing per target, so a crash fails CI.
FUZZ_DIR           ?= build-fuzz
FUZZ_SECONDS       ?= 60
FUZZ_CHECK_SECONDS ?= 5
FUZZ_TARGETS       ?=

$(FUZZ_DIR)/CMakeCache.txt: CMakeLists.txt fuzz/fuzz.cmake
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release -DTURNPIKE_FUZZ=ON

fuzz-build: deps $(FUZZ_DIR)/CMakeCache.txt
	cmake --build $(FUZZ_DIR) -j$(JOBS) --target fuzzers

fuzz: fuzz-build
	bash fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-check: fuzz-build
	bash fuzz/run.sh $(FUZZ_DIR) $(FUZZ_CHECK_SECONDS) --fresh $(FUZZ_TARGETS)

test: lint build web node-deps browser-deps fuzz-check
	cd $(BUILD_DIR) && $(PG_TESTS) ctest --output-on-failure -j2
	cd web && npm test --silent
	cd tests && TURNPIKE_SCREENSHOTS=$(abspath $(BUILD_DIR))/screenshots node --test integration/ e2e/ control/ fakes/ lib/ browser/
	cd tests && TURNPIKE_TEST_DATABASE=postgresql $(PG_TESTS) node --test integration/ e2e/

# The benchmark (bench/README.md): the gateway against a direct call and an nginx reverse proxy
# to the same upstream, in one run on this machine. Not part of `make test`. Options through
# BENCH_ARGS, e.g. `make bench BENCH_ARGS="--seconds 3 --skip-slow-streams"`.
bench: build
	@bash scripts/install-deps --bench
	TURNPIKE_BIN=$(BIN) node bench/run.mjs $(BENCH_ARGS)

format:
	clang-format -i $(CXX_SOURCES)

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)
