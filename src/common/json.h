/* SPDX-License-Identifier: MIT */
/*
 * A small streaming JSON writer for --json output. It tracks nesting and
 * commas so callers only say what they emit; strings are escaped per
 * RFC 8259. Output goes to a FILE*.
 */
#ifndef WGMTU_COMMON_JSON_H
#define WGMTU_COMMON_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
	bool after_key;
	bool pretty;
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_int(struct json *j, long long v);
void json_uint(struct json *j, unsigned long long v);
void json_double(struct json *j, double v, int decimals);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* Finishes the document with a newline. */
void json_end(struct json *j);

/* key + value shorthands */
void json_kstr(struct json *j, const char *key, const char *s); /* NULL -> null */
void json_kint(struct json *j, const char *key, long long v);
void json_kbool(struct json *j, const char *key, bool v);
void json_knull(struct json *j, const char *key);

#endif
