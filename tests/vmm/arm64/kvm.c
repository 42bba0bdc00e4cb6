// SPDX-License-Identifier: GPL-2.0
/*
 * gvmm for arm64: KVM side - VM, memory slot, vCPUs (KVM_ARM_VCPU_INIT,
 * registers through KVM_SET_ONE_REG), run loop.  No in-kernel irqchip:
 * the guest takes no interrupts (DAIF masked); host interrupts still
 * exit it, which is what the split samples.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "gvmm.h"

#define GUEST_ADDR(sym)	(CODE_BASE + (uint64_t)((sym) - gvmm_guest_start))

#define CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 KVM_REG_ARM_CORE_REG(x))
#define VBAR_EL1	ARM64_SYS_REG(3, 0, 12, 0, 0)

/* PSTATE: D, A, I, F masked; mode EL0t or EL1h */
#define PSTATE_DAIF	(0xfu << 6)
#define PSTATE_EL0t	0x0
#define PSTATE_EL1h	0x5

static bool starts_at_el0(const struct vcpu *v)
{
	return v->spec.mode == GUEST_MODE_USER || v->spec.mode == GUEST_MODE_ALT ||
	       v->spec.mode == GUEST_MODE_ALTX;
}

/* Per-thread state for the kick signal (SIGUSR1). */
static __thread struct kvm_run *tls_run;
static __thread volatile sig_atomic_t tls_kicked;

void vcpu_kick_handler(int sig)
{
	(void)sig;
	tls_kicked = 1;
	/* Makes a KVM_RUN that is about to start return -EINTR at once. */
	if (tls_run)
		tls_run->immediate_exit = 1;
}

static int kvm_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret;
}

static void set_reg(struct vcpu *v, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (kvm_ioctl(v->fd, KVM_SET_ONE_REG, &reg) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_SET_ONE_REG %#llx: %s", v->index,
		    (unsigned long long)id, strerror(errno));
}

static uint64_t get_reg(struct vcpu *v, uint64_t id)
{
	uint64_t val = 0;
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (kvm_ioctl(v->fd, KVM_GET_ONE_REG, &reg) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_GET_ONE_REG %#llx: %s", v->index,
		    (unsigned long long)id, strerror(errno));
	return val;
}

static uint64_t el1_stack_top(int index)
{
	return STACK_BASE + (uint64_t)(index % 64) * STACK_STRIDE + STACK_STRIDE;
}

static uint64_t el0_stack_top(int index)
{
	return el1_stack_top(index) - STACK_STRIDE / 2;
}

void print_layout(void)
{
	printf("layout code %#llx %#llx\n",
	       (unsigned long long)GUEST_ADDR(gvmm_guest_start),
	       (unsigned long long)GUEST_ADDR(gvmm_guest_end));
	printf("layout user %#llx %#llx\n",
	       (unsigned long long)GUEST_ADDR(gvmm_guest_user),
	       (unsigned long long)GUEST_ADDR(gvmm_guest_kernel));
	printf("layout alt_user %#llx %#llx\n",
	       (unsigned long long)GUEST_ADDR(gvmm_guest_alt),
	       (unsigned long long)GUEST_ADDR(gvmm_guest_alt_end));
	printf("layout alt_kernel %#llx %#llx\n",
	       (unsigned long long)GUEST_ADDR(gvmm_guest_svc),
	       (unsigned long long)GUEST_ADDR(gvmm_guest_svc_end));
}

int vm_create(struct vm *vm)
{
	struct kvm_userspace_memory_region region;
	size_t code = gvmm_guest_end - gvmm_guest_start;
	int ret;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		die(EXIT_KVM, "open /dev/kvm: %s", strerror(errno));
	ret = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION)
		die(EXIT_KVM, "KVM API version %d, expected %d", ret,
		    KVM_API_VERSION);
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
		die(EXIT_KVM, "KVM lacks KVM_CAP_IMMEDIATE_EXIT");
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ONE_REG) <= 0)
		die(EXIT_KVM, "KVM lacks KVM_CAP_ONE_REG");

	do {
		vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	} while (vm->fd < 0 && errno == EINTR);
	if (vm->fd < 0)
		die(EXIT_KVM, "KVM_CREATE_VM: %s", strerror(errno));

	vm->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		die(EXIT_KVM, "mmap guest memory: %s", strerror(errno));
	if (code > CODE_MAX)
		die(EXIT_KVM, "guest code too large: %zu bytes", code);
	memcpy(vm->mem + CODE_BASE, gvmm_guest_start, code);

	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = GUEST_MEM_SIZE;
	region.userspace_addr = (uintptr_t)vm->mem;
	if (kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die(EXIT_KVM, "KVM_SET_USER_MEMORY_REGION: %s",
		    strerror(errno));

	ret = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret <= 0)
		die(EXIT_KVM, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	vm->run_size = ret;
	return 0;
}

static void setup_regs(struct vcpu *v)
{
	const struct vcpu_spec *s = &v->spec;
	uint64_t pc;

	set_reg(v, VBAR_EL1, CODE_BASE);
	set_reg(v, CORE_REG(sp_el1), el1_stack_top(v->index));
	set_reg(v, CORE_REG(regs.sp), el0_stack_top(v->index));
	set_reg(v, CORE_REG(regs.regs[0]), s->mode);
	set_reg(v, CORE_REG(regs.regs[19]), s->arg1);
	set_reg(v, CORE_REG(regs.regs[20]), s->arg2);
	set_reg(v, CORE_REG(regs.regs[21]), s->mode == GUEST_MODE_ALTX);
	switch (s->mode) {
	case GUEST_MODE_USER:
		pc = GUEST_ADDR(gvmm_guest_user);
		break;
	case GUEST_MODE_ALT:
	case GUEST_MODE_ALTX:
		pc = GUEST_ADDR(gvmm_guest_alt);
		break;
	default:
		pc = GUEST_ADDR(gvmm_guest_entry);
		break;
	}
	set_reg(v, CORE_REG(regs.pc), pc);
	set_reg(v, CORE_REG(regs.pstate), PSTATE_DAIF |
		(starts_at_el0(v) ? PSTATE_EL0t : PSTATE_EL1h));
}

int vcpu_create(struct vm *vm, struct vcpu *v)
{
	struct kvm_vcpu_init init;

	v->vm = vm;
	do {
		v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, v->index);
	} while (v->fd < 0 && errno == EINTR);
	if (v->fd < 0)
		die(EXIT_KVM, "KVM_CREATE_VCPU %d: %s", v->index,
		    strerror(errno));
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED)
		die(EXIT_KVM, "vcpu %d: mmap kvm_run: %s", v->index,
		    strerror(errno));

	memset(&init, 0, sizeof(init));
	if (kvm_ioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		die(EXIT_KVM, "KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
	/* PSCI 0.2 so that every vCPU starts running (none is "off"). */
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (kvm_ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_ARM_VCPU_INIT: %s", v->index,
		    strerror(errno));
	setup_regs(v);
	return 0;
}

/* Sleep (not in KVM_RUN) until the main thread kicks this thread. */
static void vcpu_park(void)
{
	sigset_t kick, old;

	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &kick, &old);
	sigdelset(&old, SIGUSR1);
	while (!tls_kicked)
		sigsuspend(&old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void vcpu_done(struct vcpu *v)
{
	uint64_t elapsed = now_ns() - v->t_start;
	uint64_t hvcs = get_reg(v, CORE_REG(regs.regs[22]));
	uint64_t stores = get_reg(v, CORE_REG(regs.regs[23]));

	if (stores != v->io_exits || hvcs != v->spec.arg1 ||
	    stores != v->spec.arg2)
		fprintf(stderr,
			"gvmm: vcpu %d: count mismatch: guest hvc %llu io %llu, vmm io %llu, wanted %u/%u\n",
			v->index, (unsigned long long)hvcs,
			(unsigned long long)stores,
			(unsigned long long)v->io_exits, v->spec.arg1,
			v->spec.arg2);
	out(v->vm, "vcpu %d done cpuid %llu io %llu\n", v->index,
	    (unsigned long long)hvcs, (unsigned long long)v->io_exits);
	out(v->vm, "vcpu %d time ns %llu\n", v->index,
	    (unsigned long long)elapsed);
}

/* A store to MMIO_DONE: the exits mode finished. */
static bool vcpu_handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t val = 0;

	if (!run->mmio.is_write)
		die(EXIT_KVM, "vcpu %d: unexpected MMIO read at %#llx",
		    v->index, (unsigned long long)run->mmio.phys_addr);
	memcpy(&val, run->mmio.data,
	       run->mmio.len < sizeof(val) ? run->mmio.len : sizeof(val));
	switch (run->mmio.phys_addr) {
	case MMIO_IO:
		v->io_exits++;
		return false;
	case MMIO_DONE:
		return true;
	case MMIO_ERROR:
		die(EXIT_KVM, "vcpu %d: guest exception, ESR_EL1 %#llx, ELR_EL1 %#llx",
		    v->index, (unsigned long long)val, (unsigned long long)
		    get_reg(v, CORE_REG(regs.regs[1])));
	default:
		die(EXIT_KVM, "vcpu %d: unexpected MMIO write at %#llx, pc %#llx",
		    v->index, (unsigned long long)run->mmio.phys_addr,
		    (unsigned long long)get_reg(v, CORE_REG(regs.pc)));
	}
}

/* SIGUSR2 (--sample): only interrupts KVM_RUN. */
void vcpu_sample_handler(int sig)
{
	(void)sig;
}

/*
 * --sample: KVM_RUN was interrupted by a signal sent at a random time, so
 * the guest stopped at a point it did not choose: count its exception level
 * there (PSTATE.M, EL0t).  A reference for the EL0 share of guest time that
 * does not depend on the kernel's own guest time split.  A signal that
 * arrives while the host handles altx's hvc exit (or runs the world switch
 * around it) finds the guest right after the hvc, where the exit left it:
 * that is not guest execution, and is not counted (the guest itself is
 * there for one instruction a cycle).
 */
static void vcpu_sample_el(struct vcpu *v)
{
	uint64_t pstate;

	if (v->spec.mode == GUEST_MODE_ALTX &&
	    get_reg(v, CORE_REG(regs.pc)) == GUEST_ADDR(gvmm_guest_altx_hvc_ret))
		return;
	pstate = get_reg(v, CORE_REG(regs.pstate));

	__atomic_store_n(&v->samples_cpl3, v->samples_cpl3 +
			 ((pstate & PSR_MODE_MASK) == PSR_MODE_EL0t),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&v->samples, v->samples + 1, __ATOMIC_RELEASE);
}

int vcpu_run(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	tls_run = run;
	v->t_start = now_ns();
	for (;;) {
		if (tls_kicked)
			return 0;
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR && v->vm->sample_hz > 0)
				vcpu_sample_el(v);
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die(EXIT_KVM, "vcpu %d: KVM_RUN: %s (pc %#llx)", v->index,
			    strerror(errno), (unsigned long long)
			    get_reg(v, CORE_REG(regs.pc)));
		}
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			if (vcpu_handle_mmio(v)) {
				vcpu_done(v);
				vcpu_park();
				return 0;
			}
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			die(EXIT_KVM, "vcpu %d: guest system event %u",
			    v->index, run->system_event.type);
		case KVM_EXIT_FAIL_ENTRY:
			die(EXIT_KVM, "vcpu %d: VM entry failed, reason %#llx",
			    v->index, (unsigned long long)
			    run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			die(EXIT_KVM, "vcpu %d: KVM internal error, suberror %u",
			    v->index, run->internal.suberror);
		default:
			die(EXIT_KVM, "vcpu %d: unexpected exit reason %u, pc %#llx",
			    v->index, run->exit_reason, (unsigned long long)
			    get_reg(v, CORE_REG(regs.pc)));
		}
	}
}
