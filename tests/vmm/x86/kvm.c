// SPDX-License-Identifier: GPL-2.0
/*
 * gvmm, x86: 32-bit flat protected mode guests - descriptor tables, the
 * vCPU's segments and registers, its exits (port I/O, hlt), its CPL.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gvmm.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

#define CPUID_1_ECX_VMX		(1u << 5)
#define CPUID_80000001_ECX_SVM	(1u << 2)

const struct arch_text arch_text = {
	.vm = "",
	.user = "CPL3",
	.kernel = "CPL0",
	.level = "CPL",
	.irqchip = "KVM_CREATE_IRQCHIP (in-kernel LAPIC): hlt blocks in KVM",
	.syscall = "int 0x80 / iret",
	.call = "cpuid",
	.io = "out to port " STR(PORT_IO),
	.done = "on port " STR(PORT_DONE),
	.modes =
"  io          out to port " STR(PORT_IO) " forever (userspace exits)\n"
"  cpuid       cpuid forever (in-kernel exits)\n"
"  idle        hlt forever with IF=0: without --irqchip KVM returns\n"
"              KVM_EXIT_HLT and the thread sleeps until exit; with\n"
"              --irqchip the vCPU stays halted inside KVM_RUN\n",
	.env =
"environment: GVMM_TR_TYPE=9|11 overrides the TR type (default: 11 with\n"
"VMX, which requires a busy TSS; 9 with SVM, as QEMU TCG needs).\n",
};

static int tr_type;	/* 9 (available) or 11 (busy) 32-bit TSS */

int arch_mode(const char *name, size_t len)
{
	(void)name;
	(void)len;
	return -1;
}

/*
 * TR type: VMX entry requires a busy TSS (11); QEMU TCG's SVM aborts
 * on an interrupt from CPL3 with a busy TR, and SVM does not care: 9.
 */
static int default_tr_type(void)
{
	unsigned int eax, ebx, ecx, edx;
	const char *env = getenv("GVMM_TR_TYPE");

	if (env && *env)
		return atoi(env) == 11 ? 11 : 9;
	if (__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) &&
	    (ecx & CPUID_80000001_ECX_SVM))
		return 9;
	if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & CPUID_1_ECX_VMX))
		return 11;
	/* no virtualization flag (e.g. PVM): go by the vendor */
	if (__get_cpuid(0, &eax, &ebx, &ecx, &edx) &&
	    ebx == 0x756e6547 && edx == 0x49656e69 && ecx == 0x6c65746e)
		return 11;	/* GenuineIntel */
	return 9;
}

void arch_init(struct vm *vm)
{
	(void)vm;
	tr_type = default_tr_type();
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

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Descriptor tables, TSSs; and the in-kernel LAPIC with --irqchip. */
void arch_vm_setup(struct vm *vm)
{
	uint64_t gdt[GDT_ENTRIES] = { 0 };
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
		put32(tss + 4, vcpu_kstack_top(i));		/* esp0 */
		put32(tss + 8, SEL_KDATA);		/* ss0 */
		put16(tss + 102, 104);			/* no I/O bitmap */
	}
	memcpy(vm->mem + GDT_BASE, gdt, sizeof(gdt));

	gate = idt_gate(int80, 3);
	memset(vm->mem + IDT_BASE, 0, 256 * 8);
	memcpy(vm->mem + IDT_BASE + SYSCALL_VECTOR * 8, &gate, sizeof(gate));

	if (vm->irqchip && kvm_ioctl(vm->fd, KVM_CREATE_IRQCHIP, NULL) < 0)
		die(EXIT_KVM, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
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

	if (vcpu_starts_in_user(v)) {
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
	sregs.tr.type = tr_type;
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
	regs.rsp = vcpu_starts_in_user(v) ? vcpu_ustack_top(v->index) :
					    vcpu_kstack_top(v->index);
	regs.rdx = vcpu_ustack_top(v->index);
	if (kvm_ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_SET_REGS: %s", v->index,
		    strerror(errno));
}

void arch_vcpu_setup(struct vcpu *v)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	setup_sregs(v);
	setup_regs(v);
	/* With an in-kernel LAPIC, APs would wait for INIT/SIPI. */
	if (v->vm->irqchip && kvm_ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_SET_MP_STATE: %s", v->index,
		    strerror(errno));
}

static void get_regs(struct vcpu *v, struct kvm_regs *regs)
{
	if (kvm_ioctl(v->fd, KVM_GET_REGS, regs) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_GET_REGS: %s", v->index,
		    strerror(errno));
}

/* exits:N:M done: esi cpuid executed, ebx outs executed */
void arch_guest_counts(struct vcpu *v, uint64_t *calls, uint64_t *ios)
{
	struct kvm_regs regs;

	get_regs(v, &regs);
	*calls = regs.rsi;
	*ios = regs.rbx;
}

uint64_t arch_pc(struct vcpu *v)
{
	struct kvm_regs regs;

	if (kvm_ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
		return 0;
	return regs.rip;
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

/* --sample: the CPL is the RPL of CS in gvmm's flat protected mode. */
int arch_sample(struct vcpu *v)
{
	struct kvm_sregs sregs;

	if (kvm_ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_GET_SREGS: %s", v->index,
		    strerror(errno));
	return (sregs.cs.selector & 3) == 3;
}

enum arch_exit arch_handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		if (run->io.port == PORT_DONE &&
		    run->io.direction == KVM_EXIT_IO_OUT)
			return ARCH_EXIT_DONE;
		vcpu_handle_io(v);
		return ARCH_EXIT_AGAIN;
	case KVM_EXIT_HLT:
		/* no in-kernel irqchip: nothing will wake it */
		return ARCH_EXIT_PARK;
	case KVM_EXIT_SHUTDOWN:
		die(EXIT_KVM, "vcpu %d: guest shutdown (triple fault)",
		    v->index);
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_internal_error(v);
	default:
		die(EXIT_KVM, "vcpu %d: unexpected exit reason %u",
		    v->index, run->exit_reason);
	}
}
