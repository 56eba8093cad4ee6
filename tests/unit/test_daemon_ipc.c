// SPDX-License-Identifier: MIT
/* The UAPI client state machines (daemon/ipc.c) over real UNIX sockets,
 * driven by hand instead of an epoll loop: a client that never reads
 * costs no waiting and bounded memory, a request over the limit or the
 * shared budget is refused with ENOMEM, a set ended by EOF is applied, hundreds of clients are
 * served, and the time the daemon spends on one client's long request is
 * not counted as the others' stall. No root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ipc.h"

static struct wgd_ipc ipc;
static struct sockaddr_un addr;
static int n_sets;
static size_t big_get;        /* bytes of extra reply (0: about 2 KB) */
static unsigned slow_get_ms;  /* the get takes this long */

static void fake_get(void *ctx, struct wg_uapi_out *out)
{
	char v[80];

	(void)ctx;
	if (slow_get_ms) {
		struct timespec d = { slow_get_ms / 1000, (long)(slow_get_ms % 1000) * 1000000L };

		nanosleep(&d, NULL);
	}
	for (size_t i = 0; i < big_get / 80; i++) {
		snprintf(v, sizeof(v), "%064zu", i);
		wg_uapi_out_kv_str(out, "wgmtu_big_key", v);
	}
	/* about 2 KB, like a small device */
	for (int i = 0; i < 30; i++) {
		snprintf(v, sizeof(v), "%064d", i);
		wg_uapi_out_kv_str(out, "wgmtu_test_key", v);
	}
	wg_uapi_write_errno(out, 0);
}

static int fake_set(void *ctx, struct wg_uapi_txn *txn)
{
	(void)ctx;
	(void)txn;
	n_sets++;
	return 0;
}

static const struct wgd_ipc_ops ops = { .get = fake_get, .set = fake_set };

static int setup(void **st)
{
	char err[128];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	(void)st;
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/wgmtu-ipc-test.%d.sock", (int)getpid());
	unlink(addr.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 512) < 0)
		return -1;
	if (wgd_ipc_open(&ipc, "unused", fd, err, sizeof(err)) < 0)
		return -1;
	ipc.ops = &ops;
	ipc.client_tag = 7;
	n_sets = 0;
	big_get = 0;
	slow_get_ms = 0;
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	wgd_ipc_close(&ipc);
	unlink(addr.sun_path);
	return 0;
}

static int client(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

/* The daemon-side fd of the most recently accepted client. */
static int last_server_fd(void)
{
	for (size_t i = ipc.by_fd_cap; i-- > 0;)
		if (ipc.by_fd[i])
			return (int)i;
	return -1;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = recv(fd, buf + n, cap - 1 - n, MSG_DONTWAIT);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	return n;
}

static void test_get_and_set(void **st)
{
	char buf[8192];
	int c = client(), s;

	(void)st;
	wgd_ipc_accept(&ipc);
	s = last_server_fd();
	assert_true(s >= 0);
	assert_int_equal(send(c, "get=1\n\nset=1\nlisten_port=5\n\n", 28, 0), 28);
	wgd_ipc_client_event(&ipc, s, EPOLLIN);
	read_all(c, buf, sizeof(buf));
	assert_non_null(strstr(buf, "wgmtu_test_key=0000"));
	assert_non_null(strstr(buf, "errno=0\n\nerrno=0\n\n"));
	assert_int_equal(n_sets, 1);
	/* a set ended by EOF (shutdown) is applied and answered */
	assert_int_equal(send(c, "set=1\nlisten_port=6\n", 20, 0), 20);
	shutdown(c, SHUT_WR);
	wgd_ipc_client_event(&ipc, s, EPOLLIN);
	assert_int_equal(n_sets, 2);
	read_all(c, buf, sizeof(buf));
	assert_string_equal(buf, "errno=0\n\n");
	assert_int_equal(ipc.n_clients, 0); /* closed after the answer */
	close(c);
}

/* A client that sends get after get and never reads: each event returns
 * at once, the daemon stops reading it once its reply waits, and what it
 * holds stays about one reply plus one read. */
static void test_non_reader(void **st)
{
	static const char get[] = "get=1\n\n";
	int c = client(), s, small = 4096, sent = 0;
	double t0, worst = 0;

	(void)st;
	setsockopt(c, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	fcntl(c, F_SETFL, O_NONBLOCK);
	wgd_ipc_accept(&ipc);
	s = last_server_fd();
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 100; i++)
			if (send(c, get, 7, 0) == 7)
				sent++;
		t0 = now_s();
		wgd_ipc_client_event(&ipc, s, EPOLLIN | EPOLLOUT);
		if (now_s() - t0 > worst)
			worst = now_s() - t0;
	}
	printf("# %d gets sent, slowest event %.3f ms, %zu bytes held\n", sent, worst * 1e3, ipc.used);
	assert_true(worst < 0.1);              /* before: 2 s per reply */
	assert_int_equal(ipc.n_clients, 1);
	assert_true(ipc.by_fd[s]->out_off < ipc.by_fd[s]->out.len); /* a reply waits */
	assert_true(ipc.used < 64 * 1024);
	assert_true(ipc.used_peak < 64 * 1024);
	/* now it reads: everything it asked for arrives, in order */
	{
		char buf[65536];
		size_t got = 0, replies = 0;

		for (int i = 0; i < 100000 && replies < (size_t)sent; i++) {
			ssize_t r = recv(c, buf, sizeof(buf), 0);

			if (r > 0) {
				for (ssize_t k = 0; k + 1 < r; k++)
					if (buf[k] == '0' && buf[k + 1] == '\n' && k > 5 &&
					    !memcmp(buf + k - 6, "errno=", 6))
						replies++;
				got += (size_t)r;
			}
			wgd_ipc_client_event(&ipc, s, EPOLLIN | EPOLLOUT);
		}
		printf("# %zu bytes, %zu replies read\n", got, replies);
		assert_true(replies >= (size_t)sent - 1); /* one errno may straddle reads */
	}
	close(c);
	wgd_ipc_client_event(&ipc, s, EPOLLIN | EPOLLHUP);
	assert_int_equal(ipc.n_clients, 0);
	assert_int_equal(ipc.used, 0);
}

/* An endless set of lines that hold no memory: refused with ENOMEM past
 * the request limit (lowered to 1 MiB here). */
static void test_request_limit(void **st)
{
	static char chunk[65536];
	char buf[256];
	size_t off = 0, total = 0;
	int c = client(), s;

	(void)st;
	ipc.max_request = 1u << 20;
	while (off + 20 < sizeof(chunk))
		off += (size_t)snprintf(chunk + off, sizeof(chunk) - off, "listen_port=%zu\n", off % 60000);
	fcntl(c, F_SETFL, O_NONBLOCK);
	wgd_ipc_accept(&ipc);
	s = last_server_fd();
	assert_int_equal(send(c, "set=1\n", 6, 0), 6);
	while (total < (4u << 20) && ipc.n_clients) {
		ssize_t r = send(c, chunk, off, MSG_NOSIGNAL);

		if (r > 0)
			total += (size_t)r;
		wgd_ipc_client_event(&ipc, s, EPOLLIN);
	}
	printf("# refused after %zu bytes sent\n", total);
	assert_int_equal(ipc.n_clients, 0);
	assert_true(total <= (1u << 20) + (512u << 10));
	assert_int_equal(ipc.refused, 1);
	assert_int_equal(ipc.used, 0);
	assert_int_equal(n_sets, 0);
	read_all(c, buf, sizeof(buf));
	assert_string_equal(buf, "errno=-12\n\n");
	close(c);
}

/* Endless sets of peers from three clients at once: what they hold
 * together never stays over the budget (lowered to 4 MiB here); the one
 * that would go over is refused, and its memory released. */
static void test_budget(void **st)
{
	static char chunk[65536];
	size_t off = 0;
	int c[3], s[3], i = 0, refused = 0;

	(void)st;
	ipc.budget = 4u << 20;
	while (off + 120 < sizeof(chunk)) {
		i++;
		off += (size_t)snprintf(chunk + off, sizeof(chunk) - off,
					"public_key=%064x\nallowed_ip=10.0.%d.0/24\n", i, i & 255);
	}
	for (int k = 0; k < 3; k++) {
		c[k] = client();
		fcntl(c[k], F_SETFL, O_NONBLOCK);
		wgd_ipc_accept(&ipc);
		s[k] = last_server_fd();
		assert_int_equal(send(c[k], "set=1\n", 6, 0), 6);
	}
	for (int round = 0; round < 200 && ipc.n_clients; round++)
		for (int k = 0; k < 3; k++) {
			if (c[k] < 0)
				continue;
			if (send(c[k], chunk, off, MSG_NOSIGNAL) < 0 && errno != EAGAIN) {
				close(c[k]);
				c[k] = -1;
				continue;
			}
			wgd_ipc_client_event(&ipc, s[k], EPOLLIN);
			assert_true(ipc.used <= ipc.budget);
		}
	for (int k = 0; k < 3; k++) {
		char buf[256];

		if (c[k] < 0)
			continue;
		read_all(c[k], buf, sizeof(buf));
		refused += !strcmp(buf, "errno=-12\n\n");
		close(c[k]);
	}
	printf("# %d of 3 refused; peak %zu bytes held (budget %zu)\n", refused, ipc.used_peak, ipc.budget);
	assert_true(ipc.refused >= 1);
	assert_true(ipc.used_peak <= ipc.budget + (4u << 20)); /* one step of a growing array */
	assert_int_equal(n_sets, 0);
}

static void test_many_clients(void **st)
{
	enum { N = 300 };
	int c[N];
	char buf[8192];

	(void)st;
	for (int i = 0; i < N; i++)
		c[i] = client();
	wgd_ipc_accept(&ipc);
	wgd_ipc_accept(&ipc);
	wgd_ipc_accept(&ipc);
	wgd_ipc_accept(&ipc);
	wgd_ipc_accept(&ipc);
	assert_int_equal(ipc.n_clients, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(send(c[i], "get=1\n\n", 7, 0), 7);
	for (size_t fd = 0; fd < ipc.by_fd_cap; fd++)
		if (ipc.by_fd[fd])
			wgd_ipc_client_event(&ipc, (int)fd, EPOLLIN);
	for (int i = 0; i < N; i++) {
		read_all(c[i], buf, sizeof(buf));
		assert_non_null(strstr(buf, "errno=0\n\n"));
		close(c[i]);
	}
	for (size_t fd = 0; fd < ipc.by_fd_cap; fd++)
		if (ipc.by_fd[fd])
			wgd_ipc_client_event(&ipc, (int)fd, EPOLLIN | EPOLLHUP);
	assert_int_equal(ipc.n_clients, 0);
	assert_int_equal(ipc.served, N);
}

/* A large reply waits for its slow reader while another client's get
 * keeps the daemon busy longer than the stall limit: that time is the
 * daemon's, not the reader's, so the reader is not closed when the
 * second reply pushes the total over the budget (it was: a wg show of a
 * big device lost its reply to a concurrent one). A reader that then
 * really stalls is still closed. Limits lowered: stall 100 ms, budget
 * 1.5 MiB, replies of 1 MiB. */
static void test_busy_is_not_stall(void **st)
{
	int a = client(), b, sa, sb;
	char buf[65536];

	(void)st;
	ipc.stall_ms = 100;
	ipc.budget = 3u << 19;
	big_get = 1u << 20;
	wgd_ipc_accept(&ipc);
	sa = last_server_fd();
	assert_int_equal(send(a, "get=1\n\n", 7, 0), 7);
	wgd_ipc_client_event(&ipc, sa, EPOLLIN);
	assert_true(ipc.by_fd[sa]->out_off < ipc.by_fd[sa]->out.len); /* a's reply waits */
	b = client();
	wgd_ipc_accept(&ipc);
	sb = last_server_fd();
	slow_get_ms = 250;
	assert_int_equal(send(b, "get=1\n\n", 7, 0), 7);
	wgd_ipc_client_event(&ipc, sb, EPOLLIN);
	assert_true(ipc.used > ipc.budget); /* both replies held: over the budget */
	assert_int_equal(ipc.evicted, 0);
	assert_int_equal(ipc.n_clients, 2);
	assert_non_null(ipc.by_fd[sa]);
	/* a reads on: its whole reply arrives */
	{
		size_t got = 0;
		bool done = false;

		for (int i = 0; i < 100000 && !done; i++) {
			ssize_t r = recv(a, buf, sizeof(buf) - 1, MSG_DONTWAIT);

			if (r > 0) {
				got += (size_t)r;
				buf[r] = 0;
				done = r >= 9 && !memcmp(buf + r - 9, "errno=0\n\n", 9);
			}
			if (ipc.by_fd[sa])
				wgd_ipc_client_event(&ipc, sa, EPOLLOUT);
		}
		assert_true(done);
		assert_true(got >= big_get / 80 * 79); /* every key line arrived */
	}
	/* b leaves; a gets a new big reply and now stops reading for real:
	 * closed once a third client's reply needs room */
	close(b);
	wgd_ipc_client_event(&ipc, sb, EPOLLIN | EPOLLHUP);
	assert_null(ipc.by_fd[sb]);
	slow_get_ms = 0;
	assert_int_equal(send(a, "get=1\n\n", 7, 0), 7);
	wgd_ipc_client_event(&ipc, sa, EPOLLIN);
	assert_true(ipc.by_fd[sa]->out_off < ipc.by_fd[sa]->out.len);
	{
		struct timespec d = { 0, 150 * 1000000L };

		nanosleep(&d, NULL);
	}
	b = client();
	wgd_ipc_accept(&ipc);
	sb = last_server_fd();
	assert_int_equal(send(b, "get=1\n\n", 7, 0), 7);
	wgd_ipc_client_event(&ipc, sb, EPOLLIN);
	assert_int_equal(ipc.evicted, 1);
	assert_null(ipc.by_fd[sa]);
	close(a);
	close(b);
}

/* WG_UAPI_FD that is not a listening UNIX stream socket is refused with
 * a message that says so. */
static void test_inherited_checks(void **st)
{
	struct wgd_ipc x;
	char err[160];
	int sp[2], u = socket(AF_INET, SOCK_DGRAM, 0);

	(void)st;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_true(wgd_ipc_open(&x, "x", sp[0], err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "not listening"));
	assert_true(wgd_ipc_open(&x, "x", u, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "not a UNIX stream socket"));
	assert_true(wgd_ipc_open(&x, "x", 999, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "not an open file descriptor"));
	close(sp[0]);
	close(sp[1]);
	close(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_and_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_is_not_stall, setup, teardown),
		cmocka_unit_test(test_inherited_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
