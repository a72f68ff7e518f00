# gilbench - build, test, benchmark.  `make help` lists the targets.

BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
SANITIZE ?=
WARNINGS  = -std=c11 -Wall -Wextra -Werror -Wshadow -Wvla
CPPFLAGS += -D_GNU_SOURCE -Ibench

# The libraries the workloads call: OpenBLAS (dgemm) and zlib (crc32).
LIBRARIES       := openblas zlib
LIBRARY_CFLAGS := $(shell pkg-config --cflags $(LIBRARIES) 2>/dev/null)
LIBRARY_LIBS   := $(shell pkg-config --libs $(LIBRARIES) 2>/dev/null)
ifeq ($(LIBRARY_LIBS),)
  ifeq ($(filter clean help,$(MAKECMDGOALS)),)
    $(error $(shell scripts/check-deps.sh $(if $(filter bench% plots,$(MAKECMDGOALS)),bench,test) 2>&1))
  endif
endif

ALL_CFLAGS = $(WARNINGS) $(CFLAGS) $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer) $(LIBRARY_CFLAGS)
LDLIBS     = $(LIBRARY_LIBS) -lpthread -lm

ENGINE_SRCS   := $(sort $(wildcard bench/*.c))
# The mpi mode: build/gilbench-mpi, the engine plus bench/mpi/, built with
# Open MPI's mpicc when it is installed (and not under a sanitizer).
MPICC         ?= $(shell command -v mpicc 2>/dev/null)
MPI_PROGRAMS  := $(if $(and $(MPICC),$(if $(SANITIZE),,yes)),$(BUILD)/gilbench-mpi $(BUILD)/gilbench-mpi-test)
WORKLOAD_SRCS := $(sort $(wildcard workloads/*.c))
ENGINE_OBJS   := $(ENGINE_SRCS:%.c=$(BUILD)/%.o)
WORKLOAD_OBJS := $(WORKLOAD_SRCS:%.c=$(BUILD)/%.o)
# Test-only workloads (fault injection) go into build/gilbench-test alone.
TEST_WORKLOAD_SRCS := $(sort $(wildcard tests/workloads/*.c))
TEST_WORKLOAD_OBJS := $(TEST_WORKLOAD_SRCS:%.c=$(BUILD)/%.o)
# The engine without its command line: what the C tests link against.
CORE_SRCS     := bench/args.c bench/gil.c bench/gil_trace.c bench/json_out.c \
                 bench/process_workers.c bench/run.c bench/stats.c bench/thread_workers.c \
                 bench/trace_file.c bench/watchdog.c
CORE_OBJS     := $(CORE_SRCS:%.c=$(BUILD)/%.o)

C_TESTS       := $(patsubst tests/%.c,$(BUILD)/tests/%,$(sort $(wildcard tests/*_test.c)))
SHELL_TESTS   := $(patsubst tests/%,$(BUILD)/tests/%,$(sort $(wildcard tests/*.t)))
# The tests of the GIL and the pools, which also run under ThreadSanitizer.
THREAD_TESTS  := gil_test engine_test

.PHONY: all help clean test test-programs bench bench-all calibrate plots report compare timeline
all: $(BUILD)/gilbench $(MPI_PROGRAMS)

help:
	@echo 'make                build build/gilbench'
	@echo 'make test           build and run every test (also under TSan and ASan+UBSan)'
	@echo 'make bench          sweep workloads x modes x workers; results/ and plots/'
	@echo 'make bench-all      the same and every study (convoy, amdahl, startup, memory, ipc, ...)'
	@echo 'make calibrate      the shipped workloads as the model and in CPython, side by side'
	@echo 'make plots RUN=dir  redraw the plots of a results folder'
	@echo 'make report RUN=dir rebuild the HTML report (index.html) of a results folder'
	@echo 'make compare A=dir B=dir  compare two results folders point by point'
	@echo 'make timeline RUN=dir  trace cpu_loop, io_wait, convoy under the GIL; draw them per worker'
	@echo 'make timeline TRACE=file  draw one `gilbench run --trace` file'
	@echo '  bench settings: WORKLOADS MODES WORKERS RUNS WARMUP SWITCH_INTERVAL_US PARAMS'
	@echo '                  TIMEOUT NOISE_THRESHOLD QUICK=1 STUDIES RERUN=dir RESULTS_DIR PLOTS_DIR'
	@echo '                  TIMELINE_WORKERS TIMELINE_MS HOSTFILE (MODES=...,mpi)'
	@echo '  calibrate settings: PYTHON FREE_THREADED_PYTHON INSTALL=0'
	@echo 'make clean          remove build/'

$(BUILD)/gilbench: $(ENGINE_OBJS) $(WORKLOAD_OBJS) $(BUILD)/registry.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/gilbench-test: $(ENGINE_OBJS) $(WORKLOAD_OBJS) $(TEST_WORKLOAD_OBJS) $(BUILD)/test-registry.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/gilbench-mpi: $(ENGINE_OBJS) $(WORKLOAD_OBJS) $(BUILD)/registry.o $(BUILD)/bench/mpi/mpi_run.o
	$(MPICC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/gilbench-mpi-test: $(ENGINE_OBJS) $(WORKLOAD_OBJS) $(TEST_WORKLOAD_OBJS) $(BUILD)/test-registry.o \
                           $(BUILD)/bench/mpi/mpi_run.o
	$(MPICC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/mpi/%.o: bench/mpi/%.c
	@mkdir -p $(@D)
	$(MPICC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The registry lists the workload files; it is regenerated when the list changes.
$(BUILD)/registry.c: $(WORKLOAD_SRCS) scripts/gen-registry.sh | $(BUILD)/.
	scripts/gen-registry.sh $(WORKLOAD_SRCS) > $@.tmp && mv $@.tmp $@

$(BUILD)/test-registry.c: $(WORKLOAD_SRCS) $(TEST_WORKLOAD_SRCS) scripts/gen-registry.sh | $(BUILD)/.
	scripts/gen-registry.sh $(WORKLOAD_SRCS) $(TEST_WORKLOAD_SRCS) > $@.tmp && mv $@.tmp $@

$(BUILD)/%registry.o: $(BUILD)/%registry.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/bench/info.o: CPPFLAGS += -DGB_BUILD_FLAGS='"$(CC) $(ALL_CFLAGS)"'

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

%/.:
	mkdir -p $@

# ---- the sweep ----
# Settings are passed only when given, so bench.sh can tell its defaults
# (which depend on QUICK and the CPU count) from explicit choices.
BENCH_SETTINGS = WORKLOADS MODES WORKERS RUNS WARMUP SWITCH_INTERVAL_US PARAMS TIMEOUT \
                 NOISE_THRESHOLD QUICK STUDIES RERUN RESULTS_DIR PLOTS_DIR TIMELINE_WORKERS TIMELINE_MS \
                 PYTHON FREE_THREADED_PYTHON HOSTFILE
BENCH_ENV = $(foreach v,$(BENCH_SETTINGS),$(if $(filter-out undefined,$(origin $(v))),$(v)='$($(v))')) \
            GILBENCH=$(BUILD)/gilbench GILBENCH_COMMAND='make $@ $(MAKEOVERRIDES)'
bench: $(BUILD)/gilbench $(MPI_PROGRAMS)
	@scripts/check-deps.sh bench
	@$(BENCH_ENV) scripts/bench.sh

# The default sweep and every study of scripts/studies/ (several minutes).
bench-all: $(BUILD)/gilbench $(MPI_PROGRAMS)
	@scripts/check-deps.sh bench
	@$(BENCH_ENV) BENCH_ALL=1 scripts/bench.sh

# The model beside CPython: scripts/studies/calibrate.plan, with Python.
calibrate: $(BUILD)/gilbench
	@scripts/check-deps.sh calibrate
	@$(BENCH_ENV) STUDIES=calibrate scripts/bench.sh

plots:
	@scripts/check-deps.sh bench
	@$(if $(RUN),,echo "gilbench: make plots needs RUN=results/<folder>" >&2; exit 2;) \
	    $(if $(PLOTS_DIR),PLOTS_DIR='$(PLOTS_DIR)') scripts/plot.sh '$(RUN)'

report:
	@$(if $(RUN),,echo "gilbench: make report needs RUN=results/<folder>" >&2; exit 2;) \
	    scripts/report.sh '$(RUN)'

# Traced gil-mode runs of cpu_loop, io_wait and convoy, drawn per worker.
timeline: $(BUILD)/gilbench
	@scripts/check-deps.sh bench
	@$(if $(or $(RUN),$(TRACE)),,echo "gilbench: make timeline needs RUN=results/<folder> or TRACE=<trace file>" >&2; exit 2;) \
	    $(foreach v,TIMELINE_WORKERS TIMELINE_MS TIMELINE_WORKLOADS PLOTS_DIR,$(if $($(v)),$(v)='$($(v))')) \
	    GILBENCH=$(BUILD)/gilbench scripts/timeline.sh $(if $(TRACE),--draw '$(TRACE)','$(RUN)') \
	    $(if $(RUN),&& scripts/report.sh '$(RUN)')

compare:
	@scripts/check-deps.sh bench
	@$(if $(and $(A),$(B)),,echo "gilbench: make compare needs A=results/<folder> B=results/<folder>" >&2; exit 2;) \
	    $(if $(RESULTS_DIR),RESULTS_DIR='$(RESULTS_DIR)') scripts/compare.sh '$(A)' '$(B)'

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

$(BUILD)/tests/%_test: tests/%_test.c $(CORE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -o $@ $^ -lpthread -lm

# A shell test runs against the gilbench of its variant.
$(BUILD)/tests/%.t: tests/%.t
	@mkdir -p $(@D)
	printf '#!/bin/sh\nGILBENCH=$(BUILD)/gilbench GILBENCH_TEST=$(BUILD)/gilbench-test exec $< "$$@"\n' \
	    > $@ && chmod +x $@

clean:
	rm -rf build

-include $(BUILD)/bench/mpi/mpi_run.d $(ENGINE_OBJS:.o=.d) $(WORKLOAD_OBJS:.o=.d) $(TEST_WORKLOAD_OBJS:.o=.d) $(C_TESTS:=.d)
