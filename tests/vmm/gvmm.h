/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GVMM_H
#define GVMM_H

/*
 * gvmm: the common part (gvmm.c: command line, threads, sampling and
 * reports; vcpu.c: the KVM VM, vCPUs and run loop) and the interface of
 * the architecture's part (x86/, arm64/: guest.S, guest.h, kvm.c).  The
 * Makefile builds one architecture: GVMM_ARCH=x86 (default) or arm64.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/kvm.h>

#include "guest.h"	/* the architecture's: x86/guest.h, arm64/guest.h */

#define EXIT_KVM	1	/* KVM or system failure */
#define EXIT_USAGE	2	/* bad command line */

#define ALT_SLICES		100	/* slices per alt cycle */
#define ALT_DEFAULT_LOOPS	1000	/* loop iterations per slice */

/* Guest physical address of a symbol of the guest code blob (guest.S). */
#define GUEST_ADDR(sym)	(CODE_BASE + (uint64_t)((sym) - gvmm_guest_start))

struct vcpu_spec {
	const char *text;	/* as given on the command line */
	int mode;		/* GUEST_MODE_* */
	uint32_t arg1, arg2;	/* see guest.h */
	int cpu;		/* host CPU to pin to, -1: none */
	double exit_after;	/* seconds until pthread_exit, < 0: never */
};

struct vm;

struct vcpu {
	struct vm *vm;
	int index;
	int fd;
	struct kvm_run *run;
	struct vcpu_spec spec;
	pthread_t thread;
	pid_t tid;
	uint64_t io_exits;	/* userspace exits to GUEST_IO_ADDR */
	uint64_t t_start;	/* CLOCK_MONOTONIC ns of the first KVM_RUN */
	bool kicked;		/* main thread sent the exit signal */
	uint64_t samples;	/* --sample: signals that interrupted KVM_RUN */
	uint64_t samples_cpl3;	/* ... finding the guest in user mode */
};

struct vm {
	int kvm_fd;
	int fd;
	uint8_t *mem;
	size_t run_size;
	bool irqchip;
	bool quiet;
	bool stats;		/* --stats: stats fds held open */
	double sample_hz;	/* --sample HZ, 0: off */
	const char *name;	/* --name, informational only */
	int nr_vcpus;
	struct vcpu *vcpus;
};

/* gvmm.c */
void die(int code, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void out(struct vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* vcpu.c */
void print_layout(void);
int vm_create(struct vm *vm);
int vcpu_create(struct vm *vm, struct vcpu *v);
/* Runs the vCPU until kicked; returns 0 when kicked, exits on error. */
int vcpu_run(struct vcpu *v);
void vcpu_kick_handler(int sig);
void vcpu_sample_handler(int sig);
int kvm_ioctl(int fd, unsigned long req, void *arg);	/* retries EINTR */
bool vcpu_starts_in_user(const struct vcpu *v);	/* user, alt, altx */
uint64_t vcpu_kstack_top(int index);	/* guest kernel stack */
uint64_t vcpu_ustack_top(int index);	/* guest user stack */

/*
 * The architecture's part (x86/kvm.c, arm64/kvm.c).
 */

/* The words of usage() that differ. */
struct arch_text {
	const char *vm;		/* after "Runs one KVM VM" */
	const char *user, *kernel;	/* the guest's privilege levels */
	const char *level;	/* what --sample counts */
	const char *irqchip;	/* what --irqchip does */
	const char *syscall;	/* alt's way between the two levels */
	const char *call;	/* the in-kernel exit instruction */
	const char *io;		/* exits:N:M's userspace exit */
	const char *done;	/* exits:N:M's report */
	const char *modes;	/* the other modes' lines */
	const char *env;	/* environment variables, "" if none */
};
extern const struct arch_text arch_text;

/* A mode name only this architecture has: its GUEST_MODE_*, or -1. */
int arch_mode(const char *name, size_t len);
/* After the command line is parsed, before the VM is made. */
void arch_init(struct vm *vm);
/* KVM_CREATE_VM done, guest memory mapped: capabilities, guest tables. */
void arch_vm_setup(struct vm *vm);
/* KVM_CREATE_VCPU done: the registers of the vCPU's entry. */
void arch_vcpu_setup(struct vcpu *v);

enum arch_exit {
	ARCH_EXIT_AGAIN,	/* handled: KVM_RUN again */
	ARCH_EXIT_DONE,		/* exits:N:M finished: report, park */
	ARCH_EXIT_PARK,		/* nothing will wake the vCPU: park */
};
/* An exit other than KVM_EXIT_INTR and KVM_EXIT_FAIL_ENTRY; dies on error. */
enum arch_exit arch_handle_exit(struct vcpu *v);
/* exits:N:M's report: the guest's own counts of calls and I/O exits. */
void arch_guest_counts(struct vcpu *v, uint64_t *calls, uint64_t *ios);
/*
 * --sample: where a signal stopped the guest: 1 user mode, 0 kernel
 * mode, -1 host time (the guest right after altx's call exit).
 */
int arch_sample(struct vcpu *v);
/* The guest's program counter, for error messages. */
uint64_t arch_pc(struct vcpu *v);

#endif /* GVMM_H */
