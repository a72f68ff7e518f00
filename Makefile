# gilbench - build, test, benchmark.  `make help` lists the targets.

BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
SANITIZE ?=
WARNINGS  = -std=c11 -Wall -Wextra -Werror -Wshadow -Wvla
# bench/ is in layers: each folder includes only folders below it.  The
# layers are not listed here but derived from the #include lines: `make
# layers` prints them (scripts/include_graph.py), tests/include_layers.t
# fails on a circle; docs/layout.md says what each folder holds.  Every
# folder bench/*/ is built and on the include path (headers by plain name);
# bench/modes/mpi/ is built apart, with mpicc (below).
BENCH_DIRS := $(patsubst %/,%,$(sort $(dir $(wildcard bench/*/*.c bench/*/*.h))))
CPPFLAGS += -D_GNU_SOURCE $(addprefix -I,$(BENCH_DIRS))

# The libraries the workloads call: OpenBLAS (dgemm) and zlib (crc32).
LIBRARIES       := openblas zlib
LIBRARY_CFLAGS := $(shell pkg-config --cflags $(LIBRARIES) 2>/dev/null)
LIBRARY_LIBS   := $(shell pkg-config --libs $(LIBRARIES) 2>/dev/null)
# These targets install what they lack first (scripts/check-deps.sh) and then
# build in a sub-make, which finds the libraries just installed (help, clean
# and layers need none).
SELF_INSTALLING := bench bench-all calibrate pythons reproduce test fuzz soak mpi-hosts-check plots report compare timeline fresh-check help clean layers
ifeq ($(LIBRARY_LIBS),)
  ifneq ($(filter-out $(SELF_INSTALLING),$(or $(MAKECMDGOALS),all)),)
    $(error $(shell scripts/check-deps.sh --no-install bench 2>&1 </dev/null))
  endif
endif

ALL_CFLAGS = $(WARNINGS) $(CFLAGS) $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer) $(LIBRARY_CFLAGS)
LDLIBS     = $(LIBRARY_LIBS) -lpthread -lm

ENGINE_SRCS   := $(sort $(wildcard $(addsuffix /*.c,$(BENCH_DIRS))))
# The mpi mode: build/gilbench-mpi, the engine plus bench/modes/mpi/, built with
# Open MPI's mpicc when it is installed (and not under a sanitizer).
MPICC         ?= $(shell command -v mpicc 2>/dev/null)
MPI_PROGRAMS  := $(if $(and $(MPICC),$(if $(SANITIZE),,yes)),$(BUILD)/gilbench-mpi $(BUILD)/gilbench-mpi-test)
WORKLOAD_SRCS := $(sort $(wildcard workloads/*.c))
ENGINE_OBJS   := $(ENGINE_SRCS:%.c=$(BUILD)/%.o)
WORKLOAD_OBJS := $(WORKLOAD_SRCS:%.c=$(BUILD)/%.o)
# Test-only workloads (fault injection) go into build/gilbench-test alone.
TEST_WORKLOAD_SRCS := $(sort $(wildcard tests/workloads/*.c))
TEST_WORKLOAD_OBJS := $(TEST_WORKLOAD_SRCS:%.c=$(BUILD)/%.o)
# The engine without its command line (but for its option parsing, args.c)
# and without what calls OpenBLAS (dgemm_units.c): what the C tests link.
CORE_SRCS     := $(filter-out $(filter-out bench/commands/args.c,$(wildcard bench/commands/*.c)) \
                              bench/kit/dgemm_units.c,$(ENGINE_SRCS))
CORE_OBJS     := $(CORE_SRCS:%.c=$(BUILD)/%.o)

C_TESTS       := $(patsubst tests/%.c,$(BUILD)/tests/%,$(sort $(wildcard tests/*_test.c)))
SHELL_TESTS   := $(patsubst tests/%,$(BUILD)/tests/%,$(sort $(wildcard tests/*.t)))
# The tests of the GIL and the pools, which also run under ThreadSanitizer.
THREAD_TESTS  := gil_test engine_test objects_test interp_test

.PHONY: all help clean layers list fuzz soak mpi-hosts-check test test-programs bench bench-all calibrate pythons reproduce plots report compare timeline fresh-check
all: $(BUILD)/gilbench $(MPI_PROGRAMS)
	@:

help:
	@echo 'make                build build/gilbench'
	@echo 'make list           the workloads: the C ones, then the Python files (workloads/*.py)'
	@echo 'make layers         the include graph of bench/ by folder, its layers, and any circle'
	@echo 'make test           build and run every test (also under TSan and ASan+UBSan)'
	@echo 'make bench          sweep workloads x modes x workers; results/ and plots/'
	@echo 'make bench-all      the same and every study (convoy, amdahl, startup, memory, ipc, ...)'
	@echo 'make calibrate      the shipped workloads as the model and in CPython, side by side'
	@echo 'make plots RUN=dir  redraw the plots of a results folder'
	@echo 'make report RUN=dir rebuild the HTML report (index.html) of a results folder'
	@echo 'make compare A=dir B=dir  compare two results folders point by point'
	@echo 'make reproduce      the default sweep twice: how far its speedups move from run to run'
	@echo 'make timeline RUN=dir  trace cpu_loop, io_wait, convoy under the GIL; draw them per worker'
	@echo 'make timeline TRACE=file  draw one `gilbench run --trace` file'
	@echo '  bench settings: WORKLOADS MODES WORKERS RUNS MAX_RUNS PRECISION RESOLUTION BUDGET SEED WARMUP'
	@echo '                  SWITCH_INTERVAL_US PARAMS TIMEOUT QUICK=1 STUDIES RERUN=dir RESULTS_DIR PLOTS_DIR'
	@echo '                  TIMELINE_WORKERS TIMELINE_MS GIL_TRACE=0 HOSTFILE MPI_HOSTS_DOWN (MODES=...,mpi)'
	@echo '                  DRY_RUN=1 [PLAN_CPUS=N ESTIMATE_FROM=dir]: the plan and its expected time, nothing run'
	@echo '  calibrate settings: PYTHON FREE_THREADED_PYTHON PYTHONS=build'
	@echo 'make pythons        build CPython 3.13 with and without the GIL from Debian source (cached)'
	@echo 'make fresh-check    the README set-up commands in a fresh Debian root (debootstrap; root only)'
	@echo 'make fuzz           libFuzzer on the parsers, mutated files on the scripts (FUZZ_SECONDS=60 each)'
	@echo 'make soak           sweeps back to back for SOAK_MINUTES=30, checking for leaks after each'
	@echo 'make mpi-hosts-check  the mpi mode across MPI_HOSTS=2 network namespaces as machines (root)'
	@echo '  bench, test, calibrate, pythons install missing Debian packages as root; INSTALL=0 forbids it'
	@echo 'make clean          remove build/'

$(BUILD)/gilbench: $(ENGINE_OBJS) $(WORKLOAD_OBJS) $(BUILD)/registry.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/gilbench-test: $(ENGINE_OBJS) $(WORKLOAD_OBJS) $(TEST_WORKLOAD_OBJS) $(BUILD)/test-registry.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/gilbench-mpi: $(ENGINE_OBJS) $(WORKLOAD_OBJS) $(BUILD)/registry.o $(BUILD)/bench/modes/mpi/mpi_run.o
	$(MPICC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/gilbench-mpi-test: $(ENGINE_OBJS) $(WORKLOAD_OBJS) $(TEST_WORKLOAD_OBJS) $(BUILD)/test-registry.o \
                           $(BUILD)/bench/modes/mpi/mpi_run.o
	$(MPICC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/modes/mpi/%.o: bench/modes/mpi/%.c
	@mkdir -p $(@D)
	$(MPICC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The registry lists the workload files; it is regenerated when the list changes.
$(BUILD)/registry.c: $(WORKLOAD_SRCS) scripts/gen-registry.sh | $(BUILD)/.
	scripts/gen-registry.sh $(WORKLOAD_SRCS) > $@.$$$$.tmp && mv $@.$$$$.tmp $@

$(BUILD)/test-registry.c: $(WORKLOAD_SRCS) $(TEST_WORKLOAD_SRCS) scripts/gen-registry.sh | $(BUILD)/.
	scripts/gen-registry.sh $(WORKLOAD_SRCS) $(TEST_WORKLOAD_SRCS) > $@.$$$$.tmp && mv $@.$$$$.tmp $@

$(BUILD)/%registry.o: $(BUILD)/%registry.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/bench/commands/info.o: CPPFLAGS += -DGB_BUILD_FLAGS='"$(CC) $(ALL_CFLAGS)"'

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

%/.:
	mkdir -p $@

# ---- fuzzing (make fuzz): tests/fuzz/fuzz_*.c, each a libFuzzer harness
# linked with the engine (without its main) under ASan and UBSan, built by
# clang into build/fuzz/fuzz/; scripts/fuzz.sh runs them and the shell
# readers' mutated files.
FUZZ_CC        ?= clang-14
FUZZ_HARNESSES := $(patsubst tests/fuzz/%.c,%,$(filter-out tests/fuzz/fuzz_support.c,$(sort $(wildcard tests/fuzz/fuzz_*.c))))
FUZZ_LINK_OBJS  = $(filter-out $(BUILD)/bench/commands/main.o,$(ENGINE_OBJS)) $(WORKLOAD_OBJS) $(BUILD)/registry.o \
                  $(BUILD)/tests/fuzz/fuzz_support.o
.SECONDARY: $(BUILD)/tests/fuzz/fuzz_support.o
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LINK_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzz:
	@scripts/check-deps.sh fuzz
	@$(MAKE) -s --no-print-directory BUILD=build/fuzz CC=$(FUZZ_CC) SANITIZE=fuzzer-no-link,address,undefined \
	    CFLAGS='-O1 -g' $(addprefix build/fuzz/fuzz/,$(FUZZ_HARNESSES))
	@FUZZ_BUILD=build/fuzz/fuzz GILBENCH=$(BUILD)/gilbench exec scripts/fuzz.sh $(FUZZ_HARNESSES)

mpi-hosts-check:
	$(call install_then_build,mpi-hosts)
	@GILBENCH=$(BUILD)/gilbench exec scripts/mpi-hosts-check.sh

soak:
	$(call install_then_build,bench)
	@GILBENCH=$(BUILD)/gilbench exec scripts/soak.sh

# ---- the sweep ----
# Each of these first installs what it lacks (scripts/check-deps.sh) and
# builds in a sub-make.  Settings reach the scripts through the environment:
# make exports what is given on its command line, set-but-empty included, so
# the sweep tells its defaults from explicit choices, and no value is ever
# pasted into shell text (a quote in a path cannot break a recipe).  The
# scripts are exec'd, so that a SIGTERM to make (which make passes on to its
# children) reaches them and they stop their points.
define install_then_build
	@scripts/check-deps.sh $(1)
	@$(MAKE) --no-print-directory all
endef
bench bench-all calibrate reproduce timeline: export GILBENCH = $(BUILD)/gilbench

layers:
	@exec scripts/include_graph.py

list: all
	@[ -x /usr/bin/python3 ] || { echo "gilbench: make list needs python3; install with: apt-get install -y python3" >&2; exit 2; }
	@GILBENCH=$(BUILD)/gilbench exec /usr/bin/python3 scripts/sweep listing

bench:
	$(call install_then_build,bench)
	@GILBENCH_GOAL=$@ exec /usr/bin/python3 scripts/sweep bench

# The default sweep and every study of scripts/studies/ (several minutes).
bench-all:
	$(call install_then_build,bench)
	@GILBENCH_GOAL=$@ BENCH_ALL=1 exec /usr/bin/python3 scripts/sweep bench

# The default sweep twice, then how far the two runs' speedups differ.
reproduce:
	$(call install_then_build,bench)
	@GILBENCH_GOAL=$@ exec /usr/bin/python3 scripts/sweep reproduce

# CPython 3.13 twice from Debian's source, with and without the GIL, into
# PYTHONS_DIR (~/.cache/gilbench/python); kept once built.
pythons:
	@scripts/check-deps.sh pythons
	@exec scripts/pythons.sh

# The model beside CPython: scripts/studies/calibrate.plan, with Python.
# PYTHONS=build builds the two 3.13 interpreters first.
calibrate:
	$(if $(filter build,$(PYTHONS)),@$(MAKE) --no-print-directory pythons)
	$(call install_then_build,calibrate)
	@GILBENCH_GOAL=$@ STUDIES=calibrate exec /usr/bin/python3 scripts/sweep bench

plots:
	@scripts/check-deps.sh bench
	@$(if $(RUN),,echo "gilbench: make plots needs RUN=results/<folder>" >&2; exit 2;) \
	    exec /usr/bin/python3 scripts/sweep plots "$$RUN"

report:
	@scripts/check-deps.sh bench
	@$(if $(RUN),,echo "gilbench: make report needs RUN=results/<folder>" >&2; exit 2;) \
	    exec /usr/bin/python3 scripts/sweep report "$$RUN"

# Traced gil-mode runs of cpu_loop, io_wait and convoy, drawn per worker.
timeline:
	$(call install_then_build,bench)
	@$(if $(or $(RUN),$(TRACE)),,echo "gilbench: make timeline needs RUN=results/<folder> or TRACE=<trace file>" >&2; exit 2;) \
	    $(if $(TRACE),exec /usr/bin/python3 scripts/sweep timeline --draw "$$TRACE",/usr/bin/python3 scripts/sweep timeline "$$RUN" && exec /usr/bin/python3 scripts/sweep report "$$RUN")

compare:
	@scripts/check-deps.sh bench
	@$(if $(and $(A),$(B)),,echo "gilbench: make compare needs A=results/<folder> B=results/<folder>" >&2; exit 2;) \
	    exec /usr/bin/python3 scripts/sweep compare "$$A" "$$B"

# The README's two set-up commands in a fresh Debian root (debootstrap), with
# a bare environment: what a new user meets.
fresh-check:
	@scripts/check-deps.sh fresh-check
	@exec scripts/fresh-check.sh

# ---- tests ----
# `make test` builds three variants (plain; ThreadSanitizer for the GIL and
# pool tests; AddressSanitizer+UBSan for everything) and runs all their tests
# in one `prove`, which prints one summary.
test:
	@scripts/check-deps.sh test
	$(MAKE) --no-print-directory test-programs
	$(MAKE) --no-print-directory BUILD=build/tsan SANITIZE=thread \
	    $(addprefix build/tsan/tests/,$(THREAD_TESTS))
	$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=address,undefined \
	    CFLAGS='-O1 -g -fno-sanitize-recover=all' test-programs
	prove $(PROVE_FLAGS) $(C_TESTS) $(SHELL_TESTS) \
	    $(addprefix build/tsan/tests/,$(THREAD_TESTS)) \
	    $(patsubst $(BUILD)/%,build/asan/%,$(C_TESTS) $(SHELL_TESTS))

test-programs: $(BUILD)/gilbench $(BUILD)/gilbench-test $(MPI_PROGRAMS) $(C_TESTS) $(SHELL_TESTS)

# Sources and objects only: the headers its .d file adds to the
# prerequisites are not inputs (and one renamed since is not there).
$(BUILD)/tests/%_test: tests/%_test.c $(CORE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -o $@ $(filter %.c %.o,$^) -lpthread -lm

# A shell test runs against the gilbench of its variant.
$(BUILD)/tests/%.t: tests/%.t
	@mkdir -p $(@D)
	printf '#!/bin/sh\nGILBENCH=$(BUILD)/gilbench GILBENCH_TEST=$(BUILD)/gilbench-test exec $< "$$@"\n' \
	    > $@ && chmod +x $@

clean:
	rm -rf build

-include $(BUILD)/bench/modes/mpi/mpi_run.d $(ENGINE_OBJS:.o=.d) $(WORKLOAD_OBJS:.o=.d) $(TEST_WORKLOAD_OBJS:.o=.d) $(C_TESTS:=.d)
