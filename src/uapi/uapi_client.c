// SPDX-License-Identifier: MIT
/* UAPI client codec: get-reply parser, request builder, key encodings.
 * Pure; the socket side is src/tool/uapi_io.c. */
#include "uapi/uapi_client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"

/* ---------------------------------------------------------------- parser */

static void set_msg(char *m, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_msg(char *m, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!m || !cap)
		return;
	va_start(ap, fmt);
	vsnprintf(m, cap, fmt, ap);
	va_end(ap);
}

static void section_free(struct uapi_section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->kv[i].key);
		free(s->kv[i].value);
	}
	free(s->kv);
	memset(s, 0, sizeof(*s));
}

static int section_add(struct uapi_section *s, const char *k, size_t klen,
		       const char *v, size_t vlen)
{
	struct uapi_kv kv;

	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		struct uapi_kv *n = realloc(s->kv, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->kv = n;
		s->cap = nc;
	}
	kv.key = strndup(k, klen);
	kv.value = strndup(v, vlen);
	if (!kv.key || !kv.value) {
		free(kv.key);
		free(kv.value);
		return -ENOMEM;
	}
	s->kv[s->n++] = kv;
	return 0;
}

void uapi_reply_free(struct uapi_reply *r)
{
	if (!r)
		return;
	section_free(&r->dev);
	for (size_t i = 0; i < r->n_peers; i++)
		section_free(&r->peers[i].s);
	free(r->peers);
	memset(r, 0, sizeof(*r));
}

size_t uapi_reply_complete(const char *buf, size_t len)
{
	/* The reply ends at the first empty line: "\n" at the start of the
	 * buffer, or "\n\n" anywhere. */
	if (len >= 1 && buf[0] == '\n')
		return 1;
	for (size_t i = 1; i < len; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\n')
			return i + 1;
	return 0;
}

static bool parse_errno(const char *v, size_t n, int *out)
{
	bool neg = false;
	long x = 0;
	size_t i = 0;

	if (n && v[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n || n - i > 6)
		return false;
	for (; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (v[i] - '0');
	}
	*out = (int)(neg ? -x : x);
	return true;
}

int uapi_reply_parse(const char *buf, size_t len, struct uapi_reply *r,
		     char *err_msg, size_t err_cap)
{
	struct rbuf b = rbuf_make(buf, len);
	struct uapi_section *cur;
	size_t line_no = 0;
	bool have_errno = false, ended = false;
	int err = -EPROTO;

	memset(r, 0, sizeof(*r));
	if (err_msg && err_cap)
		err_msg[0] = '\0';
	if (len > UAPI_CLIENT_REPLY_MAX) {
		set_msg(err_msg, err_cap, "reply larger than the limit (%zu bytes)", len);
		return -E2BIG;
	}
	cur = &r->dev;
	while (rbuf_left(&b) > 0) {
		const char *line = (const char *)b.p + b.off;
		size_t left = rbuf_left(&b), n;
		const char *nl = memchr(line, '\n', left);
		const char *eq;

		line_no++;
		if (!nl) {
			if (left > UAPI_CLIENT_LINE_MAX)
				goto too_long;
			set_msg(err_msg, err_cap, "reply truncated in line %zu", line_no);
			goto fail;
		}
		n = (size_t)(nl - line);
		rbuf_skip(&b, n + 1);
		if (n > UAPI_CLIENT_LINE_MAX)
			goto too_long;
		if (n == 0) {
			ended = true;
			break;
		}
		if (have_errno) {
			set_msg(err_msg, err_cap, "line %zu after the errno line", line_no);
			goto fail;
		}
		if (memchr(line, '\0', n)) {
			set_msg(err_msg, err_cap, "NUL byte in line %zu", line_no);
			goto fail;
		}
		eq = memchr(line, '=', n);
		if (!eq || eq == line) {
			set_msg(err_msg, err_cap, "line %zu is not key=value", line_no);
			goto fail;
		}
		{
			size_t klen = (size_t)(eq - line);
			const char *v = eq + 1;
			size_t vlen = n - klen - 1;

			if (klen == 5 && !memcmp(line, "errno", 5)) {
				if (!parse_errno(v, vlen, &r->daemon_errno)) {
					set_msg(err_msg, err_cap, "bad errno in line %zu", line_no);
					goto fail;
				}
				have_errno = true;
				continue;
			}
			if (klen == 10 && !memcmp(line, "public_key", 10)) {
				struct uapi_peer *p;

				if (r->n_peers == UAPI_CLIENT_MAX_PEERS) {
					set_msg(err_msg, err_cap, "too many peers (line %zu)", line_no);
					err = -E2BIG;
					goto fail;
				}
				if (r->n_peers == r->cap_peers) {
					size_t nc = r->cap_peers ? r->cap_peers * 2 : 8;
					struct uapi_peer *np = realloc(r->peers, nc * sizeof(*np));

					if (!np)
						goto nomem;
					r->peers = np;
					r->cap_peers = nc;
				}
				p = &r->peers[r->n_peers];
				memset(p, 0, sizeof(*p));
				if (uapi_key_from_hex(v, vlen, p->public_key)) {
					set_msg(err_msg, err_cap, "bad public_key in line %zu", line_no);
					goto fail;
				}
				r->n_peers++;
				cur = &p->s;
			}
			/* Secrets never leave this function. */
			if (klen == 11 && !memcmp(line, "private_key", 11)) {
				v = "(hidden)";
				vlen = strlen(v);
			} else if (klen == 13 && !memcmp(line, "preshared_key", 13)) {
				bool zero = vlen == 64 && strspn(v, "0") >= 64;

				v = zero ? "(none)" : "(hidden)";
				vlen = strlen(v);
			}
			if (section_add(cur, line, klen, v, vlen))
				goto nomem;
		}
	}
	if (!ended) {
		set_msg(err_msg, err_cap, "reply truncated after line %zu (no blank line)", line_no);
		goto fail;
	}
	if (!have_errno) {
		set_msg(err_msg, err_cap, "reply without an errno line (%zu lines)", line_no);
		goto fail;
	}
	return 0;
too_long:
	set_msg(err_msg, err_cap, "line %zu is too long", line_no);
	err = -E2BIG;
	goto fail;
nomem:
	set_msg(err_msg, err_cap, "out of memory at line %zu", line_no);
	err = -ENOMEM;
fail:
	uapi_reply_free(r);
	return err;
}

const char *uapi_get(const struct uapi_section *s, const char *key)
{
	for (size_t i = s->n; i-- > 0;)
		if (!strcmp(s->kv[i].key, key))
			return s->kv[i].value;
	return NULL;
}

int uapi_get_u64(const struct uapi_section *s, const char *key, uint64_t *out)
{
	const char *v = uapi_get(s, key);
	uint64_t x = 0;

	if (!v)
		return -ENOENT;
	if (!*v || strlen(v) > 20)
		return -EINVAL;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (x > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -EINVAL;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	*out = x;
	return 0;
}

int uapi_get_i64(const struct uapi_section *s, const char *key, int64_t *out)
{
	uint64_t x;
	int e = uapi_get_u64(s, key, &x);

	if (e)
		return e;
	if (x > INT64_MAX)
		return -EINVAL;
	*out = (int64_t)x;
	return 0;
}

bool uapi_reply_is_wgmtud(const struct uapi_reply *r)
{
	return uapi_get(&r->dev, "wgmtu_version") != NULL;
}

/* -------------------------------------------------------------- requests */

static void req_put(struct uapi_req *q, const char *s, size_t n)
{
	if (q->err)
		return;
	if (q->cap - q->len < n + 1) {
		size_t nc = q->cap ? q->cap : 256;
		char *nb;

		while (nc - q->len < n + 1)
			nc *= 2;
		nb = realloc(q->buf, nc);
		if (!nb) {
			q->err = -ENOMEM;
			return;
		}
		q->buf = nb;
		q->cap = nc;
	}
	memcpy(q->buf + q->len, s, n);
	q->len += n;
	q->buf[q->len] = '\0';
}

void uapi_req_init_set(struct uapi_req *q)
{
	memset(q, 0, sizeof(*q));
	req_put(q, "set=1\n", 6);
}

int uapi_req_kv(struct uapi_req *q, const char *key, const char *value)
{
	if (!*key || strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(key) ||
	    strchr(value, '\n')) {
		if (!q->err)
			q->err = -EINVAL;
		return q->err;
	}
	req_put(q, key, strlen(key));
	req_put(q, "=", 1);
	req_put(q, value, strlen(value));
	req_put(q, "\n", 1);
	return q->err;
}

int uapi_req_finish(struct uapi_req *q)
{
	req_put(q, "\n", 1);
	return q->err;
}

void uapi_req_free(struct uapi_req *q)
{
	if (q->buf)
		explicit_bzero(q->buf, q->cap);
	free(q->buf);
	memset(q, 0, sizeof(*q));
}

/* --------------------------------------------------------------- names */

bool uapi_ifname_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 15 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '/' || name[i] <= ' ' || name[i] == 0x7f || name[i] == ':')
			return false;
	return true;
}
