# SPDX-License-Identifier: BSD-3-Clause
# Thin wrapper over Meson. `make demo` and `make check` work on a fresh
# Debian 12 machine: missing packages are installed (as root) or named.

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
REL_BUILD  ?= build-release
MESON_TEST ?= meson test --print-errorlogs --num-processes 2

# Debian packages the build and tests need, and the command each provides.
DEB_PKGS := meson ninja-build pkg-config gcc libc6-dev linux-libc-dev \
	libcmocka-dev clang-format python3

.PHONY: all deps build demo check test asan-check tsan-check format format-check \
	bench install install-check clean selftests

all: build

deps:
	@./scripts/ensure-deps.sh $(DEB_PKGS)

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	./$(BUILD)/tools/uiommufd/uiommufd demo

check: build
	$(MESON_TEST) -C $(BUILD)
	@./scripts/test-summary.py $(BUILD)

test: check

asan-check: deps
	@[ -f $(ASAN_BUILD)/build.ninja ] || meson setup $(ASAN_BUILD) \
		--buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(ASAN_BUILD)
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		$(MESON_TEST) -C $(ASAN_BUILD)
	@./scripts/test-summary.py $(ASAN_BUILD)

tsan-check: deps
	@[ -f $(TSAN_BUILD)/build.ninja ] || meson setup $(TSAN_BUILD) \
		--buildtype=debug -Db_sanitize=thread -Db_lundef=false
	ninja -C $(TSAN_BUILD)
	TSAN_OPTIONS=halt_on_error=1 $(MESON_TEST) -C $(TSAN_BUILD)
	@./scripts/test-summary.py $(TSAN_BUILD)

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

format-check: deps
	@./scripts/format-check.sh

bench: deps
	@[ -f $(REL_BUILD)/build.ninja ] || meson setup $(REL_BUILD) --buildtype=release
	ninja -C $(REL_BUILD)
	./$(REL_BUILD)/tools/uiommufd/uiommufd bench $(BENCH_ARGS)

# Linux's iommufd selftests, unmodified, against the preload library: fetched
# from Debian's kernel source package at run time (docs/selftests.md).
selftests: build
	./tests/upstream/run-selftests.py --builddir $(BUILD) $(SELFTESTS_ARGS)

install: build
	meson install -C $(BUILD)

install-check: build
	./scripts/install-check.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(REL_BUILD)
