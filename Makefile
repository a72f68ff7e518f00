# gilbench - build, test, benchmark.  `make help` lists the targets.

BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
SANITIZE ?=
WARNINGS  = -std=c11 -Wall -Wextra -Werror -Wshadow -Wvla
CPPFLAGS += -D_GNU_SOURCE -Ibench

OPENBLAS_CFLAGS := $(shell pkg-config --cflags openblas 2>/dev/null)
OPENBLAS_LIBS   := $(shell pkg-config --libs openblas 2>/dev/null)
ifeq ($(OPENBLAS_LIBS),)
  ifeq ($(filter clean help,$(MAKECMDGOALS)),)
    $(error OpenBLAS not found through `pkg-config openblas`; install it with: apt-get install -y pkg-config libopenblas-pthread-dev)
  endif
endif

ALL_CFLAGS = $(WARNINGS) $(CFLAGS) $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer) $(OPENBLAS_CFLAGS)
LDLIBS     = $(OPENBLAS_LIBS) -lpthread -lm

ENGINE_SRCS   := $(sort $(wildcard bench/*.c))
WORKLOAD_SRCS := $(sort $(wildcard workloads/*.c))
ENGINE_OBJS   := $(ENGINE_SRCS:%.c=$(BUILD)/%.o)
WORKLOAD_OBJS := $(WORKLOAD_SRCS:%.c=$(BUILD)/%.o)

.PHONY: all help clean
all: $(BUILD)/gilbench

help:
	@echo 'make                build build/gilbench'
	@echo 'make test           build and run every test (also under TSan and ASan+UBSan)'
	@echo 'make bench          sweep workloads x modes x workers; results/ and plots/'
	@echo 'make plots RUN=dir  redraw the plots of a results folder'
	@echo 'make clean          remove build/'

$(BUILD)/gilbench: $(ENGINE_OBJS) $(WORKLOAD_OBJS) $(BUILD)/registry.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The registry lists the workload files; it is regenerated when the list changes.
$(BUILD)/registry.c: $(WORKLOAD_SRCS) scripts/gen-registry.sh | $(BUILD)/.
	scripts/gen-registry.sh $(WORKLOAD_SRCS) > $@.tmp && mv $@.tmp $@

$(BUILD)/registry.o: $(BUILD)/registry.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/bench/info.o: CPPFLAGS += -DGB_BUILD_FLAGS='"$(CC) $(ALL_CFLAGS)"'

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

%/.:
	mkdir -p $@

clean:
	rm -rf build

-include $(ENGINE_OBJS:.o=.d) $(WORKLOAD_OBJS:.o=.d)
