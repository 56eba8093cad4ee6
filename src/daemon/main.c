// SPDX-License-Identifier: MIT
/*
 * wgmtud [-f|--foreground] IFNAME -- the command line of wireguard-go:
 * create the TUN and the UAPI socket, then (unless foreground) detach and
 * run the device loop until SIGINT/SIGTERM or the interface is deleted.
 */
#include "daemon/device.h"
#include "daemon/log.h"

#include <errno.h>
#include <fcntl.h>
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
		"Environment:\n"
		"  WG_PROCESS_FOREGROUND=1   same as --foreground\n"
		"  LOG_LEVEL=error|verbose|silent   what to log (default error)\n"
		"  WG_TUN_FD=N        use the already open TUN descriptor N\n"
		"  WG_UAPI_FD=N       use the already listening UAPI socket N\n"
		"  WGMTUD_THREADS=N   threads for encryption and decryption, 1..16\n"
		"                     (default: the online CPUs)\n"
		"  WGMTUD_UDP_GRO=0   do not ask the kernel for merged UDP datagrams\n"
		"\n"
		"Example:\n"
		"  wgmtud wg0 && wg setconf wg0 <(wg-quick strip wg0) && ip link set wg0 up\n"
		"  WG_QUICK_USERSPACE_IMPLEMENTATION=wgmtud wg-quick up wg0\n");
}

static int env_fd(const char *name, int *fd)
{
	const char *v = getenv(name);
	unsigned long n;

	*fd = -1;
	if (!v || !*v)
		return 0;
	if (parse_ulong(v, 0, 65535, &n) < 0 || fcntl((int)n, F_GETFD) < 0) {
		fprintf(stderr, "wgmtud: %s=%s is not an open file descriptor\n", name, v);
		return -EBADF;
	}
	*fd = (int)n;
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
	const char *ifname = NULL, *ll = getenv("LOG_LEVEL");
	bool foreground = false;
	char err[256] = "";
	int tun_fd, uapi_fd, r;

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
			fprintf(stderr, "wgmtud: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		} else if (!ifname) {
			ifname = argv[i];
		} else {
			fprintf(stderr, "wgmtud: one interface name expected, got '%s' and '%s'\n",
				ifname, argv[i]);
			return 2;
		}
	}
	if (!ifname) {
		usage(stderr);
		return 2;
	}
	if (!*ifname || strlen(ifname) >= IFNAMSIZ || strchr(ifname, '/') ||
	    !strcmp(ifname, ".") || !strcmp(ifname, "..")) {
		fprintf(stderr, "wgmtud: '%s' is not a valid interface name (1-%d characters, no '/')\n",
			ifname, IFNAMSIZ - 1);
		return 2;
	}
	if (getenv("WG_PROCESS_FOREGROUND") && !strcmp(getenv("WG_PROCESS_FOREGROUND"), "1"))
		foreground = true;
	wgd_log_level = wgd_log_parse(ll);
	wgd_log_ifname = ifname;
	if (env_fd("WG_TUN_FD", &tun_fd) < 0 || env_fd("WG_UAPI_FD", &uapi_fd) < 0)
		return 1;

	signal(SIGPIPE, SIG_IGN);
	r = wgd_device_init(&dev, ifname, tun_fd, uapi_fd, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "wgmtud: %s\n", err[0] ? err : strerror(-r));
		return 1;
	}
	if (!foreground) {
		r = daemonize(ll && wgd_log_level != WGD_LOG_SILENT);
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
