/* SPDX-License-Identifier: BSD-2-Clause */
/* One line that says what a record is about (timeline, report). */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/output.h"
#include "execname.h"

void sr_describe(json_object *o, const char *ev, char *buf, size_t cap)
{
	char a[32], b[32];
	json_object *v;

	buf[0] = '\0';
	if (!strcmp(ev, "session.command")) {
		char *cmd = NULL;
		int64_t rc = sr_j_int(o, "return_code", 0);
		json_object *argv = NULL;
		bool trunc;
		char *label =
		    sr_exe_label(sr_j_str(o, "path"), sr_j_str(o, "exe"), sr_j_str(o, "exe_kind"));
		char pre[SR_PATH_MAX_LABEL];

		trunc = json_object_object_get_ex(o, "argv_truncated", &v) &&
		        json_object_get_boolean(v);
		if (json_object_object_get_ex(o, "argv", &argv) && argv)
			cmd = json_object_is_type(argv, json_type_array)
			          ? sr_argv_join_obj(argv, sr_j_str(o, "argv0"), trunc)
			          : sr_argv_join(json_object_to_json_string(argv), trunc);
		snprintf(buf, cap, "%s%s%s%s  (cwd %s)", sr_exe_prefix(label, pre, sizeof(pre)),
		         cmd ? cmd : "?", rc < 0 ? "  = exec failed: " : "",
		         rc < 0 ? sr_rc_errno_name(rc, a, sizeof(a)) : "",
		         sr_j_str(o, "cwd") ? sr_j_str(o, "cwd") : "?");
		free(cmd);
		free(label);
	} else if (!strcmp(ev, "session.disk") && sr_j_str(o, "change")) {
		/*
		 * a file change: "rename /a -> /b = 0", "chmod /a 0640 = EPERM",
		 * "exchange /a <-> /b = 0", "mknod /tmp/f fifo 0644 = 0"
		 */
		int64_t rc = sr_j_int(o, "return_code", 0);
		const char *p2 =
		    sr_j_str(o, "new_path") ? sr_j_str(o, "new_path") : sr_j_str(o, "target");

		if (sr_j_has(o, "device_major")) /* mknod of a device: "char 1:3 0600" */
			snprintf(b, sizeof(b), " %s %" PRId64 ":%" PRId64 " %04" PRIo64,
			         sr_j_str(o, "file_type") ? sr_j_str(o, "file_type") : "?",
			         sr_j_int(o, "device_major", 0), sr_j_int(o, "device_minor", 0),
			         sr_j_int(o, "mode", 0));
		else if (sr_j_str(o, "file_type")) /* mknod: "fifo 0644" */
			snprintf(b, sizeof(b), " %s %04" PRIo64, sr_j_str(o, "file_type"),
			         sr_j_int(o, "mode", 0));
		else if (sr_j_has(o, "mode"))
			snprintf(b, sizeof(b), " %04" PRIo64, sr_j_int(o, "mode", 0));
		else if (sr_j_has(o, "length"))
			snprintf(b, sizeof(b), " to %" PRId64 " bytes", sr_j_int(o, "length", 0));
		else if (sr_j_has(o, "owner_uid") || sr_j_has(o, "owner_gid"))
			snprintf(b, sizeof(b), " %" PRId64 ":%" PRId64,
			         sr_j_int(o, "owner_uid", -1), sr_j_int(o, "owner_gid", -1));
		else
			b[0] = 0;
		snprintf(buf, cap, "%s %s%s%s%s = %s", sr_j_str(o, "change"),
		         sr_j_str(o, "path") ? sr_j_str(o, "path") : "?",
		         !p2                                          ? ""
		         : !strcmp(sr_j_str(o, "change"), "exchange") ? " <-> "
		                                                      : " -> ",
		         p2 ? p2 : "", b,
		         !sr_j_has(o, "return_code") ? "?"
		         : rc < 0                    ? sr_rc_errno_name(rc, a, sizeof(a))
		                                     : "0");
	} else if (!strcmp(ev, "session.disk")) {
		int64_t rc = sr_j_int(o, "return_code", 0);

		snprintf(buf, cap, "%s %s = %s%s%s",
		         sr_j_str(o, "path") ? sr_j_str(o, "path") : "?",
		         sr_j_str(o, "flags_text") ? sr_j_str(o, "flags_text") : "",
		         rc < 0 ? sr_rc_errno_name(rc, a, sizeof(a)) : "fd ",
		         rc < 0 ? "" : (snprintf(b, sizeof(b), "%" PRId64, rc), b),
		         sr_j_str(o, "path_error") ? " (path unreadable)" : "");
	} else if (!strcmp(ev, "session.network")) {
		bool v6 = sr_j_int(o, "version", 4) == 6;
		int64_t op = sr_j_int(o, "operation", 0);

		/* a connect has no word (as before format 4); src is who initiated */
		snprintf(buf, cap, "%s%s%s%s:%" PRId64 " -> %s%s%s:%" PRId64 " %s",
		         op == 2   ? "accept "
		         : op == 1 ? "udp "
		                   : "",
		         v6 ? "[" : "", sr_j_str(o, "src_addr") ? sr_j_str(o, "src_addr") : "?",
		         v6 ? "]" : "", sr_j_int(o, "src_port", 0), v6 ? "[" : "",
		         sr_j_str(o, "dst_addr") ? sr_j_str(o, "dst_addr") : "?", v6 ? "]" : "",
		         sr_j_int(o, "dst_port", 0),
		         /* action 1: the session policy refused it */
		         sr_j_int(o, "action", 0) == 1 ? "denied"
		         : sr_j_str(o, "result")       ? sr_j_str(o, "result")
		                                       : "");
	} else if (!strcmp(ev, "session.process_exit")) {
		int64_t sig = sr_j_int(o, "signal", 0);

		if (sig > 0)
			snprintf(buf, cap, "killed by %s after %s",
			         sr_signal_name((int)sig, a, sizeof(a)),
			         sr_fmt_duration(sr_j_int(o, "duration_ms", -1), b, sizeof(b)));
		else
			snprintf(buf, cap, "exit %s after %s",
			         !sr_j_has(o, "exit_code") ? "?"
			                                   : (snprintf(a, sizeof(a), "%" PRId64,
			                                               sr_j_int(o, "exit_code", 0)),
			                                      a),
			         sr_fmt_duration(sr_j_int(o, "duration_ms", -1), b, sizeof(b)));
	} else if (!strcmp(ev, "session.start")) {
		json_object *auth = NULL;

		json_object_object_get_ex(o, "auth", &auth);
		snprintf(buf, cap, "login %s from %s via %s, tty %s, auth %s %s",
		         sr_j_str(o, "login") ? sr_j_str(o, "login") : "?",
		         sr_j_str(o, "addr.remote") ? sr_j_str(o, "addr.remote") : "?",
		         sr_j_str(o, "service") ? sr_j_str(o, "service") : "?",
		         sr_j_str(o, "tty") ? sr_j_str(o, "tty") : "-",
		         auth && sr_j_str(auth, "method") ? sr_j_str(auth, "method") : "?",
		         auth && sr_j_str(auth, "fingerprint") ? sr_j_str(auth, "fingerprint")
		                                               : "");
	} else if (!strcmp(ev, "session.end")) {
		json_object *c = NULL;

		json_object_object_get_ex(o, "counts", &c);
		snprintf(buf, cap,
		         "session ended: %" PRId64 " commands, %" PRId64 " files, %" PRId64
		         " connections, %" PRId64 " lost",
		         c ? sr_j_int(c, "command", 0) : 0, c ? sr_j_int(c, "disk", 0) : 0,
		         c ? sr_j_int(c, "network", 0) : 0, sr_j_int(o, "lost", 0));
	} else if (!strcmp(ev, "session.data_loss")) {
		json_object *c = NULL;

		json_object_object_get_ex(o, "lost_by_type", &c);
		snprintf(buf, cap,
		         "%" PRId64 " events lost in the kernel (command %" PRId64 ", disk %" PRId64
		         ", network %" PRId64 ")",
		         sr_j_int(o, "lost", 0), c ? sr_j_int(c, "command", 0) : 0,
		         c ? sr_j_int(c, "disk", 0) : 0, c ? sr_j_int(c, "network", 0) : 0);
	} else if (!strcmp(ev, "session.escape")) {
		snprintf(buf, cap, "left the session cgroup for %s",
		         sr_j_str(o, "to_cgroup_path") ? sr_j_str(o, "to_cgroup_path") : "?");
	} else if (!strcmp(ev, "session.denied")) {
		sr_denied_text(sr_j_str_or(o, "kind", "action"), sr_j_str(o, "target"),
		               sr_j_str(o, "rule"), sr_j_str_or(o, "policy_mode", "mode"),
		               sr_j_str(o, "mechanism"), sr_j_str(o, "effect"), buf, cap);
	} else {
		snprintf(buf, cap, "%s", json_object_to_json_string(o));
	}
}
