# The guest kernel: the newest /boot/vmlinuz-* whose headers are installed
# (/lib/modules/<ver>/build exists). KVER=... on the command line overrides.
ifndef KVER
KVER := $(shell $(TOP)/tools/guest-kver)
endif
KDIR    ?= /lib/modules/$(KVER)/build
VMLINUZ ?= /boot/vmlinuz-$(KVER)
export KVER KDIR VMLINUZ
