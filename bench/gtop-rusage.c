// SPDX-License-Identifier: GPL-2.0
/*
 * gtop-rusage.c - run a command and append one line to FILE:
 *   wall_ms cpu_ms user_ms sys_ms maxrss_kb exit_status
 * with microsecond CPU times from wait4(2) (GNU time rounds to 10 ms).
 * usage: gtop-rusage FILE COMMAND [ARG...]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double ms(struct timeval tv)
{
	return tv.tv_sec * 1e3 + tv.tv_usec / 1e3;
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: gtop-rusage FILE COMMAND [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	f = fopen(argv[1], "a");
	if (!f)
		return 1;
	fprintf(f, "%.3f %.3f %.3f %.3f %ld %d\n",
		(b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6,
		ms(ru.ru_utime) + ms(ru.ru_stime), ms(ru.ru_utime),
		ms(ru.ru_stime), ru.ru_maxrss,
		WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	fclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
