# The two commands of the README:
#   make demo   records a simulated transfer, ingests it, serves the explorer
#   make test   builds (normal, ASan+UBSan, TSan) and runs every test
JOBS ?= $(shell nproc)
BUILD ?= build
CMAKE_FLAGS ?=
# cmake's generated Makefiles recurse; their "Entering directory" lines are
# noise (errors and warnings still show)
MAKEFLAGS += --no-print-directory

.PHONY: all deps web build demo test test-asan test-tsan bench format clean

all: build

deps:
	@scripts/deps

web: deps
	@if [ -f web/package.json ]; then cd web && npm run --silent build; fi

CONFIGURE = cmake -S . -B $(BUILD) -DOJO_WERROR=ON $(CMAKE_FLAGS) >/dev/null

build: web
	$(CONFIGURE)
	cmake --build $(BUILD) -j $(JOBS)

# only the tool: the tests and benchmarks are built by `make test`/`bench`;
# DEMO_ARGS passes options, e.g. make demo DEMO_ARGS="--port 8081"
demo: web
	$(CONFIGURE)
	cmake --build $(BUILD) -j $(JOBS) --target ojo
	$(BUILD)/src/ojo demo $(DEMO_ARGS)

test-asan: web
	cmake -S . -B build-asan -DOJO_WERROR=ON -DOJO_SANITIZE=address -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -LE "browser|slow"

test-tsan: web
	cmake -S . -B build-tsan -DOJO_WERROR=ON -DOJO_SANITIZE=thread >/dev/null
	cmake --build build-tsan -j $(JOBS)
	cd build-tsan && ctest --output-on-failure -j $(JOBS) -L concurrency

test: test-tsan test-asan build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	cmake --build $(BUILD) --target benches -j $(JOBS)
	@for b in $(BUILD)/bench/bench_*; do echo "== $$b"; $$b; done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-tsan
