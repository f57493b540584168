/*
 * run.c - running programs: fork and execve from an argument vector found
 * on $PATH; never through a shell.
 *
 * The child's stdin is /dev/null unless redirected; its stdout goes to
 * the interpreter's fd 1 (through a pipe when that is a capture buffer
 * or the log).  A program gets $PROGRAM_TIMEOUT seconds (default
 * ZMSH_PROG_TIME_DEFAULT, at most ZMSH_PROG_TIME_MAX); past that it is
 * killed and the status is 124.  Captured output past ZMSH_PROG_OUT_MAX
 * also kills it (status 125 and a message).  Not found: 127; not
 * executable: 126.  A program dies with the router (PR_SET_PDEATHSIG):
 * a router killed from outside leaves nothing running.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interp.h"
#include "util.h"

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int
child_fd(struct interp *in, int i, int *pipew, int *closeme)
{
	struct vfd *v = &in->fd[i];

	*closeme = -1;
	switch (v->kind) {
	case VF_REAL:
		if (i == 0 && v->nullprog) {
			int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			*closeme = fd;
			return fd;
		}
		return v->fd;
	case VF_BUF:
		if (i == 0) {
			int fd = memfd_create("zmsh-stdin", MFD_CLOEXEC);
			const char *s = v->b->data;
			size_t n = v->b->len > v->roff ? v->b->len - v->roff : 0;
			if (fd < 0)
				return -1;
			while (n > 0) {
				ssize_t w = write(fd, s + v->roff, n);
				if (w <= 0)
					break;
				n -= (size_t)w;
				s += w;
			}
			lseek(fd, 0, SEEK_SET);
			*closeme = fd;
			return fd;
		}
		return *pipew;
	case VF_LOG:
		return *pipew;
	default:
		return -1;
	}
}

/* Wait for pid until deadline; 1 exited (status), 0 timed out. */
static int
wait_until(pid_t pid, long deadline, int *wst)
{
	long sleep_us = 50;

	for (;;) {
		pid_t r = waitpid(pid, wst, WNOHANG);
		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return 1;
		if (now_ms() >= deadline)
			return 0;
		usleep((useconds_t)sleep_us);
		if (sleep_us < 10000)
			sleep_us *= 2;
	}
}

int
run_program(struct interp *in, int argc, struct val **argv,
    struct frame *tmpvars)
{
	const char *name = arg_str(in, argv[0]);
	char *path, **av, **env;
	int outpipe[2] = { -1, -1 }, errpipe[2] = { -1, -1 };
	int fds[3], closeme[3], i, wst = 0, timed_out = 0, too_much = 0;
	long limit = ZMSH_PROG_TIME_DEFAULT, deadline;
	const char *t;
	size_t total = 0;
	pid_t pid, parent;

	if ((path = eval_path_search(in, name, 1)) == NULL) {
		io_errorf(in, "%s: command not found", name);
		return 127;
	}
	if (access(path, X_OK) != 0) {
		io_errorf(in, "%s: %s", path, strerror(errno));
		return 126;
	}
	if ((t = var_str(in, "PROGRAM_TIMEOUT")) != NULL && *t != '\0' &&
	    util_parse_long(t, 1, ZMSH_PROG_TIME_MAX, &limit) < 0)
		limit = ZMSH_PROG_TIME_DEFAULT;
	av = arena_calloc(&in->tmp, (size_t)argc + 1, sizeof(*av));
	for (i = 0; i < argc; i++) {
		total += argv[i]->type == V_STR ? argv[i]->n + 1 : 0;
		av[i] = (char *)arg_str(in, argv[i]);
	}
	if (total > ZMSH_PROG_ARGS_MAX)
		interp_fatal(in, "%s: arguments longer than %ld bytes", name,
		    (long)ZMSH_PROG_ARGS_MAX);
	env = var_environ(in, tmpvars);
	if (in->fd[1].kind == VF_BUF || in->fd[1].kind == VF_LOG) {
		if (pipe2(outpipe, O_CLOEXEC) < 0) {
			io_errorf(in, "pipe: %s", strerror(errno));
			return 126;
		}
	}
	if (in->fd[2].kind == VF_BUF || in->fd[2].kind == VF_LOG) {
		if (pipe2(errpipe, O_CLOEXEC) < 0) {
			if (outpipe[0] >= 0) {
				close(outpipe[0]);
				close(outpipe[1]);
			}
			io_errorf(in, "pipe: %s", strerror(errno));
			return 126;
		}
	}
	fds[0] = child_fd(in, 0, &outpipe[1], &closeme[0]);
	fds[1] = child_fd(in, 1, &outpipe[1], &closeme[1]);
	fds[2] = child_fd(in, 2, &errpipe[1], &closeme[2]);
	fflush(NULL);
	parent = getpid();
	pid = fork();
	if (pid == 0) {
		int j, nfd[3];

		/* Dies with the router: a router killed by smtpserver (timeout)
		 * leaves no program running past its PROGRAM_TIMEOUT. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		/* move the three sources out of the way, then into place */
		for (j = 0; j < 3; j++)
			nfd[j] = fds[j] >= 0 ? fcntl(fds[j], F_DUPFD_CLOEXEC, 10) : -1;
		for (j = 0; j < 3; j++) {
			if (nfd[j] >= 0)
				dup2(nfd[j], j);
			else
				close(j);
		}
		signal(SIGPIPE, SIG_DFL);
		execve(path, av, env);
		_exit(127);
	}
	for (i = 0; i < 3; i++)
		if (closeme[i] >= 0)
			close(closeme[i]);
	if (outpipe[1] >= 0)
		close(outpipe[1]);
	if (errpipe[1] >= 0)
		close(errpipe[1]);
	if (pid < 0) {
		if (outpipe[0] >= 0)
			close(outpipe[0]);
		if (errpipe[0] >= 0)
			close(errpipe[0]);
		io_errorf(in, "fork: %s", strerror(errno));
		return 126;
	}
	deadline = now_ms() + limit * 1000L;
	total = 0;
	while (outpipe[0] >= 0 || errpipe[0] >= 0) {
		struct pollfd pf[2];
		int np = 0, r, k;
		long left = deadline - now_ms();

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (outpipe[0] >= 0) {
			pf[np].fd = outpipe[0];
			pf[np++].events = POLLIN;
		}
		if (errpipe[0] >= 0) {
			pf[np].fd = errpipe[0];
			pf[np++].events = POLLIN;
		}
		r = poll(pf, (nfds_t)np, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR)
			break;
		for (k = 0; k < np && r > 0; k++) {
			char tmp[8192];
			ssize_t got;
			int which = pf[k].fd == outpipe[0] ? 1 : 2;

			if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(pf[k].fd, tmp, sizeof(tmp));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(pf[k].fd);
				if (which == 1)
					outpipe[0] = -1;
				else
					errpipe[0] = -1;
				continue;
			}
			total += (size_t)got;
			if (total > ZMSH_PROG_OUT_MAX) {
				too_much = 1;
				break;
			}
			if (in->fd[which].kind == VF_BUF &&
			    buf_append(in->fd[which].b, tmp, (size_t)got) < 0) {
				too_much = 1;
				break;
			}
			if (in->fd[which].kind != VF_BUF)
				io_write(in, which, tmp, (size_t)got);
		}
		if (too_much)
			break;
	}
	if (outpipe[0] >= 0)
		close(outpipe[0]);
	if (errpipe[0] >= 0)
		close(errpipe[0]);
	if (timed_out || too_much || !wait_until(pid, deadline, &wst)) {
		kill(pid, SIGKILL);
		waitpid(pid, &wst, 0);
		if (too_much) {
			io_errorf(in, "%s: output longer than %ld bytes, killed",
			    name, (long)ZMSH_PROG_OUT_MAX);
			return 125;
		}
		io_errorf(in, "%s: no result after %ld seconds, killed", name, limit);
		return 124;
	}
	if (WIFEXITED(wst))
		return WEXITSTATUS(wst);
	if (WIFSIGNALED(wst))
		return 128 + WTERMSIG(wst);
	return 1;
}
