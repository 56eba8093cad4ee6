// SPDX-License-Identifier: MIT
/* Host edges of doctor and tune (see tune_sys.h). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "tool/tune_sys.h"
#include "tool/uapi_io.h"
#include "uapi/uapi_client.h"

#define SYS_OUT_MAX (32u << 20)

/* Waits for fd to be ready for events before deadline (now_ms clock):
 * 1 ready (or hung up), 0 deadline passed, negative errno. */
static int wait_ready(int fd, short events, uint64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		uint64_t now = now_ms();
		int r;

		if (now >= deadline)
			return 0;
		r = poll(&p, 1, deadline - now > 1000 ? 1000 : (int)(deadline - now));
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int sys_run(char *const argv[], const char *input, int flags, char **out, size_t *out_len)
{
	return sys_run_timeout(argv, input, flags, SYS_RUN_TIMEOUT_MS, out, out_len);
}

int sys_run_timeout(char *const argv[], const char *input, int flags, int timeout_ms,
		    char **out, size_t *out_len)
{
	bool err_too = flags & SYS_RUN_STDERR;
	uint64_t deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	int opipe[2], ipipe[2] = { -1, -1 }, status, r = 0;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	pid_t pid;

	*out = NULL;
	if (pipe2(opipe, O_CLOEXEC) < 0)
		return -errno;
	if (input && pipe2(ipipe, O_CLOEXEC) < 0) {
		r = -errno;
		close(opipe[0]);
		close(opipe[1]);
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(opipe[0]);
		close(opipe[1]);
		if (input) {
			close(ipipe[0]);
			close(ipipe[1]);
		}
		return r;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(input ? ipipe[0] : devnull, STDIN_FILENO);
		dup2(opipe[1], STDOUT_FILENO);
		if (err_too)
			dup2(opipe[1], STDERR_FILENO);
		else
			dup2(devnull, STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(opipe[1]);
	/* never blocked by the program: a stuck one is killed at the deadline */
	fcntl(opipe[0], F_SETFL, O_NONBLOCK);
	if (input) {
		size_t n = strlen(input), off = 0;
		struct sigaction ign = { .sa_handler = SIG_IGN }, old;

		close(ipipe[0]);
		fcntl(ipipe[1], F_SETFL, O_NONBLOCK);
		sigaction(SIGPIPE, &ign, &old);
		while (off < n) {
			ssize_t k = write(ipipe[1], input + off, n - off);

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0 && errno == EAGAIN) {
				if ((r = wait_ready(ipipe[1], POLLOUT, deadline)) > 0)
					continue;
				if (r == 0)
					r = -ETIMEDOUT;
				break;
			}
			if (k <= 0)
				break;
			off += (size_t)k;
		}
		close(ipipe[1]);
		sigaction(SIGPIPE, &old, NULL);
	}
	for (; r == 0;) {
		ssize_t k;

		if (len + 4097 > cap) {
			size_t nc = cap ? cap * 2 : 16384;
			char *nb = nc <= SYS_OUT_MAX ? malloc(nc) : NULL;

			if (!nb)
				break;
			if (buf) {
				memcpy(nb, buf, len);
				if (flags & SYS_RUN_SECRET)
					explicit_bzero(buf, cap);
				free(buf);
			}
			buf = nb;
			cap = nc;
		}
		k = read(opipe[0], buf + len, cap - len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			if ((r = wait_ready(opipe[0], POLLIN, deadline)) > 0)
				r = 0;
			else if (r == 0)
				r = -ETIMEDOUT;
			continue;
		}
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(opipe[0]);
	if (r < 0)
		kill(pid, SIGKILL); /* past the deadline: no status worth waiting for */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			r = r < 0 ? r : -errno;
			break;
		}
	if (r < 0) {
		if (buf) {
			explicit_bzero(buf, cap);
			free(buf);
		}
		return r;
	}
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = 0;
	*out = buf;
	if (out_len)
		*out_len = len;
	if (!buf)
		return -ENOMEM;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int sys_if_mtu(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	r = ioctl(fd, SIOCGIFMTU, &ifr) < 0 ? -errno : ifr.ifr_mtu;
	close(fd);
	return r;
}

int sys_if_set_mtu(const char *ifname, int mtu)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_mtu = mtu;
	r = ioctl(fd, SIOCSIFMTU, &ifr) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int sys_route_mtu(const struct sockaddr_storage *dst)
{
	struct sockaddr_storage d = *dst;
	bool v6 = d.ss_family == AF_INET6;
	socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int fd = socket(d.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), mtu = 0, r;
	socklen_t ol = sizeof(mtu);

	if (fd < 0)
		return -errno;
	if (v6)
		((struct sockaddr_in6 *)&d)->sin6_port = htons(9);
	else
		((struct sockaddr_in *)&d)->sin_port = htons(9);
	if (connect(fd, (struct sockaddr *)&d, len) < 0)
		r = -errno;
	else if (getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU,
			    &mtu, &ol) < 0)
		r = -errno;
	else
		r = mtu;
	close(fd);
	return r;
}

enum sys_impl sys_wg_impl(const char *ifname)
{
	char path[256], *reply = NULL;
	struct uapi_reply r;
	struct stat st;
	size_t len = 0;
	enum sys_impl impl = SYS_IMPL_USERSPACE;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.sock", uapi_dir(), ifname) >= sizeof(path) ||
	    stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return SYS_IMPL_KERNEL;
	if (uapi_transact(ifname, "get=1\n\n", 7, uapi_timeout_ms(), &reply, &len) == 0) {
		if (uapi_reply_parse(reply, len, &r, NULL, 0) == 0) {
			if (uapi_reply_is_wgmtud(&r))
				impl = SYS_IMPL_WGMTUD;
			uapi_reply_free(&r);
		}
		explicit_bzero(reply, len);
		free(reply);
	}
	return impl;
}

const char *sys_impl_name(enum sys_impl i)
{
	switch (i) {
	case SYS_IMPL_KERNEL: return "kernel";
	case SYS_IMPL_USERSPACE: return "userspace";
	case SYS_IMPL_WGMTUD: return "wgmtud";
	}
	return "?";
}

int sys_mss_clamp(void)
{
	char *nft[] = { (char *)"nft", (char *)"list", (char *)"ruleset", NULL };
	char *ipt[] = { (char *)"iptables-save", (char *)"-t", (char *)"mangle", NULL };
	char *ip6t[] = { (char *)"ip6tables-save", (char *)"-t", (char *)"mangle", NULL };
	char *out = NULL;
	int known = 0, found = 0, rc;

	rc = sys_run(nft, NULL, 0, &out, NULL);
	if (rc == 0) {
		known = 1;
		found |= out && strstr(out, "maxseg size set") != NULL;
	}
	free(out);
	rc = sys_run(ipt, NULL, 0, &out, NULL);
	if (rc == 0) {
		known = 1;
		found |= out && strstr(out, "TCPMSS") != NULL;
	}
	free(out);
	rc = sys_run(ip6t, NULL, 0, &out, NULL);
	if (rc == 0) {
		known = 1;
		found |= out && strstr(out, "TCPMSS") != NULL;
	}
	free(out);
	return known ? found : -1;
}
