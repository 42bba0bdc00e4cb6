/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gvmm guest memory layout and guest/VMM contract.
 *
 * Shared by guest.S (assembler) and the C side.
 *
 * The guest runs in 32-bit flat protected mode, paging off, so guest
 * linear == guest physical == offset into the VMM's guest memory.
 */
#ifndef GVMM_GUEST_H
#define GVMM_GUEST_H

#define GUEST_MEM_SIZE		0x10000		/* 64 KiB, one slot at GPA 0 */
#define GVMM_MAX_VCPUS		64

#define GDT_BASE		0x0000		/* 0x0000 - 0x0fff */
#define IDT_BASE		0x1000		/* 0x1000 - 0x17ff, 256 gates */
#define TSS_BASE		0x2000		/* 0x2000 - 0x3fff */
#define TSS_STRIDE		0x80		/* one 104-byte TSS per vCPU */
#define CODE_BASE		0x4000		/* 0x4000 - 0x7fff */
#define CODE_MAX		0x4000
#define STACK_BASE		0x8000		/* 0x8000 - 0xffff */
#define STACK_STRIDE		0x200		/* per vCPU: 256 B user + 256 B kernel */

/* GDT selectors; TSS of vCPU i is SEL_TSS0 + 8 * i */
#define SEL_KCODE		0x08
#define SEL_KDATA		0x10
#define SEL_UCODE		0x1b		/* 0x18 | RPL 3 */
#define SEL_UDATA		0x23		/* 0x20 | RPL 3 */
#define SEL_TSS0		0x28
#define GDT_ENTRIES		(5 + GVMM_MAX_VCPUS)

#define SYSCALL_VECTOR		0x80		/* int 0x80: CPL3 -> CPL0 */

/* I/O ports used by the guest */
#define PORT_IO			0x80		/* exit-generating out */
#define PORT_DONE		0xf4		/* exits:N:M completion */

/*
 * Entry contract (set with KVM_SET_REGS, CPL0, IF=0):
 *   eax = GUEST_MODE_*
 *   ebx, ecx = mode arguments (see below)
 *   esp = kernel stack top, edx = user stack top
 *
 * GUEST_MODE_ALT:   ebx = user loop count, ecx = kernel loop count
 *                   per cycle.
 * GUEST_MODE_ALTX:  as ALT, entered with edi = 1: each CPL0 half starts
 *                   with a cpuid (a synchronous exit from CPL0).
 * GUEST_MODE_EXITS: ebx = number of cpuid, ecx = number of out to
 *                   PORT_IO; at completion the guest does out to
 *                   PORT_DONE with esi = cpuid executed, ebx = outs
 *                   executed.
 */
#define GUEST_MODE_USER		1
#define GUEST_MODE_KERNEL	2
#define GUEST_MODE_ALT		3
#define GUEST_MODE_EXITS	4
#define GUEST_MODE_IO		5
#define GUEST_MODE_CPUID	6
#define GUEST_MODE_IDLE		7
#define GUEST_MODE_ALTX		8	/* alt, edi = 1: cpuid in the CPL0 half */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* guest.S: the guest code blob and entry points inside it */
extern const uint8_t gvmm_guest_start[], gvmm_guest_end[];
extern const uint8_t gvmm_guest_user[], gvmm_guest_kernel[];
extern const uint8_t gvmm_guest_alt[];
extern const uint8_t gvmm_guest_int80[], gvmm_guest_int80_end[];
extern const uint8_t gvmm_guest_altx_cpuid_ret[];

/* For the common code (../vcpu.c): alt's two halves, altx's exit */
#define GUEST_ALT_USER_END	gvmm_guest_int80
#define GUEST_ALT_KERNEL	gvmm_guest_int80
#define GUEST_ALT_KERNEL_END	gvmm_guest_int80_end
#define GUEST_ALTX_CALL_RET	gvmm_guest_altx_cpuid_ret
#endif

#endif /* GVMM_GUEST_H */
