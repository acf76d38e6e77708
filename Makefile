# nooks: top-level build. Each component builds itself with its own Makefile
# (targets: all, test, clean); this file only orders them.
TOP := $(CURDIR)
# mk/kver.mk: the kernel version is computed by each component, after deps-check.
NOOKS_TOPLEVEL := 1
include mk/common.mk

# Build order matters: libraries before the programs that link them, kernel
# modules before the guest image that packs them.
HOST_ORDER := vmctl injector results analysis runtime/isolate campaigns
KMOD_ORDER := runtime tests/kmods
HOST_DIRS  := $(foreach d,$(HOST_ORDER),$(if $(wildcard $(d)/Makefile),$(d)))
KMOD_DIRS  := $(foreach d,$(KMOD_ORDER),$(if $(wildcard $(d)/Makefile),$(d)))
GUEST_DIRS := $(if $(wildcard guest/Makefile),guest)

.PHONY: all deps deps-check host kmods guest test unit integration bench \
        campaign smoke clean

all: deps-check host kmods guest

deps:
	tools/install-deps

# Installs what is missing (as root) so a plain `make` works on a fresh machine.
deps-check:
	@tools/install-deps --check 2>/dev/null || tools/install-deps
	@tools/guest-kver >/dev/null

host: deps-check
	@set -e; for d in $(HOST_DIRS); do $(MAKE) -C $$d all; done

kmods: deps-check
	@set -e; for d in $(KMOD_DIRS); do $(MAKE) -C $$d all; done

guest: kmods host
	@set -e; for d in $(GUEST_DIRS); do $(MAKE) -C $$d all; done

# The README's test command: every unit suite (under ASan/UBSan) and the
# integration suite in real QEMU guests.
test: all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration

unit:
	@set -e; for d in $(HOST_DIRS) $(GUEST_DIRS); do $(MAKE) -C $$d test; done

integration:
	tests/integration/run

bench: all
	bench/run

# The README's main command: an e1000 campaign end to end, DB and plots.
campaign: all
	tools/run-e1000-campaign

clean:
	@for d in $(HOST_DIRS) $(KMOD_DIRS) $(GUEST_DIRS); do $(MAKE) -C $$d clean; done
	rm -rf bin build
