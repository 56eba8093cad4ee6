// SPDX-License-Identifier: MIT
/*
 * wgmtud [-f|--foreground] IFNAME -- the command line of wireguard-go:
 * create the TUN and the UAPI socket, then (unless foreground) detach and
 * run the device loop until SIGINT/SIGTERM or the interface is deleted.
 */
#include "daemon/config.h"
#include "daemon/device.h"
#include "daemon/log.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: wgmtud [-f|--foreground] INTERFACE-NAME\n"
		"       wgmtud --version | --help\n"
		"\n"
		"A userspace WireGuard implementation that discovers each peer's path MTU.\n"
		"Creates the TUN interface INTERFACE-NAME and serves the WireGuard\n"
		"configuration protocol on " WGD_IPC_DIR "/INTERFACE-NAME.sock, so\n"
		"wg(8) and wg-quick(8) configure it as they configure wireguard-go.\n"
		"\n"
		"Options:\n"
		"  -f, --foreground  stay in the foreground (default: detach once ready)\n"
		"  --version         print the version and exit\n"
		"  -h, --help        print this help and exit\n"
		"\n"
		"Environment (a value not listed here is refused: exit 1):\n"
		"  WG_PROCESS_FOREGROUND=1|0   1: same as --foreground\n"
		"  LOG_LEVEL=error|verbose|debug|silent   what to log (default error)\n"
		"  WG_TUN_FD=N        use the already open TUN descriptor N\n"
		"  WG_UAPI_FD=N       use the already listening UAPI socket N\n"
		"  WGMTUD_THREADS=N   threads for encryption and decryption, 1..16\n"
		"                     (default: the online CPUs, shared while one is idle)\n"
		"  WGMTUD_UDP_GRO=1|0 0: do not ask the kernel for merged UDP datagrams\n"
		"  WGMTUD_TEST_TIMER_SCALE=1..1000, WGMTUD_TEST_PMTU_RAISE_MS=100..600000\n"
		"                     for tests only: faster protocol / path-MTU timers\n"
		"\n"
		"Example:\n"
		"  wgmtud wg0 && wg setconf wg0 <(wg-quick strip wg0) && ip link set wg0 up\n"
		"  WG_QUICK_USERSPACE_IMPLEMENTATION=wgmtud wg-quick up wg0\n");
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

/* WG_TUN_FD / WG_UAPI_FD (already parsed) must be open; the UAPI one a
 * socket. */
static int check_fd(const char *name, int fd, bool socket)
{
	struct stat st;

	if (fd < 0)
		return 0;
	if (fcntl(fd, F_GETFD) < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "wgmtud: %s=%d is not an open file descriptor\n", name, fd);
		return -EBADF;
	}
	if (socket && !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "wgmtud: %s=%d is not a socket (expected a listening unix socket)\n",
			name, fd);
		return -ENOTSOCK;
	}
	return 0;
}

/* Detach like wireguard-go: the parent returns 0 once the interface and the
 * UAPI socket exist (they do: both were created before the fork). */
static int daemonize(bool keep_output)
{
	pid_t pid = fork();
	int nullfd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") < 0)
		return -errno;
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nullfd >= 0) {
		dup2(nullfd, 0);
		if (!keep_output) {
			dup2(nullfd, 1);
			dup2(nullfd, 2);
		}
		if (nullfd > 2)
			close(nullfd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct wgd_device dev;
	struct wgd_config cfg;
	const char *ifname = NULL;
	bool foreground = false;
	char err[256] = "";
	int r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--foreground")) {
			foreground = true;
		} else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-v")) {
			printf("wgmtud %s\n", WGMTU_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "wgmtud: unknown option '%s'\nTry 'wgmtud --help'.\n", argv[i]);
			return 2;
		} else if (!ifname) {
			ifname = argv[i];
		} else {
			fprintf(stderr, "wgmtud: one interface name expected, got '%s' and '%s'\n"
				"Try 'wgmtud --help'.\n", ifname, argv[i]);
			return 2;
		}
	}
	if (!ifname) {
		usage(stderr);
		return 2;
	}
	if (!wgd_tun_name_valid(ifname)) {
		fprintf(stderr, "wgmtud: '%s' is not a valid interface name (1-%d characters;"
			" no '/', ':', '%%' or white space; not '.' or '..')\n",
			ifname, IFNAMSIZ - 1);
		return 2;
	}
	/* the daemon's environment, read and checked once (config.h) */
	if (wgd_config_from_env(&cfg, env_get, err, sizeof(err)) < 0) {
		fprintf(stderr, "wgmtud: %s\n", err);
		return 1;
	}
	if (check_fd("WG_TUN_FD", cfg.tun_fd, false) < 0 ||
	    check_fd("WG_UAPI_FD", cfg.uapi_fd, true) < 0)
		return 1;
	foreground = foreground || cfg.foreground;
	wgd_log_level = cfg.log_level;
	wgd_log_ifname = ifname;

	signal(SIGPIPE, SIG_IGN);
	/* Large blocks (a UAPI set's arrays) always from mmap, so that what a
	 * refused or finished request held goes back to the system at once:
	 * glibc would otherwise raise this threshold to 32 MB after the first
	 * such free and keep later ones on a fragmented heap (issue 11.3). */
	mallopt(M_MMAP_THRESHOLD, 256 << 10);
	r = wgd_device_init(&dev, ifname, &cfg, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "wgmtud: %s\n", err[0] ? err : strerror(-r));
		return 1;
	}
	if (!foreground) {
		r = daemonize(cfg.log_level_set && wgd_log_level != WGD_LOG_SILENT);
		if (r < 0) {
			fprintf(stderr, "wgmtud: cannot detach: %s\n", strerror(-r));
			wgd_device_destroy(&dev);
			return 1;
		}
	}
	r = wgd_device_start(&dev, err, sizeof(err));
	if (r < 0) {
		log_err("%s", err);
		wgd_device_destroy(&dev);
		return 1;
	}
	log_info("device started (%s)", dev.tun.name);
	r = wgd_device_run(&dev);
	log_info("shutting down");
	wgd_device_destroy(&dev);
	return r < 0 ? 1 : 0;
}
