# minihv build.
#
#   make                 build both hypervisors (build/<arch>/BOOT*.EFI)
#   make qemu-arm64      run the guest suite on QEMU aarch64 (EL2, stage-2)
#   make qemu-x86        run the x86 hypervisor under QEMU
#   make bochs-x86       run it under Bochs (VMX on two Intel CPU models)
#   make linux-arm64     Debian's arm64 kernel as a minihv guest between two
#                        embedded ones, on cortex-a57 and max, beside plain
#                        QEMU booting it at EL1 (docs/linux-guest.md)
#   make check           host unit tests of mm/, the x86 decoder, CPUID and MSR
#                        tables, the SVM VMCB's intercepts, the hv/ core and the
#                        x86 exit handling on a fake CPU, the FDT writer and
#                        reader against dtc, the guest config parser and
#                        arm64 Image checks (plain, ASan+UBSan);
#                        mm/'s examples and ptdump golden dumps; the include
#                        direction
#   make libmm           build/host/libminihv-mm.a and build/host/include/
#                        (mm/ as a library for other programs; docs/mm.md)
#   make lab N           the tour's lab N: build/lab-N/, a copy of the tree with
#                        one function stubbed out (docs/tour/README.md)
#   make labs-check      every lab fails with its stub and passes with the code
#                        (minutes: runs guest suites; not part of make test)
#   make tour-svg        render docs/tour/*.dot to the SVGs next to them
#   make test            check + every guest suite this machine can run
#   make fuzz            libFuzzer targets, FUZZ_SECONDS each (tests/fuzz/)
#   make fuzz-smoke      their committed corpus replayed, and a short run each
#   make sign            signed copies for Secure Boot (build/<arch>-signed)
#   make bench           instructions per hypercall, per VM, sizes, against
#                        bench/baseline.txt (make bench-update rewrites it)
#   make test-matrix     the suite on every CPU model, machine and firmware tried
#                        (minutes: not part of make test)
#   make deps            install what is missing (scripts/install-deps.sh)
#   make gdb-arm64       the suite under gdb-multiarch, stopped at the
#   make gdb-x86         hypervisor's entry with its symbols (GUEST=hello:
#                        that guest only, with its symbols; docs/debugging.md)
#   TRACE=1              print one line per VM exit (builds in build/<arch>-trace)
#   TRACE=2              and each VM's tables at its end (build/<arch>-trace2)
#   CPU=...              the CPU model for qemu-arm64, qemu-x86, bochs-x86,
#                        linux-arm64
#   TESTS="a b"          only those guest tests (every suite target, make test)
#   make list-tests      the guest tests, one line each
#   V=1                  the full commands, not "  CC      hv/run.c"
#   QEMU_ARM64= QEMU_X86= BOCHS=   another emulator binary than the one on PATH
#   MINIHV_TIMEOUT=N     seconds per emulator run (120; Bochs 300; 0: no limit)
#   MINIHV_STALL=N       seconds of serial silence that count as a hang (45)
#   make help            this text
#
# Everything is built with -Wall -Wextra -Werror.

ARCHES   := aarch64 x86_64
BUILD    := build
DEPS     := build/deps
VERSION  := $(shell cat VERSION)-$(shell git describe --always --dirty 2>/dev/null || echo nogit)
TRACE    ?= 0
GDB      ?= 0
BENCH    ?= 0

WARN     := -Wall -Wextra -Werror
# The hypervisor and guests never touch FP/SIMD registers: minihv does not
# save them on a VM exit, so a compiler-generated SSE/NEON move would
# silently corrupt the guest's.
COMMON   := -std=gnu11 $(WARN) -O2 -g -ffreestanding -fno-stack-protector \
	    -fno-strict-aliasing -fno-tree-loop-distribute-patterns \
	    -mgeneral-regs-only -I. -DMINIHV_BENCH=$(BENCH)

# Quiet by default: one short line per step ("  CC      hv/run.c"); V=1
# shows the full commands instead.  $(call say,WHAT,FILE) prints the short
# line; $(Q) before a command hides it unless V=1.
V ?= 0
ifeq ($(V),1)
Q   :=
say  = @:
else
Q   := @
say  = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif

# The stamp rule below comes first in the file; "make" alone means "all".
.DEFAULT_GOAL := all

# Keep the guests' .elf files and the guest library's objects, which make
# would otherwise delete as intermediates (and rebuild every time).
.SECONDARY:

# ---------------------------------------------------------------- tools ---

# A stamp written by scripts/install-deps.sh; targets that need the
# cross tools, emulators or GNU-EFI depend on it.
DEPS_STAMP := $(DEPS)/.stamp
$(DEPS_STAMP): scripts/install-deps.sh
	sh scripts/install-deps.sh

.PHONY: deps
deps:
	sh scripts/install-deps.sh

# One line naming a missing compiler, linker or objcopy and the fix, before
# the first compile would fail with "No such file or directory".
need-tools-%: FORCE
	@for t in $(CC_$*) $(LD_$*) $(OBJCOPY_$*); do \
		command -v $$t >/dev/null 2>&1 || { \
			echo "minihv: $$t (the $* toolchain) is not installed: run make deps"; exit 1; }; \
	done

# ---------------------------------------------------------- per arch -------

CC_aarch64      := aarch64-linux-gnu-gcc
LD_aarch64      := aarch64-linux-gnu-ld
OBJCOPY_aarch64 := aarch64-linux-gnu-objcopy
CC_x86_64       := gcc
LD_x86_64       := ld
OBJCOPY_x86_64  := objcopy

EFI_aarch64     := $(DEPS)/gnu-efi-aarch64/usr
EFIINC_aarch64  := $(EFI_aarch64)/include/efi
EFILIB_aarch64  := $(EFI_aarch64)/lib
EFIINC_x86_64   := /usr/include/efi
EFILIB_x86_64   := /usr/lib

APP_aarch64     := BOOTAA64.EFI
APP_x86_64      := BOOTX64.EFI

# -fno-(asynchronous-)unwind-tables: GNU-EFI's aarch64 linker script discards
# .eh_frame, and with it gdb's only way up the stack of -O2 code; without
# unwind tables GCC writes the same call-frame information as .debug_frame,
# which hypervisor.so keeps (and the .efi does not carry: objcopy -j).
ARCHFLAGS_aarch64 := -mstrict-align -fno-asynchronous-unwind-tables -fno-unwind-tables
ARCHFLAGS_x86_64  := -mno-red-zone -DGNU_EFI_USE_MS_ABI

# lib/ (printf engine, string functions) and include/minihv/ (the hypercall
# ABI) are shared: the hypervisor and the guest library both build lib/.
HV_SRCS_COMMON  := $(wildcard boot/*.c hv/*.c mm/*.c lib/*.c)
GUEST_LIB_SRCS  := $(wildcard guest/lib/*.c) lib/format.c lib/minihv_string.c
GUEST_TESTS     := $(sort $(basename $(notdir $(wildcard guest/tests/*.c))))
# A test made of several programs, each run in its own VM in the order of
# their names: a directory guest/tests/NAME/ of 1_*.c, 2_*.c, ... (hv/main.c
# runs them back to back; scripts/gen-guest-table.sh reads the order).
GUEST_MULTI     := $(sort $(patsubst guest/tests/%/,%,$(dir $(wildcard guest/tests/*/*.c))))
GUEST_TESTS     := $(sort $(GUEST_TESTS) $(GUEST_MULTI))
GUEST_PROGRAMS  := $(filter-out $(GUEST_MULTI),$(GUEST_TESTS)) \
		   $(patsubst guest/tests/%.c,%,$(wildcard guest/tests/*/*.c))
HV_HEADERS      := $(wildcard boot/*.h hv/*.h mm/*.h lib/*.h include/minihv/*.h arch/*/*.h \
		     guest/lib/*.h guest/arch/*/*.h)

# Extra guests, for the runner's self-test: make SELFTEST=1 adds the
# deliberately failing guests of guest/selftest/ and builds into
# build/<arch>-selftest.
ifeq ($(SELFTEST),1)
GUEST_SELFTESTS := $(sort $(basename $(notdir $(wildcard guest/selftest/*.c))))
GUEST_TESTS     += $(GUEST_SELFTESTS)
GUEST_PROGRAMS  += $(GUEST_SELFTESTS)
VARIANT         := -selftest
endif
# TRACE=1 and TRACE=2 build elsewhere, so switching never mixes objects.
ifeq ($(TRACE),1)
VARIANT         := $(VARIANT)-trace
endif
ifeq ($(TRACE),2)
VARIANT         := $(VARIANT)-trace2
endif
# GDB=1 (make gdb-arm64, gdb-x86): the hypervisor waits for the debugger
# right after printing its image base (boot/efi_main.c).
ifeq ($(GDB),1)
VARIANT         := $(VARIANT)-gdb
endif
# TESTS="hello mmio_widths": build and run only those guests.  The image
# then holds only them (the judge expects exactly what guests.list names),
# so a selection builds apart, in build/<arch>-tests-<checksum of the
# names>, and switching it never rebuilds the full suite.  An unknown name
# stops the build with the list of known ones (make list-tests describes
# them).
# BENCH=1 ignores it: its build holds the bench guest alone.
# BENCH=1 (make bench, scripts/bench.sh) builds elsewhere too, with the
# bench guest alone: it then fails when its method check does, and the
# hypervisor prints its per-VM figures (docs/performance.md).  The rest of
# the suite stays out: under an instruction-counting emulator the tests
# that wait for the 2 s watchdog would run 2e9 instructions each.
ifeq ($(BENCH),1)
VARIANT         := $(VARIANT)-bench
GUEST_TESTS     := bench
GUEST_PROGRAMS  := bench
else ifneq ($(strip $(TESTS)),)
TESTS_UNKNOWN := $(filter-out $(GUEST_TESTS),$(TESTS))
ifneq ($(TESTS_UNKNOWN),)
$(error TESTS: no guest test named $(TESTS_UNKNOWN); known tests: $(GUEST_TESTS) (make list-tests describes them))
endif
GUEST_PROGRAMS  := $(filter $(TESTS) $(addsuffix /%,$(TESTS)),$(GUEST_PROGRAMS))
GUEST_TESTS     := $(filter $(TESTS),$(GUEST_TESTS))
VARIANT         := $(VARIANT)-tests-$(firstword $(shell printf '%s\n' $(sort $(TESTS)) | cksum))
endif
vpath %.c guest/tests guest/selftest

.PHONY: all
all: $(foreach a,$(ARCHES),$(BUILD)/$(a)$(VARIANT)/$(APP_$(a)))

# arch_template(arch): every rule that builds one architecture's .efi.
define arch_template
OUT_$(1)  := $(BUILD)/$(1)$(VARIANT)
HV_SRCS_$(1) := $(HV_SRCS_COMMON) $(wildcard arch/$(1)/*.c arch/$(1)/*.S)
HV_OBJS_$(1) := $$(patsubst %,$$(OUT_$(1))/hv/%.o,$$(HV_SRCS_$(1))) $$(OUT_$(1))/guests.o
HV_CFLAGS_$(1) := $(COMMON) $(ARCHFLAGS_$(1)) -fpic -fshort-wchar \
	-I$(EFIINC_$(1)) -I$(EFIINC_$(1))/$(1) \
	-DMINIHV_VERSION='"$(VERSION)"' -DMINIHV_TRACE=$(TRACE) -DMINIHV_GDB=$(GDB)
GUEST_CFLAGS_$(1) := $(COMMON) $(ARCHFLAGS_$(1)) -fno-pic -fno-pie -Iguest/lib -Iguest/arch/$(1)
GUEST_LIB_OBJS_$(1) := $$(patsubst %,$$(OUT_$(1))/guest/%.o,$(GUEST_LIB_SRCS) $(wildcard guest/arch/$(1)/*.S))
GUEST_BINS_$(1) := $$(patsubst %,$$(OUT_$(1))/guests/%.bin,$(GUEST_PROGRAMS))

$$(OUT_$(1))/hv/%.c.o: %.c $(HV_HEADERS) | $(DEPS_STAMP) need-tools-$(1)
	@mkdir -p $$(dir $$@)
	$$(call say,CC,$$<)
	$$(Q)$(CC_$(1)) $$(HV_CFLAGS_$(1)) -c $$< -o $$@

$$(OUT_$(1))/hv/%.S.o: %.S $(HV_HEADERS) | $(DEPS_STAMP) need-tools-$(1)
	@mkdir -p $$(dir $$@)
	$$(call say,AS,$$<)
	$$(Q)$(CC_$(1)) $$(HV_CFLAGS_$(1)) -c $$< -o $$@

$$(OUT_$(1))/guest/%.c.o: %.c $(HV_HEADERS) | $(DEPS_STAMP) need-tools-$(1)
	@mkdir -p $$(dir $$@)
	$$(call say,CC,$$< (guest))
	$$(Q)$(CC_$(1)) $$(GUEST_CFLAGS_$(1)) -c $$< -o $$@

$$(OUT_$(1))/guest/%.S.o: %.S $(HV_HEADERS) | $(DEPS_STAMP) need-tools-$(1)
	@mkdir -p $$(dir $$@)
	$$(call say,AS,$$< (guest))
	$$(Q)$(CC_$(1)) $$(GUEST_CFLAGS_$(1)) -c $$< -o $$@

# One guest = start code + guest library + one test file, linked at the
# guest-virtual address the hypervisor maps RAM at, then flattened.
$$(OUT_$(1))/guests/%.elf: %.c $$(GUEST_LIB_OBJS_$(1)) guest/arch/$(1)/guest.ld $(HV_HEADERS) | $(DEPS_STAMP)
	@mkdir -p $$(dir $$@)
	$$(call say,CC,$$< (guest))
	$$(Q)$(CC_$(1)) $$(GUEST_CFLAGS_$(1)) -c $$< -o $$(@:.elf=.o)
	$$(call say,LD,$$@)
	$$(Q)$(LD_$(1)) -nostdlib -static --no-warn-rwx-segments -T guest/arch/$(1)/guest.ld -o $$@ \
		$$(GUEST_LIB_OBJS_$(1)) $$(@:.elf=.o)

$$(OUT_$(1))/guests/%.bin: $$(OUT_$(1))/guests/%.elf
	$$(Q)$(OBJCOPY_$(1)) -O binary $$< $$@

# The list of guests (scripts/run-suite.sh reads it), rewritten only when it
# changes: a test that is removed then leaves the guest table too.
$$(OUT_$(1))/guests.list: FORCE
	@mkdir -p $$(@D)
	@printf '%s\n' $(GUEST_TESTS) > $$@.new
	@cmp -s $$@.new $$@ || mv $$@.new $$@
	@rm -f $$@.new

# The guest table: each image embedded with .incbin, plus what the test
# expects (scripts/gen-guest-table.sh reads the "minihv-expect:" comment).
$$(OUT_$(1))/guests.S: $$(GUEST_BINS_$(1)) $$(OUT_$(1))/guests.list scripts/gen-guest-table.sh
	$$(call say,GEN,$$@)
	$$(Q)sh scripts/gen-guest-table.sh $$(OUT_$(1))/guests $(GUEST_TESTS) > $$@

$$(OUT_$(1))/guests.o: $$(OUT_$(1))/guests.S
	$$(call say,AS,$$<)
	$$(Q)$(CC_$(1)) $$(HV_CFLAGS_$(1)) -c $$< -o $$@

$$(OUT_$(1))/hypervisor.so: $$(HV_OBJS_$(1))
	$$(call say,LD,$$@)
	$$(Q)$(LD_$(1)) -nostdlib -shared -Bsymbolic -z defs --no-warn-rwx-segments $(LDEXTRA_$(1)) \
		-T $(EFILIB_$(1))/elf_$(1)_efi.lds \
		$(EFILIB_$(1))/crt0-efi-$(1).o $$^ \
		-L$(EFILIB_$(1)) -lefi -lgnuefi -o $$@
endef

LDEXTRA_aarch64 := --defsym=EFI_SUBSYSTEM=0xa

# The version is compiled into boot/efi_main.c; rebuild it when it changes.
$(BUILD)/version.txt: FORCE
	@mkdir -p $(BUILD)
	@echo "$(VERSION)" > $@.new
	@cmp -s $@.new $@ || mv $@.new $@
	@rm -f $@.new
.PHONY: FORCE
FORCE:

$(foreach a,$(ARCHES),$(eval $(call arch_template,$(a))))
$(foreach a,$(ARCHES),$(eval $(BUILD)/$(a)$(VARIANT)/hv/boot/efi_main.c.o: $(BUILD)/version.txt))

# aarch64: Debian's crt0 carries its own PE header, so a raw binary copy of
# the loadable sections is the .efi.
$(BUILD)/aarch64$(VARIANT)/$(APP_aarch64): $(BUILD)/aarch64$(VARIANT)/hypervisor.so
	$(call say,OBJCOPY,$@)
	$(Q)$(OBJCOPY_aarch64) -O binary -j .text -j .sdata -j .data -j .dynamic \
		-j .dynsym -j .rel -j .rela -j .rel.* -j .rela.* -j .reloc $< $@

$(BUILD)/x86_64$(VARIANT)/$(APP_x86_64): $(BUILD)/x86_64$(VARIANT)/hypervisor.so
	$(call say,OBJCOPY,$@)
	$(Q)$(OBJCOPY_x86_64) -j .text -j .sdata -j .data -j .dynamic -j .dynsym \
		-j .rel -j .rela -j .rel.* -j .rela.* -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

# The firmware floor for make bench (bench/floor.c): an EFI app that prints
# the counter and powers off at once, built like the hypervisor.
$(BUILD)/%-floor/floor.o: bench/floor.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC_$*) $(HV_CFLAGS_$*) -c $< -o $@

$(BUILD)/%-floor/floor.so: $(BUILD)/%-floor/floor.o
	$(LD_$*) -nostdlib -shared -Bsymbolic --no-warn-rwx-segments $(LDEXTRA_$*) \
		-T $(EFILIB_$*)/elf_$*_efi.lds $(EFILIB_$*)/crt0-efi-$*.o $< \
		-L$(EFILIB_$*) -lefi -lgnuefi -o $@

$(BUILD)/aarch64-floor/$(APP_aarch64): $(BUILD)/aarch64-floor/floor.so
	$(OBJCOPY_aarch64) -O binary -j .text -j .sdata -j .data -j .dynamic \
		-j .dynsym -j .rel -j .rela -j .rel.* -j .rela.* -j .reloc $< $@

$(BUILD)/x86_64-floor/$(APP_x86_64): $(BUILD)/x86_64-floor/floor.so
	$(OBJCOPY_x86_64) -j .text -j .sdata -j .data -j .dynamic -j .dynsym \
		-j .rel -j .rela -j .rel.* -j .rela.* -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

# ------------------------------------------------------------ running ---

.PHONY: qemu-arm64 qemu-x86 bochs-x86
qemu-arm64: $(BUILD)/aarch64$(VARIANT)/$(APP_aarch64)
	sh scripts/run-suite.sh qemu-arm64 $(or $(CPU),cortex-a57) $(BUILD)/aarch64$(VARIANT)

qemu-x86: $(BUILD)/x86_64$(VARIANT)/$(APP_x86_64)
	sh scripts/run-suite.sh qemu-x86 $(or $(CPU),auto) $(BUILD)/x86_64$(VARIANT)

# VMX under Bochs, on both Intel CPU models (CPU=... for one).
BOCHS_CPUS := $(or $(CPU),corei7_haswell_4770 tigerlake)
bochs-x86: $(BUILD)/x86_64$(VARIANT)/$(APP_x86_64)
	@status=0; for cpu in $(BOCHS_CPUS); do \
		sh scripts/run-suite.sh bochs-x86 $$cpu $(BUILD)/x86_64$(VARIANT) || status=1; \
	done; exit $$status

# ------------------------------------------------------ the Linux guest ---
#
# Debian's arm64 kernel (scripts/install-deps.sh fetches it and busybox),
# an initramfs whose /init makes the EXIT hypercall (scripts/build-initramfs.sh),
# and the run: the embedded guests before and after Linux in one boot
# (scripts/linux-arm64.sh), beside plain QEMU booting the same kernel at
# EL1 (scripts/linux-el1-baseline.sh).  docs/linux-guest.md.
LINUX_IMAGE   := $(DEPS)/linux-arm64/Image
LINUX_BUSYBOX := $(DEPS)/busybox-arm64/bin/busybox
LINUX_CPUS    := $(or $(CPU),cortex-a57 max)
$(LINUX_IMAGE) $(LINUX_BUSYBOX): | $(DEPS_STAMP)
	sh scripts/install-deps.sh

# Rebuilt when busybox, the script (which holds /init) or the ABI's numbers change.
$(BUILD)/linux/initrd.cpio: scripts/build-initramfs.sh $(LINUX_BUSYBOX) include/minihv/hypercall_abi.h | $(DEPS_STAMP)
	$(call say,CPIO,$@)
	$(Q)sh scripts/build-initramfs.sh $@ $(LINUX_BUSYBOX) >/dev/null

.PHONY: linux-arm64
linux-arm64: $(BUILD)/aarch64$(VARIANT)/$(APP_aarch64) $(BUILD)/linux/initrd.cpio $(LINUX_IMAGE) | $(DEPS_STAMP)
	@status=0; for cpu in $(LINUX_CPUS); do \
		label=linux-$${cpu#cortex-}; \
		sh scripts/linux-el1-baseline.sh $$cpu || status=1; \
		sh scripts/linux-arm64.sh $$cpu $(BUILD)/aarch64$(VARIANT) $$label || status=1; \
	done; exit $$status

# The comment at the top of this file: the targets and variables.
.PHONY: help
help:
	@sed -n '1,/^$$/s/^# \{0,1\}//p' Makefile

# Every guest test with a line about it (scripts/list-tests.sh): the names
# TESTS="..." takes.
.PHONY: list-tests
list-tests:
	@sh scripts/list-tests.sh

# The build folder of ARCH for this make's TRACE, SELFTEST and TESTS
# (scripts/test-all.sh asks, so make test TESTS=... runs what it built).
.PHONY: print-builddir-%
print-builddir-%:
	@echo $(BUILD)/$*$(VARIANT)

# make gdb-arm64, make gdb-x86: the suite under QEMU's gdbstub (x86: TCG
# -cpu max, the SVM backend), gdb-multiarch attached with the hypervisor's
# symbols at the address the firmware loaded it, stopped in efi_main.
# GUEST=hello runs only that guest and loads its symbols too.  A GDB=1
# build, apart in build/<arch>-gdb*/ (scripts/gdb.sh, docs/debugging.md).
.PHONY: gdb-arm64 gdb-x86 gdb-run-aarch64 gdb-run-x86_64
gdb-arm64:
	+$(MAKE) --no-print-directory GDB=1 $(if $(GUEST),TESTS=$(GUEST)) gdb-run-aarch64
gdb-x86:
	+$(MAKE) --no-print-directory GDB=1 $(if $(GUEST),TESTS=$(GUEST)) gdb-run-x86_64
gdb-run-aarch64: $(BUILD)/aarch64$(VARIANT)/$(APP_aarch64)
	sh scripts/gdb.sh aarch64 $(BUILD)/aarch64$(VARIANT) $(GUEST)
gdb-run-x86_64: $(BUILD)/x86_64$(VARIANT)/$(APP_x86_64)
	sh scripts/gdb.sh x86_64 $(BUILD)/x86_64$(VARIANT) $(GUEST)

# ---------------------------------------------------------------- tests ---

UNIT_TESTS := $(basename $(notdir $(wildcard tests/test_*.c)))
UNIT_SRCS  := $(wildcard mm/*.c) $(wildcard arch/x86_64/x86_decode.c arch/x86_64/x86_cpuid.c arch/x86_64/x86_msr.c arch/x86_64/vmx_sdm.c)
HOST_CFLAGS := -std=c11 $(WARN) -g -I.
HOST_PLAIN  := -O2
HOST_SAN    := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# A test of one backend file links that file too (the test provides what
# the rest of the backend would).
UNIT_EXTRA_test_svm_vmcb := arch/x86_64/svm_vmcb.c
# The FDT writer and reader (tests/test_fdt.c; lib/fdt.h).
UNIT_EXTRA_test_fdt := lib/fdt_write.c lib/fdt_read.c
# The guest config parser and the arm64 Image checks: pure C, with the
# printf engine their messages use.
UNIT_EXTRA_test_config := hv/config.c lib/format.c
UNIT_EXTRA_test_linux_image := arch/aarch64/linux_image.c lib/format.c
HOST_DEPS   := $(UNIT_SRCS) $(HV_HEADERS) $(wildcard tests/*.h) $(UNIT_EXTRA_test_svm_vmcb) $(UNIT_EXTRA_test_fdt) \
	       $(UNIT_EXTRA_test_config) $(UNIT_EXTRA_test_linux_image) \
	       arch/x86_64/x86_exit.c

# Tests of the hypervisor core (tests/test_hv_*.c) also link the arch-neutral
# hv/ code it needs, with tests/fake_arch.c standing in for a backend.
# lib/minihv_string.c stays out on purpose: on the host the C library's
# memcpy and friends are used (two definitions would clash, and the
# sanitizers need theirs).  MINIHV_TRACE=0 as in the default build.
HV_UNIT_SRCS   := hv/vm.c hv/run.c hv/hypercall.c hv/print.c hv/console.c hv/power.c hv/trace.c hv/linux.c \
		  hv/config.c lib/format.c lib/str_find.c tests/fake_arch.c
HV_UNIT_CFLAGS := -DMINIHV_TRACE=0 -DMINIHV_BENCH=0
# hv/main.c only for test_hv_main, which defines the guest table it needs;
# the shared x86 exit handling for test_hv_x86_exit, which runs it on the
# fake backend's VM.
HV_UNIT_EXTRA_main := hv/main.c
HV_UNIT_EXTRA_x86_exit := arch/x86_64/x86_exit.c
# test_hv_hotpath counts the formatter's calls: every call from another
# file goes to its __wrap_ functions first.
HV_UNIT_EXTRA_hotpath := -Wl,--wrap=format_v -Wl,--wrap=format_buf_v

$(BUILD)/host/plain/%: tests/%.c $(HOST_DEPS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)gcc $(HOST_CFLAGS) $(HOST_PLAIN) $< $(UNIT_SRCS) $(UNIT_EXTRA_$*) -o $@

$(BUILD)/host/san/%: tests/%.c $(HOST_DEPS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)gcc $(HOST_CFLAGS) $(HOST_SAN) $< $(UNIT_SRCS) $(UNIT_EXTRA_$*) -o $@

# Make prefers these to the rules above for test_hv_*: of two matching
# pattern rules, it takes the one with the shorter stem.
$(BUILD)/host/plain/test_hv_%: tests/test_hv_%.c $(HOST_DEPS) $(HV_UNIT_SRCS) hv/main.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)gcc $(HOST_CFLAGS) $(HV_UNIT_CFLAGS) $(HOST_PLAIN) $< $(UNIT_SRCS) $(HV_UNIT_SRCS) \
		$(HV_UNIT_EXTRA_$*) -o $@

$(BUILD)/host/san/test_hv_%: tests/test_hv_%.c $(HOST_DEPS) $(HV_UNIT_SRCS) hv/main.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)gcc $(HOST_CFLAGS) $(HV_UNIT_CFLAGS) $(HOST_SAN) $< $(UNIT_SRCS) $(HV_UNIT_SRCS) \
		$(HV_UNIT_EXTRA_$*) -o $@

# ------------------------------------------------ mm/ as a host library ---
#
# make libmm: build/host/libminihv-mm.a from mm/*.c, and mm/'s headers in
# build/host/include/ (one umbrella header, minihv_mm.h, includes the rest).
# A program outside the tree uses -Ibuild/host/include and the .a, nothing
# else; mm/examples/ and mm/tools/ptdump.c are built exactly that way.  The
# sanitizer builds of those (build/host/san/) compile mm/*.c in instead.
LIBMM       := $(BUILD)/host/libminihv-mm.a
LIBMM_INC   := $(BUILD)/host/include
LIBMM_SRCS  := $(wildcard mm/*.c)
LIBMM_HDRS  := $(wildcard mm/*.h)
LIBMM_OBJS  := $(patsubst mm/%.c,$(BUILD)/host/libmm/%.o,$(LIBMM_SRCS))
MM_EXAMPLES := $(basename $(notdir $(wildcard mm/examples/*.c)))

$(BUILD)/host/libmm/%.o: mm/%.c $(LIBMM_HDRS)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)gcc $(HOST_CFLAGS) $(HOST_PLAIN) -c $< -o $@

$(LIBMM_INC)/.stamp: $(LIBMM_HDRS)
	@mkdir -p $(LIBMM_INC)
	$(Q)cp $(LIBMM_HDRS) $(LIBMM_INC)/
	@touch $@

$(LIBMM): $(LIBMM_OBJS) $(LIBMM_INC)/.stamp
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $(LIBMM_OBJS)

.PHONY: libmm
libmm: $(LIBMM)

LIBMM_CFLAGS := -std=c11 $(WARN) -g -I$(LIBMM_INC)

$(BUILD)/host/ptdump: mm/tools/ptdump.c $(LIBMM)
	$(call say,HOSTCC,$@)
	$(Q)gcc $(LIBMM_CFLAGS) $(HOST_PLAIN) $< $(LIBMM) -o $@

$(BUILD)/host/examples/%: mm/examples/%.c $(LIBMM)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)gcc $(LIBMM_CFLAGS) $(HOST_PLAIN) $< $(LIBMM) -o $@

$(BUILD)/host/san/ptdump: mm/tools/ptdump.c $(LIBMM_SRCS) $(LIBMM_INC)/.stamp
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)gcc $(LIBMM_CFLAGS) $(HOST_SAN) $< $(LIBMM_SRCS) -o $@

$(BUILD)/host/san/examples/%: mm/examples/%.c $(LIBMM_SRCS) $(LIBMM_INC)/.stamp
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)gcc $(LIBMM_CFLAGS) $(HOST_SAN) $< $(LIBMM_SRCS) -o $@

MM_CHECK_BINS := $(BUILD)/host/ptdump $(BUILD)/host/san/ptdump \
		 $(foreach e,$(MM_EXAMPLES),$(BUILD)/host/examples/$(e) $(BUILD)/host/san/examples/$(e))

# After the unit tests: the library's examples (each must exit 0), the
# ptdump golden dumps (scripts/check-ptdump.sh), docs/mm.md's quote of the
# example, the include direction (scripts/check-includes.sh): which
# folder may include what, and its self-test; and every C snippet of
# README.md and docs/*.md compiled (scripts/check-doc-snippets.sh).
.PHONY: check
check: $(foreach t,$(UNIT_TESTS),$(BUILD)/host/plain/$(t) $(BUILD)/host/san/$(t)) $(MM_CHECK_BINS)
	@sh scripts/run-unit.sh $(BUILD)/host $(UNIT_TESTS)
	@for e in $(MM_EXAMPLES); do for v in examples san/examples; do \
		$(BUILD)/host/$$v/$$e > $(BUILD)/host/$$v/$$e.out 2>&1 && \
			printf '  %-24s %-6s ok\n' "mm/examples/$$e" "$$v" || \
			{ cat $(BUILD)/host/$$v/$$e.out; echo "not ok - mm/examples/$$e ($$v)"; exit 1; }; \
	done; done
	@sh scripts/quietly.sh $(BUILD)/host/ptdump.log \
		sh scripts/check-ptdump.sh $(BUILD)/host/ptdump $(BUILD)/host/san/ptdump
	@sh scripts/quietly.sh $(BUILD)/host/mm-docs.log sh scripts/check-mm-docs.sh
	@sh scripts/quietly.sh $(BUILD)/host/includes.log sh scripts/check-includes.sh
	@sh scripts/quietly.sh $(BUILD)/host/doc-snippets.log sh scripts/check-doc-snippets.sh
	@sh scripts/quietly.sh $(BUILD)/host/tour.log sh scripts/check-tour.sh
	@sh scripts/quietly.sh $(BUILD)/host/lab-verify.log sh scripts/lab.sh verify

# --------------------------------------------------- the tour and labs ---
#
# docs/tour/: the guided tour.  make check (scripts/check-tour.sh) checks
# that every file and function a chapter names exists and that the SVGs
# match their Graphviz sources, and (scripts/lab.sh verify) that each lab's
# function can still be stubbed; make tour-svg renders them.  make lab N (or
# N=3) makes build/lab-N/, the tree with lab N's function stubbed out
# (scripts/lab.sh; docs/tour/labs/N-*.lab says which); make labs-check
# proves every lab's test fails with the stub and passes with the code.
.PHONY: tour-svg lab lab-list labs-check
tour-svg: | $(DEPS_STAMP)
	sh scripts/check-tour.sh render

# "make lab 3": the number is a goal of its own, which must do nothing.
ifeq ($(firstword $(MAKECMDGOALS)),lab)
LAB_N := $(or $(N),$(word 2,$(MAKECMDGOALS)))
ifneq ($(word 2,$(MAKECMDGOALS)),)
$(word 2,$(MAKECMDGOALS)):
	@:
endif
endif
lab: | $(DEPS_STAMP)
	@[ -n "$(LAB_N)" ] || { echo "usage: make lab N (make lab-list for the labs)"; exit 1; }
	sh scripts/lab.sh make $(LAB_N)

lab-list:
	@sh scripts/lab.sh list

labs-check: | $(DEPS_STAMP)
	+MAKE='$(MAKE)' nice sh scripts/lab.sh check

# ------------------------------------------------------------- fuzzing ---
#
# libFuzzer targets (tests/fuzz/), built with clang and ASan+UBSan: the x86
# decoder, the guest page-table walk, the page-table engine against a model,
# the hypercall argument checks, the FDT writer and reader, the guest config
# parser and the arm64 Image checks.  make fuzz runs each for FUZZ_SECONDS from
# its committed seeds (tests/fuzz/corpus/NAME/), keeping what it finds in
# build/fuzz/corpus/NAME/ (copy an input worth keeping, such as a crash's,
# into the committed folder by hand), then the decoder's differential check
# against objdump over both.  make fuzz-smoke replays the committed corpus and
# fuzzes briefly (scripts/fuzz-smoke.sh; part of make test).
FUZZERS      := x86_decode guest_walk pt hypercall fdt config
FUZZ_SECONDS ?= 60
FUZZ_CC      := clang
FUZZ_CFLAGS  := -std=c11 $(WARN) -g -O1 -I. -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRCS_x86_decode := arch/x86_64/x86_decode.c
FUZZ_SRCS_guest_walk := $(wildcard mm/*.c)
FUZZ_SRCS_pt         := $(wildcard mm/*.c)
FUZZ_SRCS_hypercall  := $(wildcard mm/*.c) $(HV_UNIT_SRCS)
FUZZ_FLAGS_hypercall := $(HV_UNIT_CFLAGS)
FUZZ_SRCS_fdt        := $(UNIT_EXTRA_test_fdt)
FUZZ_SRCS_config     := hv/config.c arch/aarch64/linux_image.c lib/format.c

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(HOST_DEPS) $(HV_UNIT_SRCS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS_$*) $< $(FUZZ_SRCS_$*) -o $@

# The decoder's side of the objdump comparison: a plain host program.
$(BUILD)/fuzz/decode_print: tests/fuzz/decode_print.c arch/x86_64/x86_decode.c \
		arch/x86_64/x86_decode.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	gcc $(HOST_CFLAGS) $(HOST_PLAIN) $< arch/x86_64/x86_decode.c -o $@

.PHONY: fuzz-build fuzz fuzz-smoke
fuzz-build: $(foreach f,$(FUZZERS),$(BUILD)/fuzz/fuzz_$(f)) $(BUILD)/fuzz/decode_print

# nice: the fuzzers take a whole core each, one at a time.
fuzz: fuzz-build
	@for f in $(FUZZERS); do \
		mkdir -p $(BUILD)/fuzz/corpus/$$f; \
		echo "=== fuzz_$$f for $(FUZZ_SECONDS)s"; \
		nice -n 10 $(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/crash-$$f- \
			$(BUILD)/fuzz/corpus/$$f tests/fuzz/corpus/$$f 2>&1 | \
			grep -E '^(#[0-9]+.*DONE|stat::|==|SUMMARY|artifact_prefix|Test unit)' ; \
		[ "$$(ls $(BUILD)/fuzz/crash-$$f-* 2>/dev/null)" = "" ] || { echo "fuzz_$$f: crash, see $(BUILD)/fuzz/crash-$$f-*"; exit 1; }; \
	done
	sh scripts/fuzz-decode-diff.sh $(BUILD)/fuzz/decode_print $(BUILD)/fuzz/corpus/x86_decode tests/fuzz/corpus/x86_decode

fuzz-smoke:
	+MAKE='$(MAKE)' sh scripts/fuzz-smoke.sh

# "+" and MAKE: the sub-makes of test-all.sh share this make's -j jobs.
.PHONY: test
test: | $(DEPS_STAMP)
	+MAKE='$(MAKE)' sh scripts/test-all.sh

# What minihv costs, in instructions the emulator counts (scripts/bench.sh,
# docs/performance.md): the ordinary build, the BENCH=1 build and the
# firmware floor app, run on QEMU aarch64, QEMU x86 SVM and Bochs VMX, and
# compared with bench/baseline.txt; bench-update rewrites the baseline.
.PHONY: bench bench-update
bench bench-update: all $(BUILD)/aarch64-floor/$(APP_aarch64) $(BUILD)/x86_64-floor/$(APP_x86_64) | $(DEPS_STAMP)
	+$(MAKE) BENCH=1 all
	sh scripts/bench.sh $(if $(filter bench-update,$@),update)

# Signed copies for Secure Boot, in build/<arch>-signed (scripts/sign.sh; Debian's
# test key unless SIGN_KEY and SIGN_CERT say otherwise; docs/secure-boot.md).
.PHONY: sign
sign: $(BUILD)/aarch64$(VARIANT)/$(APP_aarch64) $(BUILD)/x86_64$(VARIANT)/$(APP_x86_64) | $(DEPS_STAMP)
	sh scripts/sign.sh $(BUILD)/aarch64$(VARIANT) $(BUILD)/aarch64$(VARIANT)-signed
	sh scripts/sign.sh $(BUILD)/x86_64$(VARIANT) $(BUILD)/x86_64$(VARIANT)-signed

# Every platform minihv has been tried on, one line each (scripts/test-matrix.sh;
# PLATFORMS=cortex-a53 for the lines that match).
.PHONY: test-matrix
test-matrix: all | $(DEPS_STAMP)
	sh scripts/test-matrix.sh $(PLATFORMS)

.PHONY: clean
clean:
	rm -rf $(BUILD)/aarch64* $(BUILD)/x86_64* $(BUILD)/host $(BUILD)/run $(BUILD)/lab-* $(BUILD)/labs
