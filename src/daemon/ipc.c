// SPDX-License-Identifier: MIT
#include "daemon/ipc.h"

#include "daemon/log.h"
#include "uapi/uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int wgd_ipc_open(struct wgd_ipc *ipc, const char *ifname, int inherited_fd,
		 char *err, size_t errlen)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, r;

	memset(ipc, 0, sizeof(*ipc));
	for (int i = 0; i < WGD_IPC_MAX_CLIENTS; i++)
		ipc->clients[i].fd = -1;
	if (inherited_fd >= 0) {
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
	if (r < 0 || listen(fd, 16) < 0) {
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

static struct wgd_ipc_client *client_of(struct wgd_ipc *ipc, int fd)
{
	for (int i = 0; i < WGD_IPC_MAX_CLIENTS; i++)
		if (ipc->clients[i].fd == fd)
			return &ipc->clients[i];
	return NULL;
}

static void client_drop(struct wgd_ipc_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->conn) {
		wg_uapi_conn_free(c->conn); /* wipes any half-parsed keys */
		free(c->conn);
	}
	c->fd = -1;
	c->conn = NULL;
}

int wgd_ipc_accept(struct wgd_ipc *ipc)
{
	struct wgd_ipc_client *c = client_of(ipc, -1);
	int fd = accept4(ipc->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return -1;
	if (!c) {
		log_err("UAPI: too many concurrent clients, refusing one");
		close(fd);
		return -1;
	}
	c->conn = malloc(sizeof(*c->conn));
	if (!c->conn) {
		close(fd);
		return -1;
	}
	wg_uapi_conn_init(c->conn);
	c->fd = fd;
	return fd;
}

/* Writes all of p; the client gets 2 s to read a reply. */
static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (poll(&pfd, 1, 2000) <= 0)
				return -ETIMEDOUT;
			continue;
		}
		return -errno;
	}
	return 0;
}

/* Answers one framer event. Returns 0 to go on, -1 to close. */
static int answer(struct wgd_ipc *ipc, struct wgd_ipc_client *c, enum wg_uapi_event ev)
{
	struct wg_uapi_out out;
	int r;

	if (ev == WG_UAPI_EV_CLOSE)
		return -1;
	wg_uapi_out_init(&out);
	if (ev == WG_UAPI_EV_GET) {
		ipc->ops->get(ipc->ctx, &out);
	} else if (ev == WG_UAPI_EV_SET) {
		r = ipc->ops->set(ipc->ctx, &c->conn->txn);
		wg_uapi_txn_free(&c->conn->txn);
		wg_uapi_write_errno(&out, r);
	} else {
		log_err("UAPI: request rejected, nothing changed: %s",
			c->conn->err_msg ? c->conn->err_msg : strerror(-c->conn->err));
		wg_uapi_write_errno(&out, c->conn->err);
	}
	r = out.err ? out.err : write_all(c->fd, out.buf, out.len);
	wg_uapi_out_free(&out);
	return r < 0 ? -1 : 0;
}

int wgd_ipc_client_event(struct wgd_ipc *ipc, int fd)
{
	struct wgd_ipc_client *c = client_of(ipc, fd);
	uint8_t buf[16384];
	int rc = 0;

	if (!c)
		return -1;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			enum wg_uapi_event ev = wg_uapi_conn_eof(c->conn);

			if (ev == WG_UAPI_EV_SET || ev == WG_UAPI_EV_ERROR)
				answer(ipc, c, ev);
			rc = -1;
			break;
		}
		while (off < (size_t)n && !rc) {
			size_t used = 0;
			enum wg_uapi_event ev = wg_uapi_conn_feed(c->conn, buf + off,
								  (size_t)n - off, &used);

			off += used;
			if (ev == WG_UAPI_EV_NONE) {
				if (!used)
					break;
				continue;
			}
			rc = answer(ipc, c, ev);
		}
		if (rc)
			break;
	}
	explicit_bzero(buf, sizeof(buf)); /* set requests carry keys */
	if (rc)
		client_drop(c);
	return rc;
}

void wgd_ipc_close(struct wgd_ipc *ipc)
{
	for (int i = 0; i < WGD_IPC_MAX_CLIENTS; i++)
		if (ipc->clients[i].fd >= 0)
			client_drop(&ipc->clients[i]);
	if (ipc->listen_fd >= 0)
		close(ipc->listen_fd);
	ipc->listen_fd = -1;
	if (ipc->path[0])
		unlink(ipc->path);
	ipc->path[0] = 0;
}
