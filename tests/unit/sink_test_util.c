/* SPDX-License-Identifier: BSD-2-Clause */
/* Synthetic records for the sink unit tests. */
#include "tests/unit/sink_test_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strsafe.h"
#include "timeutil.h"
#include "uuid.h"
#include "recorder/record_json.h"

#define T0 1700000000000000LL

void tu_session(struct sr_session_info *s, int64_t key, const char *login, int64_t start_us)
{
	memset(s, 0, sizeof(*s));
	s->key = key;
	sr_uuid_v7(s->sid, NULL);
	s->server_id = "6f1c2a9e-0d3b-4c55-9a61-1b2c3d4e5f60";
	s->server_hostname = "host1.example";
	s->login = login;
	s->user = "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
	s->service = "sshd";
	s->tty = "/dev/pts/3";
	s->rhost = "127.0.0.1";
	s->remote_addr = "127.0.0.1";
	s->remote_port = 50022;
	s->local_addr = "127.0.0.1";
	s->local_port = 22;
	s->auth_method = "publickey";
	s->key_type = "ssh-ed25519";
	s->key_fingerprint = s->user;
	s->leader_pid = 4000;
	s->cgroup_id = 9001;
	s->cgroup_path = "/sshrec/test";
	s->audit_session_id = 42;
	s->start_us = start_us ? start_us : T0;
	s->state = "active";
}

static void begin(struct tu_rec *t, struct sr_session_info *s, enum sr_rec_kind kind, uint64_t ei,
                  int32_t pid, const char *comm)
{
	struct sr_jw o = t->o, argv = t->argv;
	char *path = t->path;

	/* a reused tu_rec keeps its buffers */
	memset(t, 0, sizeof(*t));
	t->o = o;
	t->argv = argv;
	t->path = path;
	t->rec.kind = kind;
	t->rec.sess = s;
	t->rec.ei = ei;
	t->rec.time_us = s->start_us + (int64_t)ei * 1000;
	sr_uuid_v4(t->rec.uid);
	t->rec.pid = pid;
	t->rec.ppid = pid > 1 ? pid - 1 : 0;
	t->rec.program = comm;
	s->counts[kind]++;
	sr_json_common(&t->o, &t->rec, s->cgroup_id, s->audit_session_id);
}

static void finish(struct tu_rec *t)
{
	if (sr_json_finish(&t->o, &t->rec))
		abort();
}

void tu_start(struct tu_rec *t, struct sr_session_info *s)
{
	begin(t, s, SR_REC_SESSION_START, 0, s->leader_pid, "sshd");
	sr_json_put_str(&t->o, "addr.remote", "127.0.0.1:50022");
	sr_json_put_str(&t->o, "addr.local", "127.0.0.1:22");
	sr_json_put_str(&t->o, "tty", s->tty);
	sr_json_put_str(&t->o, "service", s->service);
	sr_json_put_str(&t->o, "rhost", s->rhost);
	sr_jw_obj(&t->o, "auth");
	sr_json_put_str(&t->o, "method", s->auth_method);
	sr_json_put_str(&t->o, "key_type", s->key_type);
	sr_json_put_str(&t->o, "fingerprint", s->key_fingerprint);
	sr_jw_end(&t->o);
	sr_json_put_str(&t->o, "cgroup_path", s->cgroup_path);
	finish(t);
}

void tu_command(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id,
                int64_t parent, int32_t pid, const char *path, const char *const *argv, int argc)
{
	const char *base = strrchr(path, '/');
	int i;

	begin(t, s, SR_REC_COMMAND, ei, pid, "bash");
	sr_jw_reset(&t->argv);
	sr_jw_arr(&t->argv, NULL);
	for (i = 0; i < argc; i++)
		sr_jw_str(&t->argv, NULL, argv[i]); /* sanitized by the writer */
	sr_jw_end(&t->argv);
	sr_jw_put(&t->argv, "", 1);
	sr_json_put_bytes(&t->o, "path", path, strlen(path));
	sr_jw_raw(&t->o, "argv", t->argv.b, t->argv.len - 1);
	sr_jw_bool(&t->o, "argv_truncated", false);
	sr_json_put_int(&t->o, "return_code", 0, false);
	sr_json_put_str(&t->o, "cwd", "/home/alice");
	sr_json_put_int(&t->o, "proc_uid", 1000, false);
	sr_json_put_int(&t->o, "proc_gid", 1000, false);
	sr_json_put_int(&t->o, "proc_euid", 1000, false);
	sr_json_put_int(&t->o, "proc_egid", 1000, false);
	sr_json_put_int(&t->o, "process_id", id, false);
	sr_json_put_int(&t->o, "parent_process_id", parent, parent == 0);
	finish(t);
	t->proc.id = id;
	t->proc.parent_id = parent;
	t->proc.pid = pid;
	t->proc.ppid = pid - 1;
	t->proc.program = base ? base + 1 : path;
	t->proc.path = path;
	t->proc.argv_json = t->argv.b;
	t->proc.cwd = "/home/alice";
	t->proc.uid = 1000;
	t->proc.gid = 1000;
	t->proc.start_us = t->rec.time_us;
	t->proc.exec_ei = ei;
	t->rec.proc = &t->proc;
	t->rec.process_id = id;
	t->rec.path = path;
	t->rec.has_return_code = true;
}

void tu_exit(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid,
             int32_t code, int32_t sig)
{
	begin(t, s, SR_REC_PROCESS_EXIT, ei, pid, "bash");
	t->proc.id = id;
	t->proc.pid = pid;
	t->proc.end_us = t->rec.time_us;
	t->proc.has_exit = true;
	t->proc.exit_code = code;
	t->proc.signal = sig;
	t->proc.duration_ms = 7;
	sr_json_put_int(&t->o, "exit_code", code, sig != 0);
	sr_json_put_int(&t->o, "signal", sig, false);
	sr_json_put_int(&t->o, "duration_ms", 7, false);
	sr_json_put_int(&t->o, "process_id", id, false);
	finish(t);
	t->rec.proc = &t->proc;
	t->rec.process_id = id;
}

void tu_disk(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid,
             const char *path)
{
	begin(t, s, SR_REC_DISK, ei, pid, "cat");
	sr_json_put_bytes(&t->o, "path", path, strlen(path));
	sr_json_put_int(&t->o, "flags", 0101, false);
	sr_json_put_str(&t->o, "flags_text", "O_WRONLY|O_CREAT");
	sr_json_put_int(&t->o, "mode", 0644, false);
	sr_json_put_int(&t->o, "return_code", 3, false);
	sr_jw_bool(&t->o, "path_resolved", true);
	sr_json_put_int(&t->o, "process_id", id, id == 0);
	finish(t);
	t->rec.process_id = id;
	free(t->path);
	t->path = sr_utf8_sanitize(path, strlen(path));
	t->rec.path = t->path;
	t->rec.has_return_code = true;
	t->rec.return_code = 3;
}

void tu_network(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid,
                int port)
{
	begin(t, s, SR_REC_NETWORK, ei, pid, "curl");
	sr_json_put_str(&t->o, "src_addr", "127.0.0.1");
	sr_json_put_int(&t->o, "src_port", 40000, false);
	sr_json_put_str(&t->o, "dst_addr", "127.0.0.1");
	sr_json_put_int(&t->o, "dst_port", port, false);
	sr_json_put_int(&t->o, "version", 4, false);
	sr_json_put_str(&t->o, "operation", "connect");
	sr_json_put_str(&t->o, "result", "established");
	sr_json_put_int(&t->o, "process_id", id, id == 0);
	finish(t);
	t->rec.process_id = id;
	t->rec.dst_addr = "127.0.0.1";
	t->rec.dst_port = port;
}

void tu_loss(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, uint64_t lost)
{
	s->lost += lost;
	begin(t, s, SR_REC_DATA_LOSS, ei, s->leader_pid, "sshd");
	sr_json_put_int(&t->o, "lost", (int64_t)lost, false);
	sr_jw_obj(&t->o, "lost_by_type");
	sr_jw_int(&t->o, "command", 0);
	sr_jw_int(&t->o, "disk", (int64_t)lost);
	sr_jw_int(&t->o, "network", 0);
	sr_jw_end(&t->o);
	finish(t);
}

void tu_escape(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid)
{
	begin(t, s, SR_REC_ESCAPE, ei, pid, "bash");
	sr_json_put_int(&t->o, "from_cgroup_id", (int64_t)s->cgroup_id, false);
	sr_json_put_int(&t->o, "to_cgroup_id", 1, false);
	sr_json_put_str(&t->o, "to_cgroup_path", "/");
	sr_json_put_int(&t->o, "process_id", id, id == 0);
	finish(t);
	t->rec.process_id = id;
}

void tu_end(struct tu_rec *t, struct sr_session_info *s, uint64_t ei)
{
	char t1[SR_TIME_STRLEN], t2[SR_TIME_STRLEN];

	s->end_us = s->start_us + (int64_t)ei * 1000;
	s->state = "ended";
	begin(t, s, SR_REC_SESSION_END, ei, s->leader_pid, "sshd");
	sr_json_put_str(&t->o, "session_start", sr_time_format(s->start_us, t1));
	sr_json_put_str(&t->o, "session_stop", sr_time_format(s->end_us, t2));
	sr_jw_obj(&t->o, "counts");
	sr_jw_int(&t->o, "command", (int64_t)s->counts[SR_REC_COMMAND]);
	sr_jw_int(&t->o, "disk", (int64_t)s->counts[SR_REC_DISK]);
	sr_jw_int(&t->o, "network", (int64_t)s->counts[SR_REC_NETWORK]);
	sr_jw_int(&t->o, "process_exit", (int64_t)s->counts[SR_REC_PROCESS_EXIT]);
	sr_jw_int(&t->o, "escape", (int64_t)s->counts[SR_REC_ESCAPE]);
	sr_jw_end(&t->o);
	sr_json_put_int(&t->o, "lost", (int64_t)s->lost, false);
	finish(t);
}

void tu_free(struct tu_rec *t)
{
	sr_jw_free(&t->o);
	sr_jw_free(&t->argv);
	free(t->path);
	t->path = NULL;
}

void tu_config(struct sr_config *cfg, const char *dir)
{
	static char db[512], jl[512];

	memset(cfg, 0, sizeof(*cfg));
	snprintf(db, sizeof(db), "%s/db/sshrec.db", dir);
	snprintf(jl, sizeof(jl), "%s/log/events.jsonl", dir);
	cfg->db_path = db;
	cfg->jsonl_path = jl;
	cfg->jsonl_max_bytes = 100ull << 20;
	cfg->jsonl_keep = 3;
	cfg->backlog_max = 1000;
}

char *tu_tmpdir(const char *tag)
{
	char *d = malloc(256);

	snprintf(d, 256, "/tmp/sshrec-unit-%s.XXXXXX", tag);
	if (!mkdtemp(d))
		abort();
	return d;
}

static void rm_tree(const char *dir)
{
	char p[1024];
	struct dirent *de;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((de = readdir(dp))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(dp);
	rmdir(dir);
}

void tu_rmdir(char *dir)
{
	rm_tree(dir);
	free(dir);
}
