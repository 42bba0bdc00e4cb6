/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gvmm guest code for arm64: AArch64, stage-1 MMU off, DAIF masked.
 *
 * The blob starts with the EL1 vector table (VBAR_EL1 = CODE_BASE, 2 KiB
 * aligned).  EL1 modes enter at gvmm_guest_entry with the mode in x0; the
 * EL0 modes (user, alt, altx) are entered directly at EL0 (PSTATE EL0t set
 * with KVM_SET_ONE_REG) at gvmm_guest_user / gvmm_guest_alt.  See guest.h
 * for the register contract.  Position independent: it is copied to
 * CODE_BASE in guest memory as it is.
 */
#include "guest.h"

	.section .rodata.gvmm_guest, "a"
	.balign	2048
	.globl	gvmm_guest_start, gvmm_guest_end, gvmm_guest_entry
	.globl	gvmm_guest_user, gvmm_guest_kernel, gvmm_guest_alt
	.globl	gvmm_guest_alt_end, gvmm_guest_svc, gvmm_guest_svc_end
	.globl	gvmm_guest_altx_hvc_ret

/* An unexpected exception: report ESR_EL1 (x0) and ELR_EL1 (x1) at MMIO_ERROR. */
.macro	bad_vector
	.balign	0x80
	mrs	x0, esr_el1
	mrs	x1, elr_el1
	mov	x2, #MMIO_ERROR
	str	x0, [x2]
	b	.
.endm

gvmm_guest_start:
	/* current EL with SP_EL0: sync, irq, fiq, serror */
	bad_vector
	bad_vector
	bad_vector
	bad_vector
	/* current EL with SP_ELx */
	bad_vector
	bad_vector
	bad_vector
	bad_vector
	/* lower EL, AArch64: sync is the svc of alt */
	.balign	0x80
gvmm_guest_svc:
	cbz	x21, 1f
	mov	x0, #HVC_FUNC
	hvc	#0
gvmm_guest_altx_hvc_ret:
1:	mov	x9, x20
	cbz	x9, 3f
2:	subs	x9, x9, #1
	b.ne	2b
3:	eret
gvmm_guest_svc_end:
	bad_vector		/* irq */
	bad_vector		/* fiq */
	bad_vector		/* serror */
	/* lower EL, AArch32 */
	bad_vector
	bad_vector
	bad_vector
	bad_vector

	.balign	0x80
gvmm_guest_entry:
	cmp	x0, #GUEST_MODE_KERNEL
	b.eq	gvmm_guest_kernel
	cmp	x0, #GUEST_MODE_EXITS
	b.eq	mode_exits
	cmp	x0, #GUEST_MODE_IO
	b.eq	mode_io
	cmp	x0, #GUEST_MODE_CPUID
	b.eq	mode_hvc
	cmp	x0, #GUEST_MODE_IDLE
	b.eq	mode_idle
	udf	#0		/* -> MMIO_ERROR */

/* user: pure register loop at EL0 */
gvmm_guest_user:
	add	x0, x0, #1
	b	gvmm_guest_user

/* kernel: pure register loop at EL1 */
gvmm_guest_kernel:
	add	x0, x0, #1
	b	gvmm_guest_kernel

/*
 * alt (EL0): x19 iterations at EL0, svc #0, x20 iterations at EL1 in the
 * handler (after an hvc with x21 = 1), eret back, repeat.  Both loops are
 * the same two instructions.
 */
gvmm_guest_alt:
1:	mov	x9, x19
	cbz	x9, 3f
2:	subs	x9, x9, #1
	b.ne	2b
3:	svc	#0
	b	1b
gvmm_guest_alt_end:

/* exits: x19 hvc, x20 stores to MMIO_IO, then report at MMIO_DONE */
mode_exits:
	mov	x22, #0
	cbz	x19, 2f
1:	mov	x0, #HVC_FUNC
	hvc	#0
	add	x22, x22, #1
	cmp	x22, x19
	b.ne	1b
2:	mov	x23, #0
	mov	x24, #MMIO_IO
	cbz	x20, 4f
3:	str	w23, [x24]
	add	x23, x23, #1
	cmp	x23, x20
	b.ne	3b
4:	mov	x24, #MMIO_DONE
	str	w22, [x24]
	b	4b

mode_io:
	mov	x24, #MMIO_IO
1:	str	w0, [x24]
	b	1b

mode_hvc:
1:	mov	x0, #HVC_FUNC
	hvc	#0
	b	1b

mode_idle:
1:	wfi
	b	1b

gvmm_guest_end:
