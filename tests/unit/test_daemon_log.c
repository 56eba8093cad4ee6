// SPDX-License-Identifier: MIT
/* wgmtud's log lines about a peer name it as wireguard-go does:
 * "peer(" + first 4 + "…" + last 4 base64 characters of its key + ")". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/log.h"
#include "uapi/key.h"

static void test_peer_name(void **st)
{
	/* base64 "gPDmDEuMVmE7tF+kKhDxTiNV0xCfs0MLxnAZFG0hXns=" */
	static const char *b64 = "gPDmDEuMVmE7tF+kKhDxTiNV0xCfs0MLxnAZFG0hXns=";
	uint8_t k[UAPI_KEY_LEN];
	char name[WGD_LOG_PEER_NAME_MAX];

	(void)st;
	assert_int_equal(uapi_key_from_base64(b64, k), 0);
	assert_string_equal(wgd_log_peer_name(k, name), "peer(gPDm\u2026hXns)");
	memset(k, 0, sizeof(k));
	assert_string_equal(wgd_log_peer_name(k, name), "peer(AAAA\u2026AAAA)");
}

/* The whole line, as written to stdout at verbose level. */
static void test_peer_line(void **st)
{
	uint8_t k[UAPI_KEY_LEN];
	char path[] = "/tmp/test_daemon_log.XXXXXX", line[256] = "";
	int fd = mkstemp(path), saved = dup(1);
	FILE *f;

	(void)st;
	assert_true(fd >= 0 && saved >= 0);
	memset(k, 0xff, sizeof(k));
	wgd_log_level = WGD_LOG_VERBOSE;
	wgd_log_ifname = "wg9";
	fflush(stdout);
	dup2(fd, 1);
	wgd_log_peer(WGD_LOG_VERBOSE, k, "received handshake %s", "initiation");
	wgd_log_peer(WGD_LOG_ERROR + 5, k, "never: above the level"); /* filtered */
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	f = fdopen(fd, "r");
	assert_non_null(f);
	rewind(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_null(strstr(line, "never"));
	assert_int_equal(strncmp(line, "DEBUG: ", 7), 0);
	assert_non_null(strstr(line, " wg9: peer(////\u2026///8) - received handshake initiation\n"));
	assert_null(fgets(line, sizeof(line), f)); /* one line only */
	fclose(f);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_name),
		cmocka_unit_test(test_peer_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
