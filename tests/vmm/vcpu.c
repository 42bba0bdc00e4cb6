// SPDX-License-Identifier: GPL-2.0
/*
 * gvmm: the KVM side every architecture shares - the VM and its one
 * memory slot with the guest code, vCPUs, the run loop, the kick and
 * sample signals, the exits:N:M report.  The architecture's kvm.c sets
 * up the guest's registers and tables, handles its exits and reads its
 * privilege level (gvmm.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "gvmm.h"

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

/* SIGUSR2 (--sample): only interrupts KVM_RUN. */
void vcpu_sample_handler(int sig)
{
	(void)sig;
}

int kvm_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret;
}

bool vcpu_starts_in_user(const struct vcpu *v)
{
	return v->spec.mode == GUEST_MODE_USER || v->spec.mode == GUEST_MODE_ALT ||
	       v->spec.mode == GUEST_MODE_ALTX;
}

/* Per vCPU: STACK_STRIDE / 2 of user stack below as much of kernel stack. */
uint64_t vcpu_kstack_top(int index)
{
	return STACK_BASE + (uint64_t)(index % GVMM_MAX_VCPUS + 1) * STACK_STRIDE;
}

uint64_t vcpu_ustack_top(int index)
{
	return vcpu_kstack_top(index) - STACK_STRIDE / 2;
}

/* Guest code address ranges [start, end), for checks on sampled PCs. */
void print_layout(void)
{
	static const struct {
		const char *name;
		const uint8_t *start, *end;
	} r[] = {
		{ "code", gvmm_guest_start, gvmm_guest_end },
		{ "user", gvmm_guest_user, gvmm_guest_kernel },
		{ "alt_user", gvmm_guest_alt, GUEST_ALT_USER_END },
		{ "alt_kernel", GUEST_ALT_KERNEL, GUEST_ALT_KERNEL_END },
	};
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		printf("layout %s %#llx %#llx\n", r[i].name,
		       (unsigned long long)GUEST_ADDR(r[i].start),
		       (unsigned long long)GUEST_ADDR(r[i].end));
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
		die(EXIT_KVM, "guest code too large (%zu bytes)", code);
	memcpy(vm->mem + CODE_BASE, gvmm_guest_start, code);
	arch_vm_setup(vm);

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
	/*
	 * --stats: the binary stats fd of the VM, held open (KVM answers
	 * KVM_GET_STATS_FD only to the VM's own process; the fd itself can
	 * be read by any process that gets it, with pidfd_getfd()).
	 */
	if (vm->stats && ioctl(vm->fd, KVM_GET_STATS_FD, NULL) < 0)
		die(EXIT_KVM, "KVM_GET_STATS_FD (VM): %s", strerror(errno));
	return 0;
}

int vcpu_create(struct vm *vm, struct vcpu *v)
{
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
	if (vm->stats && ioctl(v->fd, KVM_GET_STATS_FD, NULL) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_GET_STATS_FD: %s", v->index,
		    strerror(errno));
	arch_vcpu_setup(v);
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
	uint64_t calls, ios;

	arch_guest_counts(v, &calls, &ios);
	if (ios != v->io_exits || calls != v->spec.arg1 ||
	    ios != v->spec.arg2)
		fprintf(stderr,
			"gvmm: vcpu %d: count mismatch: guest %s %llu io %llu, vmm io %llu, wanted %u/%u\n",
			v->index, arch_text.call, (unsigned long long)calls,
			(unsigned long long)ios,
			(unsigned long long)v->io_exits, v->spec.arg1,
			v->spec.arg2);
	out(v->vm, "vcpu %d done cpuid %llu io %llu\n", v->index,
	    (unsigned long long)calls, (unsigned long long)v->io_exits);
	/* Under QEMU -icount shift=0 a nanosecond is one instruction. */
	out(v->vm, "vcpu %d time ns %llu\n", v->index,
	    (unsigned long long)elapsed);
}

/*
 * --sample: KVM_RUN was interrupted by a signal sent at a random time, so
 * the guest stopped at a point it did not choose: count its privilege
 * level there.  A reference for the user share of guest time that does
 * not depend on the kernel's own guest time split.  A signal that arrives
 * while the host handles altx's call exit (or runs the world switch
 * around it) finds the guest right after the call, where the exit left
 * it: that is host time, not guest time, and is not counted (the guest
 * itself is there only for a few instructions a cycle).
 */
static void vcpu_sample(struct vcpu *v)
{
	int user;

	if (v->spec.mode == GUEST_MODE_ALTX &&
	    arch_pc(v) == GUEST_ADDR(GUEST_ALTX_CALL_RET))
		return;
	user = arch_sample(v);
	__atomic_store_n(&v->samples_cpl3, v->samples_cpl3 + (user == 1),
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
				vcpu_sample(v);
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die(EXIT_KVM, "vcpu %d: KVM_RUN: %s (pc %#llx)", v->index,
			    strerror(errno), (unsigned long long)arch_pc(v));
		}
		switch (run->exit_reason) {
		case KVM_EXIT_INTR:
			continue;
		case KVM_EXIT_FAIL_ENTRY:
			die(EXIT_KVM, "vcpu %d: VM entry failed, reason %#llx",
			    v->index, (unsigned long long)
			    run->fail_entry.hardware_entry_failure_reason);
		}
		switch (arch_handle_exit(v)) {
		case ARCH_EXIT_AGAIN:
			break;
		case ARCH_EXIT_DONE:
			vcpu_done(v);
			vcpu_park();
			return 0;
		case ARCH_EXIT_PARK:
			vcpu_park();
			return 0;
		}
	}
}
