// SPDX-License-Identifier: GPL-2.0
/*
 * gvmm, arm64: AArch64 guests at EL0 and EL1 - vCPU init
 * (KVM_ARM_VCPU_INIT), registers through KVM_SET_ONE_REG, exits (MMIO),
 * the EL.  The command line is x86 gvmm's, so the boot scenarios run
 * unchanged: CPL3 is EL0, CPL0 is EL1, cpuid is hvc, port I/O is an MMIO
 * store, hlt is wfi.  No in-kernel irqchip: the guest takes no interrupts
 * (DAIF masked); host interrupts still exit it, which is what the split
 * samples.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gvmm.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

#define CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 KVM_REG_ARM_CORE_REG(x))
#define VBAR_EL1	ARM64_SYS_REG(3, 0, 12, 0, 0)

/* PSTATE: D, A, I, F masked; mode EL0t or EL1h */
#define PSTATE_DAIF	(0xfu << 6)
#define PSTATE_EL0t	0x0
#define PSTATE_EL1h	0x5

const struct arch_text arch_text = {
	.vm = " (arm64)",
	.user = "EL0",
	.kernel = "EL1",
	.level = "EL",
	.irqchip = "accepted for x86 gvmm's command line; no effect",
	.syscall = "svc / eret",
	.call = "hvc",
	.io = "stores to MMIO " STR(MMIO_IO),
	.done = "at MMIO " STR(MMIO_DONE),
	.modes =
"  io, mmio    store to MMIO " STR(MMIO_IO) " forever (userspace exits)\n"
"  cpuid, hvc  hvc forever (in-kernel exits: KVM answers SMCCC_VERSION)\n"
"  idle        wfi forever, DAIF masked: the vCPU stays halted inside\n"
"              KVM_RUN (or in the guest, where KVM does not trap WFI)\n",
	.env = "",
};

int arch_mode(const char *name, size_t len)
{
	if (len == 4 && !strncmp(name, "mmio", 4))
		return GUEST_MODE_IO;
	if (len == 3 && !strncmp(name, "hvc", 3))
		return GUEST_MODE_CPUID;
	return -1;
}

void arch_init(struct vm *vm)
{
	(void)vm;
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

void arch_vm_setup(struct vm *vm)
{
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ONE_REG) <= 0)
		die(EXIT_KVM, "KVM lacks KVM_CAP_ONE_REG");
}

static void setup_regs(struct vcpu *v)
{
	const struct vcpu_spec *s = &v->spec;
	uint64_t pc;

	set_reg(v, VBAR_EL1, CODE_BASE);
	set_reg(v, CORE_REG(sp_el1), vcpu_kstack_top(v->index));
	set_reg(v, CORE_REG(regs.sp), vcpu_ustack_top(v->index));
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
		(vcpu_starts_in_user(v) ? PSTATE_EL0t : PSTATE_EL1h));
}

void arch_vcpu_setup(struct vcpu *v)
{
	struct kvm_vcpu_init init;

	memset(&init, 0, sizeof(init));
	if (kvm_ioctl(v->vm->fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		die(EXIT_KVM, "KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
	/* PSCI 0.2 so that every vCPU starts running (none is "off"). */
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (kvm_ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		die(EXIT_KVM, "vcpu %d: KVM_ARM_VCPU_INIT: %s", v->index,
		    strerror(errno));
	setup_regs(v);
}

/* exits:N:M done: x22 hvc executed, x23 stores executed */
void arch_guest_counts(struct vcpu *v, uint64_t *calls, uint64_t *ios)
{
	*calls = get_reg(v, CORE_REG(regs.regs[22]));
	*ios = get_reg(v, CORE_REG(regs.regs[23]));
}

uint64_t arch_pc(struct vcpu *v)
{
	uint64_t val = 0;
	struct kvm_one_reg reg = { .id = CORE_REG(regs.pc), .addr = (uintptr_t)&val };

	kvm_ioctl(v->fd, KVM_GET_ONE_REG, &reg);
	return val;
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
		    (unsigned long long)arch_pc(v));
	}
}

/* --sample: PSTATE.M, EL0t is user mode. */
int arch_sample(struct vcpu *v)
{
	uint64_t pstate = get_reg(v, CORE_REG(regs.pstate));

	return (pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
}

enum arch_exit arch_handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		return vcpu_handle_mmio(v) ? ARCH_EXIT_DONE : ARCH_EXIT_AGAIN;
	case KVM_EXIT_SYSTEM_EVENT:
		die(EXIT_KVM, "vcpu %d: guest system event %u",
		    v->index, run->system_event.type);
	case KVM_EXIT_INTERNAL_ERROR:
		die(EXIT_KVM, "vcpu %d: KVM internal error, suberror %u",
		    v->index, run->internal.suberror);
	default:
		die(EXIT_KVM, "vcpu %d: unexpected exit reason %u, pc %#llx",
		    v->index, run->exit_reason,
		    (unsigned long long)arch_pc(v));
	}
}
