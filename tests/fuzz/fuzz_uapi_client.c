// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: wgmtu show's get-reply parser on arbitrary bytes. A
 * hostile or broken daemon must never crash the tool; when the parser
 * accepts a reply, what it kept must be consistent: non-empty keys without
 * '=' or '\n', values without '\n', secrets hidden, every accepted reply
 * recognised as complete by the framing check, and the kept lines written
 * back out parse again to the same thing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/uapi_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_section(const struct uapi_section *s)
{
	uint64_t v;

	for (size_t i = 0; i < s->n; i++) {
		const char *k = s->kv[i].key, *val = s->kv[i].value;

		if (!*k || strchr(k, '=') || strchr(k, '\n') || strchr(val, '\n') ||
		    !strcmp(k, "errno"))
			abort();
		if (!strcmp(k, "private_key") && strcmp(val, "(hidden)"))
			abort();
		(void)uapi_get_u64(s, k, &v);
	}
}

static void write_section(FILE *f, const struct uapi_section *s)
{
	for (size_t i = 0; i < s->n; i++)
		fprintf(f, "%s=%s\n", s->kv[i].key, s->kv[i].value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uapi_reply r, r2;
	char msg[128], *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (uapi_reply_parse((const char *)data, size, &r, msg, sizeof(msg)) != 0)
		return 0;
	if (uapi_reply_complete((const char *)data, size) == 0)
		abort();
	check_section(&r.dev);
	for (size_t i = 0; i < r.n_peers; i++)
		check_section(&r.peers[i].s);
	(void)uapi_reply_is_wgmtud(&r);

	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	write_section(f, &r.dev);
	for (size_t i = 0; i < r.n_peers; i++)
		write_section(f, &r.peers[i].s);
	fprintf(f, "errno=%d\n\n", r.daemon_errno);
	fclose(f);
	/* A kept line may be longer than the limit only if the input's was. */
	if (uapi_reply_parse(buf, len, &r2, msg, sizeof(msg)) != 0)
		abort();
	if (r2.n_peers != r.n_peers || r2.dev.n != r.dev.n || r2.daemon_errno != r.daemon_errno)
		abort();
	for (size_t i = 0; i < r.n_peers; i++)
		if (memcmp(r.peers[i].public_key, r2.peers[i].public_key, UAPI_KEY_LEN) ||
		    r.peers[i].s.n != r2.peers[i].s.n)
			abort();
	uapi_reply_free(&r2);
	free(buf);
	uapi_reply_free(&r);
	return 0;
}
