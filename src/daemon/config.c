// SPDX-License-Identifier: MIT
/* wgmtud's environment into struct wgd_config (config.h). */
#include "daemon/config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "pmtu/plpmtud.h"

static const char *get(wgd_config_env_fn env, const char *name)
{
	const char *v = env(name);

	return v && *v ? v : NULL;
}

static int bad(char *err, size_t cap, const char *name, const char *v,
	       const char *expected)
{
	snprintf(err, cap, "%s=%s: expected %s", name, v, expected);
	return -EINVAL;
}

static int num(wgd_config_env_fn env, const char *name, unsigned long lo,
	       unsigned long hi, const char *expected, unsigned long *out,
	       char *err, size_t cap)
{
	const char *v = get(env, name);

	if (!v)
		return 0;
	if (parse_ulong(v, lo, hi, out) < 0)
		return bad(err, cap, name, v, expected);
	return 1;
}

int wgd_config_from_env(struct wgd_config *c, wgd_config_env_fn env, char *err,
			size_t err_cap)
{
	const char *v;
	unsigned long n;
	int r;

	memset(c, 0, sizeof(*c));
	c->log_level = WGD_LOG_ERROR;
	c->tun_fd = c->uapi_fd = -1;
	c->timer_scale = 1;
	if (err_cap)
		err[0] = '\0';

	if ((v = get(env, "LOG_LEVEL"))) {
		if (!strcmp(v, "verbose") || !strcmp(v, "debug"))
			c->log_level = WGD_LOG_VERBOSE;
		else if (!strcmp(v, "error"))
			c->log_level = WGD_LOG_ERROR;
		else if (!strcmp(v, "silent"))
			c->log_level = WGD_LOG_SILENT;
		else
			return bad(err, err_cap, "LOG_LEVEL", v,
				   "error, verbose, debug or silent");
		c->log_level_set = true;
	}
	if ((v = get(env, "WG_PROCESS_FOREGROUND"))) {
		if (strcmp(v, "1") && strcmp(v, "0"))
			return bad(err, err_cap, "WG_PROCESS_FOREGROUND", v,
				   "1 (foreground) or 0");
		c->foreground = v[0] == '1';
	}
	if ((r = num(env, "WG_TUN_FD", 0, 65535, "a file descriptor number (0..65535)",
		     &n, err, err_cap)) < 0)
		return r;
	if (r)
		c->tun_fd = (int)n;
	if ((r = num(env, "WG_UAPI_FD", 0, 65535, "a file descriptor number (0..65535)",
		     &n, err, err_cap)) < 0)
		return r;
	if (r)
		c->uapi_fd = (int)n;
	if ((r = num(env, "WGMTUD_TEST_TIMER_SCALE", 1, 1000, "1..1000 (timers divided by it)",
		     &n, err, err_cap)) < 0)
		return r;
	if (r)
		c->timer_scale = (unsigned)n;
	if ((r = num(env, "WGMTUD_TEST_PMTU_RAISE_MS", 100, PLPMTUD_RAISE_TIMER_MS,
		     "100..600000 (milliseconds)", &n, err, err_cap)) < 0)
		return r;
	if (r)
		c->pmtu_raise_ms = (uint32_t)n;
	if ((r = num(env, "WGMTUD_THREADS", 1, 16, "1..16 (threads for encryption)",
		     &n, err, err_cap)) < 0)
		return r;
	if (r)
		c->threads = (unsigned)n;
	if ((v = get(env, "WGMTUD_UDP_GRO"))) {
		if (strcmp(v, "1") && strcmp(v, "0"))
			return bad(err, err_cap, "WGMTUD_UDP_GRO", v, "1 (on) or 0 (off)");
		c->no_udp_gro = v[0] == '0';
	}
	return 0;
}
