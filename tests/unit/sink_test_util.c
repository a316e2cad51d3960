/* SPDX-License-Identifier: BSD-2-Clause */
/* Synthetic records for the sink unit tests. */
#include "tests/unit/sink_test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strsafe.h"
#include "timeutil.h"
#include "uuid.h"
#include "bpf/policy.h"
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
	char uid[SR_UUID_STRLEN];

	/* a reused tu_rec keeps its buffers */
	memset(t, 0, sizeof(*t));
	t->o = o;
	t->argv = argv;
	t->path = path;
	t->rec.kind = kind;
	t->rec.sess = s;
	t->rec.ei = ei;
	t->rec.time_us = s->start_us + (int64_t)ei * 1000;
	if (sr_uuid_v4(uid) || sr_uuid_parse(uid, t->rec.uid))
		abort();
	t->rec.cgroup_id = s->cgroup_id;
	t->rec.audit_session_id = s->audit_session_id;
	t->rec.pid = pid;
	t->rec.ppid = pid > 1 ? pid - 1 : 0;
	t->rec.program = comm;
}

/* The JSON, as the correlator makes it for the text sinks. */
static void finish(struct tu_rec *t, struct sr_session_info *s)
{
	if (sr_record_json(&t->o, &t->rec))
		abort();
	t->rec.json = t->o.b;
	t->rec.json_len = t->o.len;
	s->counts[t->rec.kind]++;
}

void tu_start(struct tu_rec *t, struct sr_session_info *s)
{
	begin(t, s, SR_REC_SESSION_START, 0, s->leader_pid, "sshd");
	t->rec.tty = s->tty;
	finish(t, s);
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
	free(t->path);
	t->path = sr_utf8_sanitize(path, strlen(path));
	t->proc.id = id;
	t->proc.parent_id = parent;
	t->proc.pid = pid;
	t->proc.ppid = pid - 1;
	t->proc.program = base ? base + 1 : path;
	t->proc.path = t->path;
	t->proc.argv_json = t->argv.b;
	t->proc.cwd = "/home/alice";
	t->proc.uid = 1000;
	t->proc.gid = 1000;
	t->proc.euid = 1000;
	t->proc.egid = 1000;
	t->proc.start_us = t->rec.time_us;
	t->proc.exec_ei = ei;
	t->rec.proc = &t->proc;
	t->rec.process_id = id;
	t->rec.path = t->path;
	t->rec.cwd = "/home/alice";
	t->rec.has_return_code = true;
	finish(t, s);
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
	t->rec.proc = &t->proc;
	t->rec.process_id = id;
	t->rec.exit_code = code;
	t->rec.signal = sig;
	t->rec.duration_ms = 7;
	finish(t, s);
}

void tu_disk(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid,
             const char *path)
{
	begin(t, s, SR_REC_DISK, ei, pid, "cat");
	free(t->path);
	t->path = sr_utf8_sanitize(path, strlen(path));
	t->rec.process_id = id;
	t->rec.path = t->path;
	t->rec.flags = 0101;
	t->rec.mode = 0644;
	t->rec.path_resolved = true;
	t->rec.has_return_code = true;
	t->rec.return_code = 3;
	finish(t, s);
}

void tu_network(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid,
                int port)
{
	begin(t, s, SR_REC_NETWORK, ei, pid, "curl");
	t->rec.process_id = id;
	t->rec.src_addr = "127.0.0.1";
	t->rec.src_port = 40000;
	t->rec.dst_addr = "127.0.0.1";
	t->rec.dst_port = port;
	t->rec.result = 1;
	finish(t, s);
}

void tu_loss(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, uint64_t lost)
{
	s->lost += lost;
	begin(t, s, SR_REC_DATA_LOSS, ei, s->leader_pid, "sshd");
	t->rec.lost_disk = lost;
	finish(t, s);
}

void tu_escape(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid)
{
	begin(t, s, SR_REC_ESCAPE, ei, pid, "bash");
	t->rec.process_id = id;
	t->rec.to_cgroup_id = 1;
	t->rec.to_cgroup_path = "/";
	finish(t, s);
}

void tu_denied(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid,
               bool connect)
{
	begin(t, s, SR_REC_DENIED, ei, pid, "bash");
	t->rec.process_id = id;
	t->rec.denied_action = connect ? SR_POLICY_CONNECT : SR_POLICY_WRITE;
	t->rec.denied_mode = connect ? SR_POLICY_AUDIT : SR_POLICY_ENFORCE;
	t->rec.denied_mechanism = SR_POLICY_MECH_SIGNAL;
	if (connect) {
		t->rec.dst_addr = "fd00::1";
		t->rec.dst_port = 22;
		t->rec.rule = "deny_connect = [fd00::]/8";
	} else {
		t->rec.path = "/etc/ssh/\x1b]0;x";
		t->rec.flags = 01 | 01000;
		t->rec.rule = "deny_write.group.staff = /etc/ssh/*";
	}
	finish(t, s);
}

void tu_end(struct tu_rec *t, struct sr_session_info *s, uint64_t ei)
{
	s->end_us = s->start_us + (int64_t)ei * 1000;
	s->state = "ended";
	begin(t, s, SR_REC_SESSION_END, ei, s->leader_pid, "sshd");
	finish(t, s);
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

int tu_stderr_to(const char *path)
{
	int saved, fd;

	fflush(stderr);
	saved = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (saved < 0 || fd < 0 || dup2(fd, 2) < 0)
		abort(); /* nowhere to report it */
	close(fd);
	return saved;
}

void tu_stderr_back(int saved)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}
