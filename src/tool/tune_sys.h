/* SPDX-License-Identifier: MIT */
/*
 * The host edges shared by `wgmtu doctor` and `wgmtu tune`: running a
 * program and capturing its output, interface and route MTUs, what
 * implementation serves a WireGuard interface.
 */
#ifndef WGMTU_TOOL_TUNE_SYS_H
#define WGMTU_TOOL_TUNE_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Runs argv (PATH search) with input on stdin (may be NULL), captures
 * stdout (and stderr when err_too) into *out (NUL-terminated, caller
 * frees; *out_len may be NULL). Returns the exit status (0..255), 127 when
 * it could not run, or negative errno. SYS_RUN_SECRET: the output holds
 * secrets (wg's private keys): no copy is left behind when the buffer
 * grows; the caller wipes *out. */
enum { SYS_RUN_STDERR = 1, SYS_RUN_SECRET = 2 };
/* How long sys_run() lets a program run (wall time, feeding its input
 * and reading its output included); past it the program is killed and
 * sys_run_timeout() returns -ETIMEDOUT. */
#define SYS_RUN_TIMEOUT_MS 60000
int sys_run(char *const argv[], const char *input, int flags, char **out, size_t *out_len);
int sys_run_timeout(char *const argv[], const char *input, int flags, int timeout_ms,
		    char **out, size_t *out_len);

/* The interface's MTU, or negative errno (-ENODEV: not in this netns). */
int sys_if_mtu(const char *ifname);
/* Sets it (SIOCSIFMTU). 0 or negative errno. */
int sys_if_set_mtu(const char *ifname, int mtu);
/* The MTU of the route the kernel would use towards dst (IP_MTU of a
 * connected UDP socket: a locked route metric, a cached path MTU or the
 * device's). Negative errno when there is no route. */
int sys_route_mtu(const struct sockaddr_storage *dst);

enum sys_impl { SYS_IMPL_KERNEL, SYS_IMPL_USERSPACE, SYS_IMPL_WGMTUD };
/* kernel: no UAPI socket; userspace: a UAPI socket (wireguard-go,
 * boringtun...); wgmtud: its get reply carries wgmtu_version. */
enum sys_impl sys_wg_impl(const char *ifname);
const char *sys_impl_name(enum sys_impl i);

/* Does the nftables ruleset (or iptables-save) clamp the TCP MSS?
 * 1 yes, 0 no, -1 could not tell (no nft/iptables, no permission). */
int sys_mss_clamp(void);

#endif
