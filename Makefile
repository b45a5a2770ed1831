# Turnpike: the two commands a newcomer needs are `make run` and `make test`.
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)
BIN        := $(BUILD_DIR)/turnpike
FAKE_PORT  ?= 9100

.PHONY: all deps build run test unit integration e2e node-deps fake format clean

all: build

deps:
	@bash scripts/install-deps

$(BUILD_DIR)/CMakeCache.txt: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j$(JOBS)

# Migrates, loads the default catalog into an empty database, creates the first admin user and
# API key on first start (printed once), then serves the gateway on :4000 and control on :3000.
# Development defaults: the sandbox payment provider credits top-ups at once (override it with
# TURNPIKE_PAYMENTS_PROVIDER=stripe or none).
run: build
	$(BIN) migrate
	TURNPIKE_PAYMENTS_PROVIDER=$${TURNPIKE_PAYMENTS_PROVIDER:-sandbox} $(BIN) serve

# The fake OpenAI-compatible provider, for trying the gateway without real provider keys:
#   make fake   (in one terminal), then
#   OPENAI_BASE_URL=http://127.0.0.1:9100/v1 OPENAI_API_KEY=fake make run   (in another)
fake:
	node tests/fakes/fake-provider.mjs --port $(FAKE_PORT)

tests/node_modules/.package-lock.json: tests/package.json tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund --loglevel=error

node-deps: tests/node_modules/.package-lock.json

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j2

integration: build node-deps
	cd tests && node --test integration/ fakes/ lib/

e2e: build node-deps
	cd tests && node --test e2e/

test: build node-deps
	cd $(BUILD_DIR) && ctest --output-on-failure -j2
	cd tests && node --test integration/ e2e/ control/ fakes/ lib/

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h')

clean:
	rm -rf $(BUILD_DIR)
