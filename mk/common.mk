# Shared build settings for every host component. Each component's Makefile
# sets TOP (the repository root) and includes this file.
TOP     ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
BIN     := $(TOP)/bin
BUILD   := $(TOP)/build
CC      ?= cc
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
CFLAGS  += $(CSTD) $(WARN) -I$(TOP)/include
# The sanitizer flavour used by every `make test` target.
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

include $(TOP)/mk/kver.mk
