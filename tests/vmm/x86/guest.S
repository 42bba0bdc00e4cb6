/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gvmm guest code: 32-bit flat protected mode, IF=0, paging off.
 *
 * CPL0 modes enter at gvmm_guest_start with the mode in %eax; the CPL3
 * modes (user, alt) are entered directly at CPL3 (KVM_SET_SREGS with
 * DPL3 CS/SS) at gvmm_guest_user / gvmm_guest_alt, so getting to CPL3
 * needs no iret. See guest.h for the register contract.
 *
 * It is assembled as .code32 data inside the (x86-64) VMM object and
 * copied to CODE_BASE in guest memory. The code is position
 * independent (relative jumps only), so it needs no relocation and no
 * 32-bit toolchain.
 */
#include "guest.h"

	.section .rodata.gvmm_guest, "a"
	.code32
	.globl	gvmm_guest_start, gvmm_guest_end, gvmm_guest_int80
	.globl	gvmm_guest_kernel, gvmm_guest_user, gvmm_guest_alt, gvmm_guest_int80_end
	.globl	gvmm_guest_altx_cpuid_ret

gvmm_guest_start:
	cmpl	$GUEST_MODE_KERNEL, %eax
	je	mode_kernel
	cmpl	$GUEST_MODE_EXITS, %eax
	je	mode_exits
	cmpl	$GUEST_MODE_IO, %eax
	je	mode_io
	cmpl	$GUEST_MODE_CPUID, %eax
	je	mode_cpuid
	cmpl	$GUEST_MODE_IDLE, %eax
	je	mode_idle
	ud2			/* no IDT entry: triple fault -> SHUTDOWN */

/* user: pure register loop at CPL3 */
gvmm_guest_user:
	incl	%eax
	jmp	gvmm_guest_user

/* kernel: pure register loop at CPL0 */
gvmm_guest_kernel:
mode_kernel:
	incl	%eax
	jmp	mode_kernel

/*
 * alt (CPL3): %ebx iterations at CPL3, int 0x80, %ecx iterations at
 * CPL0 in the handler, iret back, repeat.
 */
gvmm_guest_alt:
	movl	%ecx, %ebp
1:	movl	%ebx, %ecx
	testl	%ecx, %ecx
	jz	3f
2:	decl	%ecx
	jnz	2b
3:	int	$SYSCALL_VECTOR
	jmp	1b

/*
 * int 0x80 gate (DPL3, interrupt gate): the CPL0 half of alt.  With
 * %edi != 0 (altx) it starts with a cpuid, a system call that exits.
 */
gvmm_guest_int80:
	testl	%edi, %edi
	jz	3f
	pushl	%ebx
	xorl	%eax, %eax
	xorl	%ecx, %ecx
	cpuid
gvmm_guest_altx_cpuid_ret:
	popl	%ebx
3:	movl	%ebp, %ecx
	testl	%ecx, %ecx
	jz	2f
1:	decl	%ecx
	jnz	1b
2:	iret
gvmm_guest_int80_end:

/*
 * exits: %ebx cpuid, then %ecx out to PORT_IO, then report on
 * PORT_DONE with esi = cpuid count and ebx = out count.
 */
mode_exits:
	movl	%ebx, %ebp		/* cpuid left */
	movl	%ecx, %edi		/* outs left */
	xorl	%esi, %esi		/* cpuid done */
	testl	%ebp, %ebp
	jz	2f
1:	xorl	%eax, %eax
	xorl	%ecx, %ecx
	cpuid
	incl	%esi
	decl	%ebp
	jnz	1b
2:	xorl	%ebx, %ebx		/* outs done */
	testl	%edi, %edi
	jz	4f
3:	outb	%al, $PORT_IO
	incl	%ebx
	decl	%edi
	jnz	3b
4:	outb	%al, $PORT_DONE
5:	hlt
	jmp	5b

/* io: userspace exit per iteration */
mode_io:
	outb	%al, $PORT_IO
	jmp	mode_io

/* cpuid: in-kernel exit per iteration */
mode_cpuid:
	xorl	%eax, %eax
	xorl	%ecx, %ecx
	cpuid
	jmp	mode_cpuid

/* idle: hlt with IF=0 */
mode_idle:
	hlt
	jmp	mode_idle

gvmm_guest_end:

	.section .note.GNU-stack, "", @progbits
