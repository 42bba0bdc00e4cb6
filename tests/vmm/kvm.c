// SPDX-License-Identifier: GPL-2.0
/*
 * gvmm: KVM side - VM, memory slot, descriptor tables, vCPUs, run loop.
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

#define GUEST_ADDR(sym)	(CODE_BASE + (uint32_t)((sym) - gvmm_guest_start))

static bool starts_at_cpl3(const struct vcpu *v)
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

/* Legacy segment descriptor; access = P|DPL|S|type, flags = G|DB|L|AVL. */
static uint64_t gdt_entry(uint32_t base, uint32_t limit, unsigned int access,
			  unsigned int flags)
{
	return (uint64_t)(limit & 0xffff) |
	       ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)(access & 0xff) << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

/* 32-bit interrupt gate to SEL_KCODE:offset. */
static uint64_t idt_gate(uint32_t offset, unsigned int dpl)
{
	unsigned int access = 0x80 | (dpl << 5) | 0xe;

	return (uint64_t)(offset & 0xffff) |
	       ((uint64_t)SEL_KCODE << 16) |
	       ((uint64_t)access << 40) |
	       ((uint64_t)(offset >> 16) << 48);
}

static uint32_t tss_addr(int index)
{
	return TSS_BASE + index * TSS_STRIDE;
}

static uint32_t kstack_top(int index)
{
	return STACK_BASE + (index + 1) * STACK_STRIDE;
}

static uint32_t ustack_top(int index)
{
	return kstack_top(index) - STACK_STRIDE / 2;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void setup_tables(struct vm *vm)
{
	uint64_t gdt[GDT_ENTRIES] = { 0 };
	size_t code_len = gvmm_guest_end - gvmm_guest_start;
	uint32_t int80 = GUEST_ADDR(gvmm_guest_int80);
	uint64_t gate;
	int i;

	gdt[SEL_KCODE >> 3] = gdt_entry(0, 0xfffff, 0x9b, 0xc);
	gdt[SEL_KDATA >> 3] = gdt_entry(0, 0xfffff, 0x93, 0xc);
	gdt[SEL_UCODE >> 3] = gdt_entry(0, 0xfffff, 0xfb, 0xc);
	gdt[SEL_UDATA >> 3] = gdt_entry(0, 0xfffff, 0xf3, 0xc);
	for (i = 0; i < vm->nr_vcpus; i++) {
		uint8_t *tss = vm->mem + tss_addr(i);

		/* available 32-bit TSS in memory; TR's cache says the rest */
		gdt[(SEL_TSS0 >> 3) + i] = gdt_entry(tss_addr(i), 103, 0x89, 0);
		memset(tss, 0, 104);
		put32(tss + 4, kstack_top(i));		/* esp0 */
		put32(tss + 8, SEL_KDATA);		/* ss0 */
		put16(tss + 102, 104);			/* no I/O bitmap */
	}
	memcpy(vm->mem + GDT_BASE, gdt, sizeof(gdt));

	gate = idt_gate(int80, 3);
	memset(vm->mem + IDT_BASE, 0, 256 * 8);
	memcpy(vm->mem + IDT_BASE + SYSCALL_VECTOR * 8, &gate, sizeof(gate));

	if (code_len > CODE_MAX)
		die(EXIT_KVM, "guest code too large (%zu bytes)", code_len);
	memcpy(vm->mem + CODE_BASE, gvmm_guest_start, code_len);
}

/* Guest code address ranges [start, end), for checks on sampled RIPs. */
void print_layout(void)
{
	printf("layout code %#x %#x\n", GUEST_ADDR(gvmm_guest_start),
	       GUEST_ADDR(gvmm_guest_end));
	printf("layout user %#x %#x\n", GUEST_ADDR(gvmm_guest_user),
	       GUEST_ADDR(gvmm_guest_kernel));
	printf("layout alt_user %#x %#x\n", GUEST_ADDR(gvmm_guest_alt),
	       GUEST_ADDR(gvmm_guest_int80));
	printf("layout alt_kernel %#x %#x\n", GUEST_ADDR(gvmm_guest_int80),
	       GUEST_ADDR(gvmm_guest_int80_end));
}

int vm_create(struct vm *vm)
{
	struct kvm_userspace_memory_region region;
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

	if (vm->irqchip && kvm_ioctl(vm->fd, KVM_CREATE_IRQCHIP, NULL) < 0)
		die(EXIT_KVM, "KVM_CREATE_IRQCHIP: %s", strerror(errno));

	vm->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		die(EXIT_KVM, "mmap guest memory: %s", strerror(errno));
	setup_tables(vm);

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

static void flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->dpl = sel & 3;
	s->db = 1;
	s->s = 1;
	s->g = 1;
}

static void setup_sregs(struct vcpu *v)
{
	struct kvm_sregs sregs;
	int i = v->index;

	if (kvm_ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_GET_SREGS: %s", i, strerror(errno));

	if (starts_at_cpl3(v)) {
		flat_seg(&sregs.cs, SEL_UCODE, 0xb);
		flat_seg(&sregs.ds, SEL_UDATA, 0x3);
	} else {
		flat_seg(&sregs.cs, SEL_KCODE, 0xb);
		flat_seg(&sregs.ds, SEL_KDATA, 0x3);
	}
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;

	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.base = tss_addr(i);
	sregs.tr.limit = 103;
	sregs.tr.selector = SEL_TSS0 + 8 * i;
	sregs.tr.type = v->vm->tr_type;
	sregs.tr.present = 1;

	memset(&sregs.ldt, 0, sizeof(sregs.ldt));
	sregs.ldt.type = 2;
	sregs.ldt.unusable = 1;

	sregs.gdt.base = GDT_BASE;
	sregs.gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs.idt.base = IDT_BASE;
	sregs.idt.limit = 256 * 8 - 1;

	sregs.cr0 = 0x11;	/* PE | ET; paging and caches-off clear */
	sregs.cr2 = 0;
	sregs.cr3 = 0;
	sregs.cr4 = 0;
	sregs.efer = 0;

	if (kvm_ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_SET_SREGS: %s", i, strerror(errno));
}

static void setup_regs(struct vcpu *v)
{
	struct kvm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_BASE;
	if (v->spec.mode == GUEST_MODE_USER)
		regs.rip = GUEST_ADDR(gvmm_guest_user);
	else if (v->spec.mode == GUEST_MODE_ALT ||
		 v->spec.mode == GUEST_MODE_ALTX)
		regs.rip = GUEST_ADDR(gvmm_guest_alt);
	regs.rdi = v->spec.mode == GUEST_MODE_ALTX;
	regs.rflags = 0x2;
	regs.rax = v->spec.mode;
	regs.rbx = v->spec.arg1;
	regs.rcx = v->spec.arg2;
	regs.rsp = starts_at_cpl3(v) ? ustack_top(v->index) :
				       kstack_top(v->index);
	regs.rdx = ustack_top(v->index);
	if (kvm_ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_SET_REGS: %s", v->index,
		    strerror(errno));
}

int vcpu_create(struct vm *vm, struct vcpu *v)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

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

	setup_sregs(v);
	setup_regs(v);
	/* With an in-kernel LAPIC, APs would wait for INIT/SIPI. */
	if (vm->irqchip && kvm_ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_SET_MP_STATE: %s", v->index,
		    strerror(errno));
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
	struct kvm_regs regs;

	if (kvm_ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_GET_REGS: %s", v->index,
		    strerror(errno));
	if (regs.rbx != v->io_exits || regs.rsi != v->spec.arg1 ||
	    regs.rbx != v->spec.arg2)
		fprintf(stderr,
			"gvmm: vcpu %d: count mismatch: guest cpuid %llu io %llu, vmm io %llu, wanted %u/%u\n",
			v->index, (unsigned long long)regs.rsi,
			(unsigned long long)regs.rbx,
			(unsigned long long)v->io_exits, v->spec.arg1,
			v->spec.arg2);
	out(v->vm, "vcpu %d done cpuid %llu io %llu\n", v->index,
	    (unsigned long long)regs.rsi, (unsigned long long)v->io_exits);
	/* Under QEMU -icount shift=0 a nanosecond is one instruction. */
	out(v->vm, "vcpu %d time ns %llu\n", v->index,
	    (unsigned long long)elapsed);
}

static void vcpu_handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	if (run->io.direction != KVM_EXIT_IO_OUT)
		die(EXIT_KVM, "vcpu %d: unexpected in from port %#x",
		    v->index, run->io.port);
	if (run->io.port == PORT_IO) {
		v->io_exits += run->io.count;
		return;
	}
	die(EXIT_KVM, "vcpu %d: unexpected out to port %#x", v->index,
	    run->io.port);
}

static void __attribute__((noreturn)) vcpu_internal_error(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct kvm_regs regs;
	char data[128] = "";
	unsigned int i, n = run->internal.ndata;
	size_t len = 0;

	if (n > 8)
		n = 8;
	for (i = 0; i < n; i++)
		len += snprintf(data + len, sizeof(data) - len, " %#llx",
				(unsigned long long)run->internal.data[i]);
	if (kvm_ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
		memset(&regs, 0, sizeof(regs));
	die(EXIT_KVM, "vcpu %d: KVM internal error, suberror %u, rip %#llx, data:%s",
	    v->index, run->internal.suberror, (unsigned long long)regs.rip,
	    data);
}

/* SIGUSR2 (--sample): only interrupts KVM_RUN. */
void vcpu_sample_handler(int sig)
{
	(void)sig;
}

/*
 * --sample: KVM_RUN was interrupted by a signal sent at a random time, so
 * the guest stopped at a point it did not choose: count its CPL there (the
 * RPL of CS in gvmm's flat protected mode).  A reference for the CPL3 share
 * of guest time that does not depend on the kernel's own guest time split.
 * A signal that arrives while the host handles altx's cpuid exit finds the
 * guest right after the cpuid, where the exit left it: that is host time,
 * not guest time, and is not counted (the guest itself is there only for
 * the few instructions of one translation block a cycle).
 */
static void vcpu_sample_cpl(struct vcpu *v)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (kvm_ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_GET_REGS: %s", v->index,
		    strerror(errno));
	if (v->spec.mode == GUEST_MODE_ALTX &&
	    regs.rip == GUEST_ADDR(gvmm_guest_altx_cpuid_ret))
		return;
	if (kvm_ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_GET_SREGS: %s", v->index,
		    strerror(errno));
	__atomic_store_n(&v->samples_cpl3, v->samples_cpl3 +
			 ((sregs.cs.selector & 3) == 3), __ATOMIC_RELAXED);
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
				vcpu_sample_cpl(v);
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die(EXIT_KVM, "vcpu %d: KVM_RUN: %s", v->index,
			    strerror(errno));
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.port == PORT_DONE &&
			    run->io.direction == KVM_EXIT_IO_OUT) {
				vcpu_done(v);
				vcpu_park();
				return 0;
			}
			vcpu_handle_io(v);
			break;
		case KVM_EXIT_HLT:
			/* no in-kernel irqchip: nothing will wake it */
			vcpu_park();
			return 0;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_SHUTDOWN:
			die(EXIT_KVM, "vcpu %d: guest shutdown (triple fault)",
			    v->index);
		case KVM_EXIT_FAIL_ENTRY:
			die(EXIT_KVM, "vcpu %d: VM entry failed, reason %#llx",
			    v->index, (unsigned long long)
			    run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			vcpu_internal_error(v);
		default:
			die(EXIT_KVM, "vcpu %d: unexpected exit reason %u",
			    v->index, run->exit_reason);
		}
	}
}
