// SPDX-License-Identifier: MIT
/* wgmtud's environment (daemon/config.h): defaults, every accepted value,
 * and a clear refusal (naming the variable and what it accepts) of a value
 * that used to be ignored. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/config.h"

/* a fake environment: NULL-terminated name, value pairs */
static const char *const *fake;

static const char *fake_env(const char *name)
{
	for (size_t i = 0; fake && fake[i]; i += 2)
		if (!strcmp(fake[i], name))
			return fake[i + 1];
	return NULL;
}

static int load(const char *const *env, struct wgd_config *c, char *err, size_t cap)
{
	fake = env;
	return wgd_config_from_env(c, fake_env, err, cap);
}

static void test_defaults(void **st)
{
	static const char *const env[] = { NULL };
	struct wgd_config c;
	char err[128];

	(void)st;
	assert_int_equal(load(env, &c, err, sizeof(err)), 0);
	assert_int_equal(c.log_level, WGD_LOG_ERROR);
	assert_false(c.log_level_set);
	assert_false(c.foreground);
	assert_int_equal(c.tun_fd, -1);
	assert_int_equal(c.uapi_fd, -1);
	assert_int_equal(c.timer_scale, 1);
	assert_int_equal(c.pmtu_raise_ms, 0);
	assert_int_equal(c.threads, 0);
	assert_false(c.no_udp_gro);
	assert_string_equal(err, "");
}

static void test_empty_is_unset(void **st)
{
	static const char *const env[] = {
		"LOG_LEVEL", "", "WG_TUN_FD", "", "WGMTUD_TEST_TIMER_SCALE", "", NULL
	};
	struct wgd_config c;
	char err[128];

	(void)st;
	assert_int_equal(load(env, &c, err, sizeof(err)), 0);
	assert_false(c.log_level_set);
	assert_int_equal(c.tun_fd, -1);
	assert_int_equal(c.timer_scale, 1);
}

static void test_accepted_values(void **st)
{
	static const char *const env[] = {
		"LOG_LEVEL", "verbose", "WG_PROCESS_FOREGROUND", "1", "WG_TUN_FD", "7",
		"WG_UAPI_FD", "0", "WGMTUD_TEST_TIMER_SCALE", "1000",
		"WGMTUD_TEST_PMTU_RAISE_MS", "100", "WGMTUD_THREADS", "16",
		"WGMTUD_UDP_GRO", "0", NULL
	};
	static const struct { const char *v; enum wgd_log_level l; } lv[] = {
		{ "error", WGD_LOG_ERROR }, { "verbose", WGD_LOG_VERBOSE },
		{ "debug", WGD_LOG_VERBOSE }, { "silent", WGD_LOG_SILENT },
	};
	struct wgd_config c;
	char err[128];

	(void)st;
	assert_int_equal(load(env, &c, err, sizeof(err)), 0);
	assert_int_equal(c.log_level, WGD_LOG_VERBOSE);
	assert_true(c.log_level_set);
	assert_true(c.foreground);
	assert_int_equal(c.tun_fd, 7);
	assert_int_equal(c.uapi_fd, 0);
	assert_int_equal(c.timer_scale, 1000);
	assert_int_equal(c.pmtu_raise_ms, 100);
	assert_int_equal(c.threads, 16);
	assert_true(c.no_udp_gro);
	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++) {
		const char *const e[] = { "LOG_LEVEL", lv[i].v, NULL };

		assert_int_equal(load(e, &c, err, sizeof(err)), 0);
		assert_int_equal(c.log_level, lv[i].l);
	}
	{
		const char *const e[] = { "WG_PROCESS_FOREGROUND", "0",
					  "WGMTUD_TEST_PMTU_RAISE_MS", "600000",
					  "WGMTUD_THREADS", "1", "WGMTUD_UDP_GRO", "1", NULL };

		assert_int_equal(load(e, &c, err, sizeof(err)), 0);
		assert_false(c.foreground);
		assert_int_equal(c.threads, 1);
		assert_false(c.no_udp_gro);
		assert_int_equal(c.pmtu_raise_ms, 600000);
	}
}

/* Each of these was silently ignored (or taken as the default) before. */
static void test_refused_values(void **st)
{
	static const struct { const char *name, *value, *says; } bad[] = {
		{ "LOG_LEVEL", "loud", "LOG_LEVEL=loud: expected error, verbose, debug or silent" },
		{ "LOG_LEVEL", "Verbose", "LOG_LEVEL=Verbose: expected" },
		{ "WG_PROCESS_FOREGROUND", "yes", "WG_PROCESS_FOREGROUND=yes: expected 1" },
		{ "WG_TUN_FD", "x", "WG_TUN_FD=x: expected a file descriptor" },
		{ "WG_UAPI_FD", "-1", "WG_UAPI_FD=-1: expected" },
		{ "WG_UAPI_FD", "70000", "WG_UAPI_FD=70000: expected" },
		{ "WGMTUD_TEST_TIMER_SCALE", "0", "WGMTUD_TEST_TIMER_SCALE=0: expected 1..1000" },
		{ "WGMTUD_TEST_TIMER_SCALE", "1001", "WGMTUD_TEST_TIMER_SCALE=1001: expected 1..1000" },
		{ "WGMTUD_TEST_PMTU_RAISE_MS", "fast", "WGMTUD_TEST_PMTU_RAISE_MS=fast: expected 100..600000" },
		{ "WGMTUD_TEST_PMTU_RAISE_MS", "99", "WGMTUD_TEST_PMTU_RAISE_MS=99: expected 100..600000" },
		{ "WGMTUD_TEST_PMTU_RAISE_MS", "600001", "WGMTUD_TEST_PMTU_RAISE_MS=600001: expected" },
		{ "WGMTUD_TEST_PMTU_RAISE_MS", "500ms", "WGMTUD_TEST_PMTU_RAISE_MS=500ms: expected" },
		{ "WGMTUD_THREADS", "0", "WGMTUD_THREADS=0: expected 1..16" },
		{ "WGMTUD_THREADS", "17", "WGMTUD_THREADS=17: expected 1..16" },
		{ "WGMTUD_THREADS", "many", "WGMTUD_THREADS=many: expected" },
		{ "WGMTUD_UDP_GRO", "off", "WGMTUD_UDP_GRO=off: expected 1 (on) or 0 (off)" },
	};
	struct wgd_config c;
	char err[128];

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *const e[] = { bad[i].name, bad[i].value, NULL };

		assert_int_equal(load(e, &c, err, sizeof(err)), -EINVAL);
		if (strncmp(err, bad[i].says, strlen(bad[i].says)))
			fail_msg("%s=%s: message '%s'", bad[i].name, bad[i].value, err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_is_unset),
		cmocka_unit_test(test_accepted_values),
		cmocka_unit_test(test_refused_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
