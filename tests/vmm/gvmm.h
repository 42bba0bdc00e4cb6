/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GVMM_H
#define GVMM_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/kvm.h>

#include "guest.h"

#define EXIT_KVM	1	/* KVM or system failure */
#define EXIT_USAGE	2	/* bad command line */

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
	uint64_t io_exits;	/* KVM_EXIT_IO on PORT_IO */
	uint64_t t_start;	/* CLOCK_MONOTONIC ns of the first KVM_RUN */
	bool kicked;		/* main thread sent the exit signal */
	uint64_t samples;	/* --sample: signals that interrupted KVM_RUN */
	uint64_t samples_cpl3;	/* ... finding the guest at CPL3 */
};

struct vm {
	int kvm_fd;
	int fd;
	uint8_t *mem;
	size_t run_size;
	bool irqchip;
	bool quiet;
	double sample_hz;	/* --sample HZ, 0: off */
	const char *name;	/* --name, informational only */
	int tr_type;		/* 9 (available) or 11 (busy) 32-bit TSS */
	int nr_vcpus;
	struct vcpu *vcpus;
};

/* kvm.c */
void print_layout(void);
int vm_create(struct vm *vm);
int vcpu_create(struct vm *vm, struct vcpu *v);
/* Runs the vCPU until kicked; returns 0 when kicked, exits on error. */
int vcpu_run(struct vcpu *v);
void vcpu_kick_handler(int sig);
void vcpu_sample_handler(int sig);

void die(int code, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void out(struct vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* GVMM_H */
