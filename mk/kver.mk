# The guest kernel: the newest /boot/vmlinuz-* whose headers are installed
# (/lib/modules/<ver>/build exists). KVER=... on the command line overrides.
#
# The top-level Makefile sets NOOKS_TOPLEVEL and so never computes it: it is
# parsed before `deps-check` installs the kernel on a fresh machine, and a
# value computed then (empty) would be exported to every component as
# KDIR=/lib/modules//build. Components are make'd after deps-check and
# compute it themselves; a KVER given on the command line reaches them
# through MAKEFLAGS.
ifndef NOOKS_TOPLEVEL
ifndef KVER
KVER := $(shell $(TOP)/tools/guest-kver)
endif
KDIR    ?= /lib/modules/$(KVER)/build
VMLINUZ ?= /boot/vmlinuz-$(KVER)
export KVER KDIR VMLINUZ
endif
