/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gvmm for arm64: guest memory layout and guest/VMM contract.
 *
 * Shared by guest.S (assembler) and the C side.  The guest runs AArch64
 * with its stage-1 MMU off (SCTLR_EL1 as KVM resets it), so guest
 * addresses are guest physical addresses.  RAM is one 64 KiB slot at
 * IPA 0; everything else is MMIO that exits to the VMM.
 */
#ifndef GVMM_GUEST_H
#define GVMM_GUEST_H

#define GUEST_MEM_SIZE		0x10000		/* 64 KiB, one slot at IPA 0 */
#define GVMM_MAX_VCPUS		64

#define CODE_BASE		0x1000		/* vectors first: 2 KiB aligned */
#define CODE_MAX		0x4000
#define STACK_BASE		0x8000		/* 0x8000 - 0xffff */
#define STACK_STRIDE		0x200		/* per vCPU: 256 B EL0 + 256 B EL1 */

/* MMIO addresses (no memory slot): a store there exits to the VMM */
#define MMIO_IO			0x100000	/* exit-generating store */
#define MMIO_DONE		0x110000	/* exits:N:M completion */
#define MMIO_ERROR		0x120000	/* unexpected exception: x0 = ESR_EL1 */

/* SMCCC_VERSION: an HVC that KVM answers in the kernel (x0..x3 clobbered) */
#define HVC_FUNC		0x80000000

/*
 * Entry contract (set with KVM_SET_ONE_REG; DAIF masked):
 *   x0 = GUEST_MODE_*, x19, x20 = mode arguments, x21 = 1 for altx
 *   SP_EL1 = EL1 stack top, SP_EL0 = EL0 stack top, VBAR_EL1 = CODE_BASE
 * user, alt and altx start at EL0 (PSTATE EL0t), the others at EL1 (EL1h).
 *
 * GUEST_MODE_ALT:   x19 = EL0 loop count, x20 = EL1 loop count per cycle;
 *                   svc #0 from EL0, eret back from the EL1 handler.
 * GUEST_MODE_ALTX:  as ALT with x21 = 1: each EL1 half starts with an hvc
 *                   (a synchronous exit from EL1).
 * GUEST_MODE_EXITS: x19 = number of hvc, x20 = number of stores to MMIO_IO;
 *                   at completion the guest stores to MMIO_DONE with
 *                   x22 = hvc executed, x23 = stores executed.
 */
#define GUEST_MODE_USER		1
#define GUEST_MODE_KERNEL	2
#define GUEST_MODE_ALT		3
#define GUEST_MODE_EXITS	4
#define GUEST_MODE_IO		5	/* store to MMIO_IO forever */
#define GUEST_MODE_CPUID	6	/* hvc forever (x86's cpuid) */
#define GUEST_MODE_IDLE		7	/* wfi forever */
#define GUEST_MODE_ALTX		8

#ifndef __ASSEMBLER__
#include <stdint.h>

/* guest.S: the guest code blob and entry points inside it */
extern const uint8_t gvmm_guest_start[], gvmm_guest_end[];
extern const uint8_t gvmm_guest_entry[];
extern const uint8_t gvmm_guest_user[], gvmm_guest_kernel[];
extern const uint8_t gvmm_guest_alt[], gvmm_guest_alt_end[];
extern const uint8_t gvmm_guest_svc[], gvmm_guest_svc_end[];
extern const uint8_t gvmm_guest_altx_hvc_ret[];

/* For the common code (../vcpu.c): alt's two halves, altx's exit */
#define GUEST_ALT_USER_END	gvmm_guest_alt_end
#define GUEST_ALT_KERNEL	gvmm_guest_svc
#define GUEST_ALT_KERNEL_END	gvmm_guest_svc_end
#define GUEST_ALTX_CALL_RET	gvmm_guest_altx_hvc_ret
#endif

#endif /* GVMM_GUEST_H */
