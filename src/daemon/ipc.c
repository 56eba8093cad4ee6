// SPDX-License-Identifier: MIT
#include "daemon/ipc.h"

#include "daemon/log.h"
#include "uapi/uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* WG_UAPI_FD must be a listening stream socket of the UNIX family: say so
 * plainly, instead of failing later with a puzzling epoll or accept error. */
static int check_inherited(int fd, char *err, size_t errlen)
{
	int type = 0, dom = 0, acc = 0;
	socklen_t l = sizeof(int);
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "WG_UAPI_FD=%d is not an open file descriptor", fd);
		return -EBADF;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "WG_UAPI_FD=%d is not a socket (it is a %s): expected the listening UAPI socket",
			 fd, S_ISCHR(st.st_mode) ? "character device, e.g. a terminal" :
			     S_ISREG(st.st_mode) ? "regular file" :
			     S_ISFIFO(st.st_mode) ? "pipe" :
			     S_ISDIR(st.st_mode) ? "directory" : "non-socket file");
		return -ENOTSOCK;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) < 0 || dom != AF_UNIX ||
	    (l = sizeof(int), getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l)) < 0 ||
	    type != SOCK_STREAM) {
		snprintf(err, errlen, "WG_UAPI_FD=%d is not a UNIX stream socket: expected the listening UAPI socket",
			 fd);
		return -EPROTOTYPE;
	}
	l = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &l) < 0 || !acc) {
		snprintf(err, errlen, "WG_UAPI_FD=%d is a UNIX socket that is not listening: expected the listening UAPI socket",
			 fd);
		return -EINVAL;
	}
	return 0;
}

int wgd_ipc_open(struct wgd_ipc *ipc, const char *ifname, int inherited_fd,
		 char *err, size_t errlen)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, r;

	memset(ipc, 0, sizeof(*ipc));
	ipc->epfd = -1;
	ipc->listen_fd = -1;
	ipc->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ipc->max_request = WGD_IPC_MAX_REQUEST;
	ipc->budget = WGD_IPC_BUDGET;
	ipc->stall_ms = WGD_IPC_STALL_MS;
	if (inherited_fd >= 0) {
		r = check_inherited(inherited_fd, err, errlen);
		if (r < 0)
			return r;
		ipc->listen_fd = inherited_fd;
		fcntl(inherited_fd, F_SETFD, FD_CLOEXEC);
		fcntl(inherited_fd, F_SETFL, fcntl(inherited_fd, F_GETFL) | O_NONBLOCK);
		return 0;
	}
	if (mkdir(WGD_IPC_DIR, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(err, errlen, "cannot create %s: %s", WGD_IPC_DIR, strerror(-r));
		return r;
	}
	chmod(WGD_IPC_DIR, 0755);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	r = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s.sock", WGD_IPC_DIR, ifname);
	if (r < 0 || (size_t)r >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "UAPI socket path too long");
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "UAPI socket: %s", strerror(-r));
		return r;
	}
	/* A socket that answers belongs to a running daemon; one that does
	 * not is stale and gets replaced. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(fd);
		snprintf(err, errlen, "%s is in use: another daemon already serves %s",
			 sun.sun_path, ifname);
		return -EADDRINUSE;
	}
	close(fd);
	unlink(sun.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "UAPI socket: %s", strerror(-r));
		return r;
	}
	old = umask(0077);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r < 0 || listen(fd, WGD_IPC_BACKLOG) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", sun.sun_path, strerror(-r));
		close(fd);
		return r;
	}
	chmod(sun.sun_path, 0600);
	ipc->listen_fd = fd;
	snprintf(ipc->path, sizeof(ipc->path), "%s", sun.sun_path);
	return 0;
}

/* ---- clients ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Client-caused messages: at most one line a second, so a flood of
 * refusals cannot flood the log; the next line says how many were not
 * logged. */
__attribute__((format(printf, 2, 3)))
static void ipc_log(struct wgd_ipc *ipc, const char *fmt, ...)
{
	uint64_t t = now_ms();
	char msg[256];
	va_list ap;

	if (ipc->log_ms && t - ipc->log_ms < 1000) {
		ipc->log_quiet++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ipc->log_quiet)
		log_err("UAPI: %s (and %u more messages in the last second)", msg, ipc->log_quiet);
	else
		log_err("UAPI: %s", msg);
	ipc->log_ms = t;
	ipc->log_quiet = 0;
}

static struct wgd_ipc_client *client_of(struct wgd_ipc *ipc, int fd)
{
	return fd >= 0 && (size_t)fd < ipc->by_fd_cap ? ipc->by_fd[fd] : NULL;
}

static bool out_pending(const struct wgd_ipc_client *c)
{
	return c->out_off < c->out.len;
}

/* Recounts what the client holds: its request's parsed state, its reply,
 * its unfed input. */
static void charge(struct wgd_ipc *ipc, struct wgd_ipc_client *c)
{
	size_t mem = wg_uapi_conn_mem(&c->conn) + c->out.cap + c->in_len;

	ipc->used = ipc->used - c->charged + mem;
	c->charged = mem;
	if (ipc->used > ipc->used_peak)
		ipc->used_peak = ipc->used;
}

static void drop_input(struct wgd_ipc_client *c)
{
	if (c->in) {
		explicit_bzero(c->in, c->in_len); /* set requests carry keys */
		free(c->in);
	}
	c->in = NULL;
	c->in_len = c->in_off = 0;
}

static void reset_out(struct wgd_ipc_client *c)
{
	wg_uapi_out_free(&c->out); /* wipes: a get reply holds the private key */
	wg_uapi_out_init(&c->out);
	c->out_off = 0;
}

static void client_drop(struct wgd_ipc *ipc, struct wgd_ipc_client *c)
{
	ipc->by_fd[c->fd] = NULL;
	close(c->fd); /* leaves the epoll set with it */
	wg_uapi_conn_free(&c->conn); /* wipes any half-parsed keys */
	reset_out(c);
	drop_input(c);
	ipc->used -= c->charged;
	ipc->n_clients--;
	free(c);
}

static void set_events(struct wgd_ipc *ipc, struct wgd_ipc_client *c, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.u64 = ipc->client_tag | (uint64_t)c->fd << 8 };

	if (c->events == ev)
		return;
	if (ipc->epfd >= 0)
		epoll_ctl(ipc->epfd, EPOLL_CTL_MOD, c->fd, &e);
	c->events = ev;
}

/* Under pressure: closes the client (other than keep) that made no
 * progress for the longest time, if that is at least WGD_IPC_STALL_MS.
 * Returns whether one was closed. */
static bool evict_stalled(struct wgd_ipc *ipc, const struct wgd_ipc_client *keep)
{
	struct wgd_ipc_client *old = NULL;
	uint64_t t = now_ms();

	for (size_t i = 0; i < ipc->by_fd_cap; i++) {
		struct wgd_ipc_client *c = ipc->by_fd[i];

		if (c && c != keep && t - c->active_ms >= ipc->stall_ms &&
		    (!old || c->active_ms < old->active_ms))
			old = c;
	}
	if (!old)
		return false;
	ipc->evicted++;
	ipc_log(ipc, "closing a client that made no progress for %llu ms (%zu bytes held)",
		(unsigned long long)(t - old->active_ms), old->charged);
	client_drop(ipc, old);
	return true;
}

/* Over the budget (after evicting what can be evicted)? */
static bool over_budget(struct wgd_ipc *ipc, const struct wgd_ipc_client *c)
{
	while (ipc->used > ipc->budget)
		if (!evict_stalled(ipc, c))
			return true;
	return false;
}

/* Writes what the socket takes of the reply. 1: all of it is out, 0: the
 * rest waits for EPOLLOUT, -1: the client is gone. */
static int flush_out(struct wgd_ipc_client *c)
{
	while (out_pending(c)) {
		ssize_t n = send(c->fd, c->out.buf + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			c->out_off += (size_t)n;
			c->active_ms = now_ms();
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
	reset_out(c);
	return 1;
}

/* The request in progress is over a limit: answer ENOMEM, forget what it
 * held, close once the answer is out. */
static void refuse(struct wgd_ipc *ipc, struct wgd_ipc_client *c, const char *why)
{
	ipc->refused++;
	ipc_log(ipc, "request refused, nothing changed: %s", why);
	wg_uapi_conn_free(&c->conn);
	wg_uapi_conn_init(&c->conn);
	drop_input(c);
	reset_out(c);
	wg_uapi_write_errno(&c->out, -ENOMEM);
	c->closing = true;
	charge(ipc, c);
}

/* The loop spent busy_ms on one client's request (a get or set of 100k
 * peers takes seconds, more on a slow machine), serving no other client
 * meanwhile: that time is not theirs to have stalled. */
static void credit_busy(struct wgd_ipc *ipc, const struct wgd_ipc_client *busy, uint64_t busy_ms)
{
	uint64_t t = now_ms();

	if (!busy_ms)
		return;
	for (size_t i = 0; i < ipc->by_fd_cap; i++) {
		struct wgd_ipc_client *c = ipc->by_fd[i];

		if (c && c != busy)
			c->active_ms = c->active_ms + busy_ms > t ? t : c->active_ms + busy_ms;
	}
}

/* Answers one framer event into c->out. Returns 0, or -1 to close. */
static int answer(struct wgd_ipc *ipc, struct wgd_ipc_client *c, enum wg_uapi_event ev)
{
	uint64_t t0;
	int r;

	if (ev == WG_UAPI_EV_CLOSE)
		return -1;
	ipc->served++;
	t0 = now_ms();
	if (ev == WG_UAPI_EV_GET) {
		ipc->ops->get(ipc->ctx, &c->out);
	} else if (ev == WG_UAPI_EV_SET) {
		r = ipc->ops->set(ipc->ctx, &c->conn.txn);
		wg_uapi_txn_free(&c->conn.txn);
		wg_uapi_write_errno(&c->out, r);
	} else {
		ipc_log(ipc, "request rejected, nothing changed: %s",
			c->conn.err_msg ? c->conn.err_msg : strerror(-c->conn.err));
		wg_uapi_write_errno(&c->out, c->conn.err);
	}
	credit_busy(ipc, c, now_ms() - t0);
	if (c->out.err)
		return -1;
	charge(ipc, c);
	/* A reply is never refused (its size follows the device's, which the
	 * administrator chose), but it makes room: clients that stopped
	 * reading theirs go first. */
	over_budget(ipc, c);
	return flush_out(c) < 0 ? -1 : 0;
}

/* Feeds data to the framer until it is used up or a reply waits to be
 * written. Returns the bytes used, or -1 to close. */
static ssize_t feed(struct wgd_ipc *ipc, struct wgd_ipc_client *c, const uint8_t *data,
		    size_t len)
{
	size_t off = 0;

	while (off < len && !out_pending(c) && !c->closing) {
		size_t used = 0;
		enum wg_uapi_event ev = wg_uapi_conn_feed(&c->conn, data + off, len - off, &used);

		off += used;
		c->req_bytes += used;
		if (ev != WG_UAPI_EV_NONE) {
			c->req_bytes = 0;
			if (answer(ipc, c, ev) < 0)
				return -1;
			continue;
		}
		charge(ipc, c);
		if (c->req_bytes > ipc->max_request) {
			refuse(ipc, c, "request longer than the limit (WGD_IPC_MAX_REQUEST)");
			return (ssize_t)len;
		}
		if (over_budget(ipc, c)) {
			refuse(ipc, c, "pending requests over the memory budget (WGD_IPC_BUDGET)");
			return (ssize_t)len;
		}
		if (!used)
			break;
	}
	return (ssize_t)off;
}

/* Keeps data[0..len) to feed once the reply is out. */
static int keep_input(struct wgd_ipc_client *c, const uint8_t *data, size_t len)
{
	c->in = malloc(len);
	if (!c->in)
		return -1;
	memcpy(c->in, data, len);
	c->in_len = len;
	c->in_off = 0;
	return 0;
}

/* Reads and answers; returns -1 to close. */
static int client_read(struct wgd_ipc *ipc, struct wgd_ipc_client *c)
{
	uint8_t buf[16384];
	size_t budget = WGD_IPC_READ_SLICE;
	int rc = 0;

	if (c->in) { /* what was read before the last reply went out */
		ssize_t k = feed(ipc, c, c->in + c->in_off, c->in_len - c->in_off);

		if (k < 0)
			return -1;
		c->in_off += (size_t)k;
		if (c->in_off == c->in_len)
			drop_input(c);
		if (c->in || out_pending(c) || c->closing)
			return 0;
	}
	while (budget && !rc) {
		ssize_t n = recv(c->fd, buf, sizeof(buf) < budget ? sizeof(buf) : budget, MSG_DONTWAIT);
		ssize_t k;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			rc = -1;
			break;
		}
		if (n == 0) {
			enum wg_uapi_event ev = wg_uapi_conn_eof(&c->conn);

			/* a set ended by EOF is applied, as wireguard-go does */
			if (ev == WG_UAPI_EV_SET || ev == WG_UAPI_EV_ERROR)
				rc = answer(ipc, c, ev);
			c->closing = true;
			break;
		}
		c->active_ms = now_ms();
		budget -= (size_t)n;
		k = feed(ipc, c, buf, (size_t)n);
		if (k < 0)
			rc = -1;
		else if (k < n && !c->closing)
			rc = keep_input(c, buf + k, (size_t)(n - k));
		if (out_pending(c) || c->closing)
			break;
	}
	explicit_bzero(buf, sizeof(buf)); /* set requests carry keys */
	return rc;
}

void wgd_ipc_client_event(struct wgd_ipc *ipc, int fd, uint32_t events)
{
	struct wgd_ipc_client *c = client_of(ipc, fd);
	int r;

	if (!c)
		return; /* closed earlier in this batch of events */
	if (out_pending(c)) {
		r = flush_out(c);
		if (r < 0)
			goto close;
		if (r == 0) {
			set_events(ipc, c, EPOLLOUT);
			charge(ipc, c);
			return;
		}
	}
	if (!c->closing && client_read(ipc, c) < 0)
		goto close;
	charge(ipc, c);
	if (out_pending(c)) {
		set_events(ipc, c, EPOLLOUT);
		return;
	}
	if (c->closing)
		goto close;
	if (events & (EPOLLHUP | EPOLLERR) && !(events & EPOLLIN))
		goto close;
	set_events(ipc, c, EPOLLIN);
	return;
close:
	client_drop(ipc, c);
}

void wgd_ipc_accept(struct wgd_ipc *ipc)
{
	for (int i = 0; i < 64; i++) {
		struct wgd_ipc_client *c;
		struct epoll_event e;
		int fd = accept4(ipc->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			/* out of descriptors: make room, or take the client off
			 * the queue with the spare one and close it (else the
			 * listening socket stays readable and the loop spins) */
			if (evict_stalled(ipc, NULL))
				continue;
			ipc->refused++;
			ipc_log(ipc, "out of file descriptors: refusing a client");
			if (ipc->spare_fd >= 0) {
				close(ipc->spare_fd);
				fd = accept4(ipc->listen_fd, NULL, NULL, SOCK_CLOEXEC);
				if (fd >= 0)
					close(fd);
				ipc->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			}
			return;
		}
		if (fd < 0)
			return;
		if (ipc->n_clients >= WGD_IPC_MAX_CLIENTS && !evict_stalled(ipc, NULL)) {
			ipc->refused++;
			ipc_log(ipc, "%d clients connected: refusing one", WGD_IPC_MAX_CLIENTS);
			close(fd);
			continue;
		}
		if ((size_t)fd >= ipc->by_fd_cap) {
			size_t cap = (size_t)fd + 64;
			struct wgd_ipc_client **n = realloc(ipc->by_fd, cap * sizeof(*n));

			if (!n) {
				close(fd);
				return;
			}
			memset(n + ipc->by_fd_cap, 0, (cap - ipc->by_fd_cap) * sizeof(*n));
			ipc->by_fd = n;
			ipc->by_fd_cap = cap;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		wg_uapi_conn_init(&c->conn);
		wg_uapi_out_init(&c->out);
		c->active_ms = now_ms();
		c->events = EPOLLIN;
		e.events = EPOLLIN;
		e.data.u64 = ipc->client_tag | (uint64_t)fd << 8;
		if (ipc->epfd >= 0 && epoll_ctl(ipc->epfd, EPOLL_CTL_ADD, fd, &e) < 0) {
			close(fd);
			free(c);
			return;
		}
		ipc->by_fd[fd] = c;
		ipc->n_clients++;
	}
}

void wgd_ipc_close(struct wgd_ipc *ipc)
{
	for (size_t i = 0; i < ipc->by_fd_cap; i++)
		if (ipc->by_fd[i])
			client_drop(ipc, ipc->by_fd[i]);
	free(ipc->by_fd);
	ipc->by_fd = NULL;
	ipc->by_fd_cap = 0;
	if (ipc->spare_fd >= 0)
		close(ipc->spare_fd);
	ipc->spare_fd = -1;
	if (ipc->listen_fd >= 0)
		close(ipc->listen_fd);
	ipc->listen_fd = -1;
	if (ipc->path[0])
		unlink(ipc->path);
	ipc->path[0] = 0;
}
