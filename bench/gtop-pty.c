// SPDX-License-Identifier: GPL-2.0
/*
 * gtop-pty.c - run a screen program on a pseudo-terminal of a given size,
 * read (and drop) what it draws, type KEYS after SECONDS, wait for it.
 * The benchmark uses it for gtop's first frame where tmux cannot run
 * (the test kernel has no AF_UNIX).  stderr stays the caller's, so
 * GTOP_STATS=1 lines can be collected.
 *
 * usage: gtop-pty COLS ROWS SECONDS KEYS COMMAND [ARG...]
 * Exit status: the command's; 124 if it did not end 10 s after KEYS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct winsize ws = { 0 };
	double t0, secs;
	const char *keys;
	char buf[4096];
	int m, status;
	bool typed = false;
	pid_t pid;

	if (argc < 6) {
		fprintf(stderr, "usage: gtop-pty COLS ROWS SECONDS KEYS COMMAND [ARG...]\n");
		return 2;
	}
	ws.ws_col = (unsigned short)atoi(argv[1]);
	ws.ws_row = (unsigned short)atoi(argv[2]);
	secs = atof(argv[3]);
	keys = argv[4];
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m) || ioctl(m, TIOCSWINSZ, &ws)) {
		perror("gtop-pty: pty");
		return 1;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		int s;

		setsid();
		s = open(ptsname(m), O_RDWR);
		if (s < 0)
			_exit(127);
		ioctl(s, TIOCSCTTY, 0);
		dup2(s, 0);
		dup2(s, 1);
		close(s);
		close(m);
		execvp(argv[5], argv + 5);
		_exit(127);
	}
	t0 = now();
	for (;;) {
		struct pollfd p = { .fd = m, .events = POLLIN };
		double t = now() - t0;

		if (!typed && t >= secs) {
			if (write(m, keys, strlen(keys)) < 0)
				break;
			typed = true;
		}
		if (typed && t >= secs + 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return 124;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		if (poll(&p, 1, 100) > 0 && read(m, buf, sizeof(buf)) < 0 &&
		    errno != EINTR && errno != EAGAIN)
			break;	/* EIO: the slave is closed, the child ends */
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
