# Guest utilization: kernel split of guest time, KVM exit timing, gtop.
#
#   make demo     boot the patched kernel with demo VMs and run gtop in it
#   make check    every test (README); .ci/run calls it
#
# Everything generated goes to build/.

TOP	:= $(abspath .)
B	:= $(TOP)/build
SRC	:= $(B)/linux
KOBJ	:= $(B)/kernel
SHELL	:= /bin/bash

NEW_KERNEL_FILES := $(shell git ls-files -co --exclude-standard -- kernel fs include virt arch Documentation 2>/dev/null)
PATCHES	:= patches/series $(wildcard patches/*.patch)

.PHONY: all deps kernel kunit-kernel tree vmm gtop initramfs check check-patches check-kunit \
	check-boot check-debian check-gtop demo bench-exit bench-gtop clean \
	realguest-initramfs check-realguest kernel-arm64 check-arm64

all: kernel gtop vmm

# Debian packages everything here needs (installed when missing, as root).
deps:
	@scripts/deps.sh

# The patched source tree: pristine linux-source-6.12 + new files + series.
$(SRC)/.gu-stamp: $(PATCHES) $(NEW_KERNEL_FILES) scripts/kernel.sh
	scripts/kernel.sh tree $(SRC)
	@touch $@

tree: $(SRC)/.gu-stamp

# The test kernel: tinyconfig + config/test-kernel.config, left at
# build/bzImage; KVM is modules, left in build/kernel/arch/x86/kvm/ (kvm.ko,
# kvm-amd.ko, kvm-intel.ko), which make initramfs puts in the initramfs.
$(B)/bzImage: $(SRC)/.gu-stamp config/test-kernel.config
	scripts/kernel.sh build $(SRC) $(KOBJ) config/test-kernel.config
	cp $(KOBJ)/arch/x86/boot/bzImage $@

kernel: $(B)/bzImage

# The KUnit kernel: the test kernel's config plus config/kunit.config (KVM
# built in, with the KUnit suites), out of tree in build/kernel-kunit:
# kunit.py exec boots it bare, with nothing to load kvm.ko.
KUNIT_OBJ := $(B)/kernel-kunit
$(KUNIT_OBJ)/.kunit-built: $(SRC)/.gu-stamp config/test-kernel.config config/kunit.config
	scripts/kernel.sh build $(SRC) $(KUNIT_OBJ) config/test-kernel.config config/kunit.config
	@touch $@

kunit-kernel: $(KUNIT_OBJ)/.kunit-built

vmm:
	$(MAKE) -C tests/vmm O=$(B)/tests

gtop:
	$(MAKE) -C tools/gtop O=$(B)/gtop

# With the test kernel's KVM modules (--kvm-modules): /init loads kvm,
# kvm-amd and tries kvm-intel (tests/initramfs/init).
INITRAMFS := $(B)/tests/initramfs.cpio.gz
initramfs: vmm gtop kernel
	tests/initramfs/mkinitramfs.sh -o $(INITRAMFS) --kvm-modules $(KOBJ) \
		--bin /usr/bin/top --bin /usr/bin/ps --bin /usr/bin/vmstat \
		--bin /usr/bin/mpstat --bin /usr/bin/pidstat \
		--bin $(TOP)/tools/gtop/gtop

# The realguest boot scenarios' initramfs: the test one plus Debian's QEMU
# (its libraries and firmware), the guest kernel and the guest initramfs
# (tests/guest), and the test kernel's KVM modules, as make initramfs.
# GUEST_KERNEL: the L2 guest's kernel, the test kernel.
# The 32-bit guest the boot tests use (tests/guest/mkguest32.sh: an i386
# tinyconfig kernel from $(SRC), busybox-static:i386) goes in as
# /guest/bzImage32 and /guest/initrd32.cpio.gz (realguest.sh guest=32);
# GUEST32= leaves it out.
REALGUEST	:= $(B)/realguest
GUEST_KERNEL	?= $(B)/bzImage
GUEST32		?= 1
realguest-initramfs: vmm kernel
	tests/guest/mkguest.sh -o $(REALGUEST)/guest-initrd.cpio.gz
	$(if $(GUEST32),tests/guest/mkguest32.sh --src $(SRC) --dir $(REALGUEST))
	tests/initramfs/mkinitramfs.sh -o $(REALGUEST)/initramfs.cpio.gz \
		--kvm-modules $(KOBJ) \
		--bin /usr/bin/qemu-system-x86_64 \
		$(foreach f,/usr/share/seabios/bios-256k.bin \
			/usr/share/qemu/qboot.rom /usr/share/qemu/linuxboot_dma.bin \
			/usr/share/qemu/kvmvapic.bin,--file $(f):$(f)) \
		--file $(GUEST_KERNEL):/guest/bzImage \
		--file $(REALGUEST)/guest-initrd.cpio.gz:/guest/initrd.cpio.gz \
		$(if $(GUEST32),--file $(REALGUEST)/guest32-bzImage:/guest/bzImage32 \
			--file $(REALGUEST)/guest32-initrd.cpio.gz:/guest/initrd32.cpio.gz)

check: deps check-patches check-gtop check-kunit check-boot check-debian check-arm64 \
	check-selftests
	@echo "make check: all passed"

check-patches:
	scripts/check-patches.sh

check-kunit: kunit-kernel
	scripts/kunit.sh $(SRC) $(KUNIT_OBJ)

# All boot scenarios, the real-guest ones included (tests/run-boot-tests.sh).
check-boot: kernel initramfs realguest-initramfs
	tests/run-boot-tests.sh

# Real Linux guests under Debian's QEMU/KVM in the booted kernel alone.
check-realguest: kernel initramfs realguest-initramfs
	tests/run-boot-tests.sh --realguest

# KVM's x86 selftests of the 6.12 source (issue 8; tests/README.md, "KVM
# selftests"): those that pass on an unpatched kernel under TCG
# (tests/selftests/baseline.txt) must pass on the test kernel with both
# sysctls 1, and the quick ones again while exit timing is flipped.
# selftests-baseline makes the baseline again, on an unpatched kernel
# (pristine source, the test kernel's config) built in build/selftests.
.PHONY: check-selftests selftests-baseline
check-selftests: deps vmm kernel
	tests/selftests/run.sh check

selftests-baseline: deps vmm tree
	tests/selftests/run.sh baseline

check-debian: tree
	scripts/kernel.sh debian $(SRC) $(B)/debian

# arm64: the cross-built test kernel (build/arm64/Image), gvmm and gtop for
# arm64 and the boot tests under qemu-system-aarch64, VHE and nVHE, and
# KUnit on arm64 (scripts/arm64.sh); part of make check.
kernel-arm64: deps
	scripts/arm64.sh kernel

check-arm64: deps
	scripts/arm64.sh check

# gvmm first: tools/gtop/tests/cli.sh runs its live tests with it where
# the machine has /dev/kvm (the booted kernel's gtop test runs them always).
check-gtop: vmm
	$(MAKE) -C tools/gtop O=$(B)/gtop check

# The debug-kernel soak (issue 8; tests/README.md, "The debug-kernel soak"):
# the test kernel's config plus config/debug-kernel.config (lockdep,
# KASAN, UBSAN, ...) built in build/kernel-debug, and tests/boot/stress.sh
# booted on it (tests/stress/check-stress.sh: gstress, its own initramfs
# with that build's KVM modules, Debian's QEMU and the 32-bit guest).
# Not part of make check (its time: tests/README.md); run it after a
# change to the series and nightly with STRESS_FLIPS=10000.
# STRESS_FLIPS: changes of each sysctl (default 2000, some 20 min; the
# issue's 10000 take some 70 min). STRESS_QEMU=0: no real QEMU guest
# (default 1). STRESS_NOHZ=1: nohz_full=1, the vCPUs on CPU 1 (vtime).
DEBUG_OBJ := $(B)/kernel-debug
$(DEBUG_OBJ)/.debug-built: $(SRC)/.gu-stamp config/test-kernel.config config/debug-kernel.config
	scripts/kernel.sh build $(SRC) $(DEBUG_OBJ) config/test-kernel.config config/debug-kernel.config
	@touch $@

.PHONY: check-stress
check-stress: deps vmm $(DEBUG_OBJ)/.debug-built
	$(MAKE) -C tests/stress O=$(B)/tests
	tests/stress/check-stress.sh --obj $(DEBUG_OBJ) $(if $(STRESS_FLIPS),--flips $(STRESS_FLIPS)) \
		$(if $(STRESS_QEMU),--qemu $(STRESS_QEMU)) $(if $(filter 1,$(STRESS_NOHZ)),--nohz-full)

demo: deps kernel initramfs
	tests/demo.sh

bench-exit: deps
	bench/exit-cost.sh

bench-gtop: deps vmm gtop kernel
	$(MAKE) -C tools/gtop bench

clean:
	rm -rf $(B)
	$(MAKE) -C tools/gtop clean
