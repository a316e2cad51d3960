/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ECS and OCSF exports (common/export_*.c) of any record text: the scanner
 * accepts or refuses it; an accepted record maps to one line of valid JSON in
 * valid UTF-8 (or is reported unmapped), with the session row and the process
 * row (argv JSON) also taken from the input.
 *
 * Input: fields separated by 0xff bytes: the record's JSON text, the
 * process's argv JSON, then the session's sid, login, remote address and
 * fingerprint.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <string.h>

#include "export.h"
#include "fuzz.h"
#include "strsafe.h"

static void check_doc(const struct sr_jw *w, const char *fmt)
{
	static json_tokener *tok;
	json_object *o;

	if (!tok)
		tok = json_tokener_new();
	if (!sr_utf8_valid(w->b, w->len) || memchr(w->b, '\n', w->len) ||
	    memchr(w->b, '\r', w->len))
		fz_fail("%s document breaks JSON lines or UTF-8: %.*s", fmt, (int)w->len, w->b);
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, w->b, (int)w->len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != w->len || !json_object_is_type(o, json_type_object))
		fz_fail("%s document does not parse: %.*s", fmt, (int)w->len, w->b);
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sr_jrec r, scratch;
	struct fz f = {data, size};
	size_t rlen, alen;
	char *rec = fz_str(&f, 1 << 16, &rlen), *argv = fz_str(&f, 1 << 14, &alen);
	char *sid, *login, *raddr, *fp;
	struct sr_exp_sess s = {.remote_port = 50022,
	                        .local_port = 22,
	                        .leader_pid = 1990,
	                        .start_us = 1767600000000000LL};
	struct sr_exp_proc p = {.id = 12,
	                        .path = "/usr/bin/x",
	                        .argv_json = argv,
	                        .pid = 5,
	                        .ppid = 4,
	                        .start_us = 1767600001500000LL};
	struct sr_exp_frag frag;
	struct sr_exp_ctx ctx = {.sess = &s, .proc = &p};
	struct sr_jw w = {0};
	int rc;

	s.sid = sid = fz_str(&f, 64, NULL);
	s.login = login = fz_str(&f, 256, NULL);
	s.remote_addr = raddr = fz_str(&f, 256, NULL);
	s.key_fingerprint = fp = fz_str(&f, 256, NULL);
	s.tty = "/dev/pts/1";
	if (sr_exp_proc_prepare(&p, &scratch) == 0 && sr_exp_frag_prepare(&frag, &s) == 0) {
		if (fz_u8(&f) & 1)
			ctx.frag = &frag;
		if (sr_jrec_parse(&r, rec, rlen) == 0) {
			for (int fmt = 0; fmt < 2; fmt++) {
				sr_jw_reset(&w);
				rc = fmt ? sr_ocsf_write(&r, &ctx, &w) : sr_ecs_write(&r, &ctx, &w);
				if (rc == 0)
					check_doc(&w, fmt ? "OCSF" : "ECS");
				else if (rc != -ENOENT && rc != -EINVAL && rc != -ENOMEM)
					fz_fail("unexpected result %d", rc);
			}
		}
		sr_exp_frag_clear(&frag);
	}
	sr_exp_proc_clear(&p);
	sr_jw_free(&w);
	free(rec);
	free(argv);
	free(sid);
	free(login);
	free(raddr);
	free(fp);
	return 0;
}
