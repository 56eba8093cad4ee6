// SPDX-License-Identifier: MIT
/* The socket side of the UAPI client (wgmtu show / set): find and talk to
 * $WGMTU_UAPI_DIR/IFNAME.sock with a timeout. The codec is src/uapi/. */
#include "tool/uapi_io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/util.h"

/* ------------------------------------------------------------------- I/O */

/* The environment, read once (uapi_env_load) */
static struct {
	bool loaded;
	const char *dir;
	int timeout_ms;
} env;

int uapi_env_load(char *err, size_t cap)
{
	const char *d = getenv("WGMTU_UAPI_DIR");
	const char *t = getenv("WGMTU_UAPI_TIMEOUT_MS");
	unsigned long v;

	env.loaded = true;
	env.dir = d && *d ? d : UAPI_DEFAULT_DIR;
	env.timeout_ms = UAPI_DEFAULT_TIMEOUT_MS;
	if (t && *t) {
		if (parse_ulong(t, 1, UAPI_MAX_TIMEOUT_MS, &v) < 0) {
			snprintf(err, cap, "WGMTU_UAPI_TIMEOUT_MS=%s: expected 1..%d (milliseconds)",
				 t, UAPI_MAX_TIMEOUT_MS);
			return -EINVAL;
		}
		env.timeout_ms = (int)v;
	}
	return 0;
}

static void env_need(void)
{
	char err[128];

	if (!env.loaded)
		uapi_env_load(err, sizeof(err)); /* the tool loads it first; tests: defaults */
}

const char *uapi_dir(void)
{
	env_need();
	return env.dir;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void uapi_free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int uapi_list_interfaces(char ***out)
{
	DIR *d = opendir(uapi_dir());
	struct dirent *e;
	char **names = NULL;
	int n = 0, cap = 0;

	*out = NULL;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char *name;

		if (l <= 5 || strcmp(e->d_name + l - 5, ".sock"))
			continue;
		name = strndup(e->d_name, l - 5);
		if (!name)
			goto nomem;
		if (!uapi_ifname_valid(name)) {
			free(name);
			continue;
		}
		if (n == cap) {
			int nc = cap ? cap * 2 : 8;
			char **nn = realloc(names, (size_t)nc * sizeof(*nn));

			if (!nn) {
				free(name);
				goto nomem;
			}
			names = nn;
			cap = nc;
		}
		names[n++] = name;
	}
	closedir(d);
	if (n)
		qsort(names, (size_t)n, sizeof(*names), cmp_names);
	*out = names;
	return n;
nomem:
	closedir(d);
	uapi_free_names(names, n);
	return -ENOMEM;
}

int uapi_timeout_ms(void)
{
	env_need();
	return env.timeout_ms;
}

/* uapi_reply_complete, looking only at positions from `from` on. */
static bool reply_complete_from(const char *buf, size_t len, size_t from)
{
	if (len && buf[0] == '\n')
		return true;
	for (size_t i = from > 1 ? from : 1; i < len; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\n')
			return true;
	return false;
}

static int64_t mono_ms(void)
{
	return (int64_t)now_ms();
}

/* Waits for fd to become ready for `events` before the deadline. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int64_t left = deadline - mono_ms();
		int rc;

		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)left);
		if (rc > 0)
			return 0;
		if (rc == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

int uapi_transact(const char *ifname, const char *req, size_t req_len,
		  int timeout_ms, char **reply, size_t *reply_len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t deadline = mono_ms() + timeout_ms;
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap = 0, off = 0, scan;
	int fd, e;

	*reply = NULL;
	*reply_len = 0;
	if (!uapi_ifname_valid(ifname))
		return -ENOENT;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock",
			     uapi_dir(), ifname) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	if (stat(sa.sun_path, &st))
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		e = -errno;
		if (e == -EAGAIN || e == -EINPROGRESS) {
			/* listen backlog full: the daemon is not accepting */
			e = -ETIMEDOUT;
		}
		goto out;
	}
	while (off < req_len) {
		ssize_t w = send(fd, req + off, req_len - off, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				if ((e = wait_fd(fd, POLLOUT, deadline)))
					goto out;
				continue;
			}
			/* closed before reading our request: no reply */
			e = errno == EPIPE || errno == ECONNRESET ? -EPROTO : -errno;
			goto out;
		}
		off += (size_t)w;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 4096 + 1) {
			size_t nc = cap ? cap * 2 : 8192;
			char *nb;

			if (nc > UAPI_CLIENT_REPLY_MAX + 4096 + 1) {
				e = -E2BIG;
				goto out;
			}
			nb = malloc(nc);
			if (!nb) {
				e = -ENOMEM;
				goto out;
			}
			if (buf) {
				memcpy(nb, buf, len);
				explicit_bzero(buf, cap);
				free(buf);
			}
			buf = nb;
			cap = nc;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				if ((e = wait_fd(fd, POLLIN, deadline)))
					goto out;
				continue;
			}
			e = errno == ECONNRESET ? -EPROTO : -errno;
			goto out;
		}
		if (n == 0) {
			/* Closed before the blank line. Nothing at all: the
			 * request was refused without a reply. Some bytes:
			 * hand them over, the parser names the truncation. */
			if (len == 0) {
				e = -EPROTO;
				goto out;
			}
			buf[len] = '\0';
			*reply = buf;
			*reply_len = len;
			buf = NULL;
			e = 0;
			goto out;
		}
		/* Only the new bytes (and the one before them) can complete
		 * the reply: no rescanning, a large hub's reply stays linear. */
		scan = len ? len - 1 : 0;
		len += (size_t)n;
		if (reply_complete_from(buf, len, scan)) {
			buf[len] = '\0';
			*reply = buf;
			*reply_len = len;
			buf = NULL;
			e = 0;
			goto out;
		}
		if (len > UAPI_CLIENT_REPLY_MAX) {
			e = -E2BIG;
			goto out;
		}
	}
out:
	if (buf) {
		explicit_bzero(buf, cap);
		free(buf);
	}
	close(fd);
	return e;
}

const char *uapi_strerror_transact(int err)
{
	switch (err) {
	case -ENOENT:
		return "no such WireGuard interface (no UAPI socket)";
	case -EACCES:
	case -EPERM:
		return "permission denied on the UAPI socket (run as root)";
	case -ECONNREFUSED:
		return "nothing is listening on the UAPI socket (daemon not running?)";
	case -ETIMEDOUT:
		return "the daemon did not answer in time";
	case -EPROTO:
		return "the daemon closed the connection without a complete reply";
	case -E2BIG:
		return "the daemon's reply is too large";
	case -ENOTSOCK:
		return "the UAPI path is not a socket";
	case -ENAMETOOLONG:
		return "the UAPI socket path is too long";
	default:
		return strerror(-err);
	}
}
