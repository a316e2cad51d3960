/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrecd.conf(5) parser and command-line options: defaults < file < flags. */
#include "recorder/config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bpf/events.h"
#include "strsafe.h"
#include "paths.h"
#include "recorder/store/records_perm.h"

int sr_config_defaults(struct sr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->conf_path = strdup(SR_DEFAULT_CONF);
	cfg->socket_path = strdup(SR_DEFAULT_SOCKET);
	cfg->db_path = strdup(SR_DEFAULT_DB);
	cfg->jsonl_path = strdup(SR_DEFAULT_JSONL);
	cfg->pin_dir = strdup(SR_DEFAULT_PIN_DIR);
	cfg->jsonl_max_bytes = 100ull << 20;
	cfg->jsonl_keep = 10;
	cfg->backlog_max = 100000;
	cfg->syslog_resend_s = 10;
	cfg->syslog_resend_bytes = 8ull << 20;
	cfg->syscall_linger_s = 60;
	cfg->syscall_linger_stopped_s = 600;
	cfg->nice = SR_DEFAULT_NICE;
	cfg->pin = true;
	cfg->ringbuf_bytes = 16ull << 20;
	cfg->disk = SR_DISK_ALL;
	cfg->network = true;
	cfg->log_level = LOG_INFO;
	sr_policy_init(&cfg->policy);
	cfg->records_gid = SR_NO_GROUP;
	if (!cfg->conf_path || !cfg->socket_path || !cfg->db_path || !cfg->jsonl_path ||
	    !cfg->pin_dir)
		return -ENOMEM;
	return 0;
}

void sr_config_free(struct sr_config *cfg)
{
	char **strs[] = {&cfg->db_path,     &cfg->jsonl_path,      &cfg->syslog_target,
	                 &cfg->server_id,   &cfg->server_hostname, &cfg->conf_path,
	                 &cfg->socket_path, &cfg->pin_dir,         &cfg->records_group};
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	for (i = 0; i < cfg->n_jsonl_extra; i++) {
		free(cfg->jsonl_extra[i].name);
		free(cfg->jsonl_extra[i].label);
		free(cfg->jsonl_extra[i].path);
	}
	cfg->n_jsonl_extra = 0;
	for (i = 0; i < cfg->n_overrides; i++)
		free(cfg->overrides[i].name);
	free(cfg->overrides);
	cfg->overrides = NULL;
	cfg->n_overrides = 0;
	sr_policy_free(&cfg->policy);
}

static const char *const jsonl_formats[] = {"native", "ecs", "ocsf"};

int sr_jsonl_format_parse(const char *name)
{
	int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(name, jsonl_formats[i]))
			return i;
	return -1;
}

const char *sr_jsonl_format_name(int f)
{
	return f >= 0 && f < 3 ? jsonl_formats[f] : "?";
}

static int set_str(char **dst, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

/* "90", "90s", "5m", "12h", "30d": seconds, at most @p max_s. */
static int parse_duration(const char *v, uint64_t max_s, uint64_t *out)
{
	char *end;
	unsigned long long n, mul;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	mul = !strcmp(end, "") || !strcmp(end, "s") ? 1
	      : !strcmp(end, "m")                   ? 60
	      : !strcmp(end, "h")                   ? 3600
	      : !strcmp(end, "d")                   ? 86400
	                                            : 0;
	if (errno || !mul || n > max_s / mul)
		return -EINVAL;
	*out = n * mul;
	return 0;
}

/* "16M", "100K", "4096": powers of 1024. */
static int parse_size(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;
	int shift = 0;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'K':
	case 'k':
		shift = 10;
		end++;
		break;
	case 'M':
	case 'm':
		shift = 20;
		end++;
		break;
	case 'G':
	case 'g':
		shift = 30;
		end++;
		break;
	default:
		break;
	}
	if (*end || n > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)n << shift;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "true")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "false")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

static int parse_disk(const char *v, int *out)
{
	if (!strcmp(v, "all"))
		*out = SR_DISK_ALL;
	else if (!strcmp(v, "writes-only"))
		*out = SR_DISK_WRITES_ONLY;
	else if (!strcmp(v, "off"))
		*out = SR_DISK_OFF;
	else
		return -EINVAL;
	return 0;
}

static bool is_uuid(const char *v)
{
	size_t i;

	if (strlen(v) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? v[i] != '-' : !isxdigit((unsigned char)v[i]))
			return false;
	}
	return true;
}

static bool valid_syslog_target(const char *v)
{
	const char *hp;

	if (!strncmp(v, "unix:", 5))
		return v[5] == '/';
	if (!strncmp(v, "udp://", 6) || !strncmp(v, "tcp://", 6)) {
		hp = v + 6;
		const char *colon = strrchr(hp, ':');

		return colon && colon > hp && colon[1] &&
		       strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
		       atoi(colon + 1) > 0 && atoi(colon + 1) < 65536;
	}
	return false;
}

/* disk.user.NAME, disk.group.NAME, network.user.NAME, network.group.NAME */
static int set_override(struct sr_config *cfg, const char *key, const char *value, char *err,
                        size_t errlen)
{
	struct sr_class_override o = {0}, *n;
	const char *rest;
	bool b;

	if (!strncmp(key, "disk.", 5)) {
		rest = key + 5;
	} else {
		o.network = true;
		rest = key + 8;
	}
	if (!strncmp(rest, "user.", 5)) {
		rest += 5;
	} else if (!strncmp(rest, "group.", 6)) {
		o.group = true;
		rest += 6;
	} else {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -EINVAL;
	}
	if (!*rest || strlen(rest) > 255) {
		snprintf(err, errlen, "'%s': missing or too long a user/group name", key);
		return -EINVAL;
	}
	if (o.network) {
		if (parse_bool(value, &b)) {
			snprintf(err, errlen, "%s: expected on or off, not '%s'", key, value);
			return -EINVAL;
		}
		o.value = b;
	} else if (parse_disk(value, &o.value)) {
		snprintf(err, errlen, "%s: expected all, writes-only or off, not '%s'", key, value);
		return -EINVAL;
	}
	o.name = strdup(rest);
	n = realloc(cfg->overrides, (cfg->n_overrides + 1) * sizeof(*n));
	if (!o.name || !n) {
		free(o.name);
		if (n)
			cfg->overrides = n;
		return -ENOMEM;
	}
	cfg->overrides = n;
	n[cfg->n_overrides++] = o;
	return 0;
}

#define BAD(...)                                                                                   \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		return -EINVAL;                                                                    \
	} while (0)

/*
 * jsonl.NAME = PATH or jsonl.NAME.format = FORMAT (@p rest is "NAME" or
 * "NAME.format"): a further JSON-lines sink. Its format defaults to NAME when
 * NAME is a format's name (jsonl.ecs = ...), else native.
 */
static int set_jsonl_extra(struct sr_config *cfg, const char *rest, const char *value, char *err,
                           size_t errlen)
{
	const char *dot = strchr(rest, '.');
	size_t n = dot ? (size_t)(dot - rest) : strlen(rest), i;
	struct sr_jsonl_sink *x = NULL;
	char label[80];
	int f;

	if (!n || n > 32 || strspn(rest, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n ||
	    (dot && strcmp(dot, ".format")))
		BAD("jsonl.%s: expected jsonl.NAME = PATH or jsonl.NAME.format = FORMAT (NAME: "
		    "up to 32 of a-z 0-9 _ -)",
		    rest);
	for (i = 0; i < cfg->n_jsonl_extra; i++)
		if (strlen(cfg->jsonl_extra[i].name) == n &&
		    !strncmp(cfg->jsonl_extra[i].name, rest, n))
			x = &cfg->jsonl_extra[i];
	if (!x) {
		if (cfg->n_jsonl_extra == SR_JSONL_EXTRA_MAX)
			BAD("jsonl.%.*s: at most %d JSON-lines sinks besides jsonl", (int)n, rest,
			    SR_JSONL_EXTRA_MAX);
		x = &cfg->jsonl_extra[cfg->n_jsonl_extra];
		memset(x, 0, sizeof(*x));
		snprintf(label, sizeof(label), "jsonl.%.*s", (int)n, rest);
		x->name = strndup(rest, n);
		x->label = strdup(label);
		if (!x->name || !x->label) {
			free(x->name);
			free(x->label);
			return -ENOMEM;
		}
		f = sr_jsonl_format_parse(x->name);
		x->format = f < 0 ? SR_JSONL_NATIVE : f;
		cfg->n_jsonl_extra++;
	}
	if (dot) {
		f = sr_jsonl_format_parse(value);
		if (f < 0)
			BAD("%s.format: expected native, ecs or ocsf, not '%s'", x->label, value);
		x->format = f;
		return 0;
	}
	if (value[0] != '/')
		BAD("%s: expected an absolute path, not '%s'", x->label, value);
	return set_str(&x->path, value);
}

int sr_config_set(struct sr_config *cfg, const char *key, const char *value, char *err,
                  size_t errlen)
{
	uint64_t sz;
	bool b;
	int d;

	if (!strcmp(key, "socket") || !strcmp(key, "pin_dir")) {
		if (value[0] != '/')
			BAD("%s: expected an absolute path, not '%s'", key, value);
		return set_str(key[0] == 's' ? &cfg->socket_path : &cfg->pin_dir, value);
	}
	if (!strcmp(key, "database") || !strcmp(key, "jsonl")) {
		if (value[0] && value[0] != '/')
			BAD("%s: expected an absolute path or nothing, not '%s'", key, value);
		return set_str(key[0] == 'd' ? &cfg->db_path : &cfg->jsonl_path, value);
	}
	if (!strcmp(key, "jsonl_format")) {
		d = sr_jsonl_format_parse(value);
		if (d < 0)
			BAD("jsonl_format: expected native, ecs or ocsf, not '%s'", value);
		cfg->jsonl_format = d;
		return 0;
	}
	if (!strncmp(key, "jsonl.", 6))
		return set_jsonl_extra(cfg, key + 6, value, err, errlen);
	if (!strcmp(key, "jsonl_max_size")) {
		if (parse_size(value, &sz) || sz < 4096)
			BAD("jsonl_max_size: expected a size of at least 4K (like 100M), not '%s'",
			    value);
		cfg->jsonl_max_bytes = sz;
		return 0;
	}
	if (!strcmp(key, "jsonl_keep") || !strcmp(key, "backlog_max")) {
		char *end;
		long long n = strtoll(value, &end, 10);

		if (!*value || *end || n < 0 || n > (key[0] == 'j' ? 1000 : 100000000))
			BAD("%s: expected a non-negative number, not '%s'", key, value);
		if (key[0] == 'j')
			cfg->jsonl_keep = (int)n;
		else
			cfg->backlog_max = (uint64_t)n;
		return 0;
	}
	if (!strcmp(key, "syslog_resend_time")) {
		uint64_t dur;

		if (parse_duration(value, 3600, &dur))
			BAD("syslog_resend_time: expected a duration up to 1h (like 10, 10s, 1m), "
			    "not '%s'",
			    value);
		cfg->syslog_resend_s = (uint32_t)dur;
		return 0;
	}
	if (!strcmp(key, "syslog_resend_size")) {
		if (parse_size(value, &sz) || sz > (1ull << 30))
			BAD("syslog_resend_size: expected a size up to 1G (like 8M, 0 for none), "
			    "not '%s'",
			    value);
		cfg->syslog_resend_bytes = sz;
		return 0;
	}
	if (!strcmp(key, "syscall_linger") || !strcmp(key, "syscall_linger_stopped")) {
		uint64_t dur;

		if (parse_duration(value, 86400, &dur))
			BAD("%s: expected a duration up to 24h (like 60, 60s, 5m), not '%s'", key,
			    value);
		if (key[14])
			cfg->syscall_linger_stopped_s = (uint32_t)dur;
		else
			cfg->syscall_linger_s = (uint32_t)dur;
		return 0;
	}
	if (!strcmp(key, "capture_backend")) {
		if (sr_backend_parse(value, &cfg->backend))
			BAD("capture_backend: expected auto, lsm, fentry or tracepoint, not '%s'",
			    value);
		return 0;
	}
	if (!strcmp(key, "retention")) {
		uint64_t dur;

		if (parse_duration(value, 100ull * 366 * 86400, &dur))
			BAD("retention: expected 0 (keep everything) or a duration like 90d, 12h, "
			    "not '%s'",
			    value);
		cfg->retention_s = dur;
		return 0;
	}
	if (!strcmp(key, "nice")) {
		char *end;
		long n = strtol(value, &end, 10);

		if (!*value || *end || n < -20 || n > 19)
			BAD("nice: expected a number from -20 to 19, not '%s'", value);
		cfg->nice = (int)n;
		return 0;
	}
	if (!strcmp(key, "pin")) {
		if (parse_bool(value, &b))
			BAD("pin: expected yes or no, not '%s'", value);
		cfg->pin = b;
		return 0;
	}
	if (!strcmp(key, "ringbuf_size")) {
		if (parse_size(value, &sz) || sz < 4096 || sz > (1ull << 30) || (sz & (sz - 1)))
			BAD("ringbuf_size: expected a power of two between 4K and 1G, not '%s'",
			    value);
		cfg->ringbuf_bytes = sz;
		return 0;
	}
	if (!strcmp(key, "disk")) {
		if (parse_disk(value, &d))
			BAD("disk: expected all, writes-only or off, not '%s'", value);
		cfg->disk = d;
		return 0;
	}
	if (!strcmp(key, "network")) {
		if (parse_bool(value, &b))
			BAD("network: expected on or off, not '%s'", value);
		cfg->network = b;
		return 0;
	}
	if (!strcmp(key, "syslog")) {
		if (!*value || !strcmp(value, "off")) {
			free(cfg->syslog_target);
			cfg->syslog_target = NULL;
			return 0;
		}
		if (!valid_syslog_target(value))
			BAD("syslog: expected unix:/path, udp://host:port or tcp://host:port, not "
			    "'%s'",
			    value);
		return set_str(&cfg->syslog_target, value);
	}
	if (!strcmp(key, "log")) {
		if (strcmp(value, "stderr") && strcmp(value, "syslog"))
			BAD("log: expected stderr or syslog, not '%s'", value);
		cfg->log_syslog = value[1] == 'y';
		return 0;
	}
	if (!strcmp(key, "log_level")) {
		static const struct {
			const char *name;
			int level;
		} lv[] = {{"error", LOG_ERR},
		          {"warning", LOG_WARNING},
		          {"info", LOG_INFO},
		          {"debug", LOG_DEBUG}};
		size_t i;

		for (i = 0; i < sizeof(lv) / sizeof(lv[0]); i++)
			if (!strcmp(value, lv[i].name)) {
				cfg->log_level = lv[i].level;
				return 0;
			}
		BAD("log_level: expected error, warning, info or debug, not '%s'", value);
	}
	if (!strcmp(key, "records_group")) {
		struct group *gr;
		gid_t gid;
		int ret;

		if (!*value) {
			free(cfg->records_group);
			cfg->records_group = NULL;
			cfg->records_gid = SR_NO_GROUP;
			return 0;
		}
		errno = 0;
		gr = getgrnam(value);
		if (!gr)
			BAD("records_group: no group '%s'%s%s", value, errno ? ": " : "",
			    errno ? strerror(errno) : "");
		gid = gr->gr_gid;
		ret = set_str(&cfg->records_group, value);
		if (!ret)
			cfg->records_gid = gid;
		return ret;
	}
	if (!strcmp(key, "server_id")) {
		if (!is_uuid(value))
			BAD("server_id: expected a UUID, not '%s'", value);
		return set_str(&cfg->server_id, value);
	}
	if (!strncmp(key, "disk.", 5) || !strncmp(key, "network.", 8))
		return set_override(cfg, key, value, err, errlen);
	if (sr_policy_is_key(key))
		return sr_policy_set(&cfg->policy, key, value, err, errlen);
	BAD("unknown key '%s'", key);
}

int sr_config_parse_file(struct sr_config *cfg, const char *path, bool must_exist, char *err,
                         size_t errlen)
{
	char line[4096], reason[512];
	unsigned lineno = 0;
	int ret = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		if (ret == -ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		char *k, *v, *eq;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			ret = -EINVAL;
			break;
		}
		k = sr_trim(line);
		if (!*k || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'key = value'", path, lineno);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		v = sr_trim(eq + 1);
		k = sr_trim(k);
		ret = sr_config_set(cfg, k, v, reason, sizeof(reason));
		if (ret) {
			if (ret == -ENOMEM)
				snprintf(reason, sizeof(reason), "out of memory");
			snprintf(err, errlen, "%s:%u: %s", path, lineno, reason);
			break;
		}
	}
	fclose(f);
	return ret;
}

enum {
	OPT_SOCKET = 256,
	OPT_DB,
	OPT_JSONL,
	OPT_PIN_DIR,
	OPT_NO_PIN,
	OPT_UNPIN,
	OPT_DISK,
	OPT_NETWORK,
	OPT_SYSLOG,
	OPT_RINGBUF,
	OPT_SERVER_ID,
	OPT_LOG,
	OPT_BACKEND,
	OPT_CHECK,
	OPT_VERSION,
	OPT_UPGRADE_DB,
};

static const struct option long_opts[] = {
    {"foreground", no_argument, NULL, 'f'},
    {"config", required_argument, NULL, 'c'},
    {"socket", required_argument, NULL, OPT_SOCKET},
    {"db", required_argument, NULL, OPT_DB},
    {"jsonl", required_argument, NULL, OPT_JSONL},
    {"pin-dir", required_argument, NULL, OPT_PIN_DIR},
    {"no-pin", no_argument, NULL, OPT_NO_PIN},
    {"unpin", no_argument, NULL, OPT_UNPIN},
    {"disk", required_argument, NULL, OPT_DISK},
    {"network", required_argument, NULL, OPT_NETWORK},
    {"syslog", required_argument, NULL, OPT_SYSLOG},
    {"ringbuf-size", required_argument, NULL, OPT_RINGBUF},
    {"server-id", required_argument, NULL, OPT_SERVER_ID},
    {"log", required_argument, NULL, OPT_LOG},
    {"capture-backend", required_argument, NULL, OPT_BACKEND},
    {"verbose", no_argument, NULL, 'v'},
    {"check-config", no_argument, NULL, OPT_CHECK},
    {"upgrade-db", no_argument, NULL, OPT_UPGRADE_DB},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

void sr_config_usage(void *out)
{
	fputs("usage: sshrecd [-f|--foreground] [-c|--config FILE] [--socket PATH] [--db PATH]\n"
	      "               [--jsonl PATH] [--pin-dir DIR] [--no-pin] [--unpin]\n"
	      "               [--disk all|writes-only|off] [--network on|off] [--syslog TARGET]\n"
	      "               [--ringbuf-size BYTES] [--server-id UUID] [--log stderr|syslog]\n"
	      "               [--capture-backend auto|lsm|fentry|tracepoint]\n"
	      "               [-v|--verbose] [--check-config] [--upgrade-db] [-h|--help]\n"
	      "               [--version]\n",
	      out);
}

/* The config-file key a long option sets, or NULL. */
static const char *opt_key(int c)
{
	switch (c) {
	case OPT_SOCKET:
		return "socket";
	case OPT_DB:
		return "database";
	case OPT_JSONL:
		return "jsonl";
	case OPT_PIN_DIR:
		return "pin_dir";
	case OPT_DISK:
		return "disk";
	case OPT_NETWORK:
		return "network";
	case OPT_SYSLOG:
		return "syslog";
	case OPT_RINGBUF:
		return "ringbuf_size";
	case OPT_SERVER_ID:
		return "server_id";
	case OPT_LOG:
		return "log";
	case OPT_BACKEND:
		return "capture_backend";
	default:
		return NULL;
	}
}

/* Every jsonl.NAME has a path, and no two JSON-lines sinks share a file. */
static int check_jsonl_sinks(const struct sr_config *cfg, char *err, size_t errlen)
{
	size_t i, k;

	for (i = 0; i < cfg->n_jsonl_extra; i++) {
		const struct sr_jsonl_sink *x = &cfg->jsonl_extra[i];

		if (!x->path)
			BAD("%s.format is set but %s (its file) is not", x->label, x->label);
		if (cfg->jsonl_path && !strcmp(cfg->jsonl_path, x->path))
			BAD("%s: %s is already the jsonl file", x->label, x->path);
		for (k = 0; k < i; k++)
			if (!strcmp(cfg->jsonl_extra[k].path, x->path))
				BAD("%s: %s is already the file of %s", x->label, x->path,
				    cfg->jsonl_extra[k].label);
	}
	return 0;
}

int sr_config_load(struct sr_config *cfg, int argc, char **argv, enum sr_config_action *action,
                   char *err, size_t errlen)
{
	const char *conf = NULL;
	char reason[512];
	int c, ret;

	*action = SR_CONFIG_RUN;
	ret = sr_config_defaults(cfg);
	if (ret)
		return ret;
	/* First pass: only -c, so the file can be read before the flags override it. */
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "fc:vh", long_opts, NULL)) != -1)
		if (c == 'c')
			conf = optarg;
	if (conf) {
		ret = set_str(&cfg->conf_path, conf);
		if (ret)
			return ret;
	}
	ret = sr_config_parse_file(cfg, cfg->conf_path, conf != NULL, err, errlen);
	if (ret)
		return ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "fc:vh", long_opts, NULL)) != -1) {
		const char *key = opt_key(c);

		if (key) {
			ret = sr_config_set(cfg, key, optarg, reason, sizeof(reason));
			if (ret) {
				snprintf(err, errlen, "--%s: %s",
				         long_opts[c - OPT_SOCKET + 2].name, reason);
				return ret;
			}
			continue;
		}
		switch (c) {
		case 'f':
			cfg->foreground = true;
			break;
		case 'c':
			break;
		case 'v':
			cfg->log_level = LOG_DEBUG;
			break;
		case 'h':
			*action = SR_CONFIG_HELP;
			return 0;
		case OPT_VERSION:
			*action = SR_CONFIG_VERSION;
			return 0;
		case OPT_NO_PIN:
			cfg->pin = false;
			break;
		case OPT_UNPIN:
			cfg->unpin = true;
			break;
		case OPT_CHECK:
			cfg->check_config = true;
			break;
		case OPT_UPGRADE_DB:
			cfg->upgrade_db = true;
			break;
		default:
			snprintf(err, errlen, "unknown or incomplete option '%s'",
			         argv[optind - 1] ? argv[optind - 1] : "?");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return check_jsonl_sinks(cfg, err, errlen);
}

void sr_config_classes(const struct sr_config *cfg, const char *login, const char *const *groups,
                       size_t ngroups, uint32_t *classes, uint32_t *flags)
{
	int disk = cfg->disk, net = cfg->network, disk_rank = 0, net_rank = 0;
	size_t i, g;

	/* rank: 0 global, 1 group, 2 user; later lines of equal rank win */
	for (i = 0; i < cfg->n_overrides; i++) {
		const struct sr_class_override *o = &cfg->overrides[i];
		int rank = 0;

		if (!o->group && login && !strcmp(o->name, login)) {
			rank = 2;
		} else if (o->group) {
			for (g = 0; g < ngroups; g++)
				if (groups[g] && !strcmp(o->name, groups[g]))
					rank = 1;
		}
		if (!rank)
			continue;
		if (o->network && rank >= net_rank) {
			net = o->value;
			net_rank = rank;
		} else if (!o->network && rank >= disk_rank) {
			disk = o->value;
			disk_rank = rank;
		}
	}
	*classes = SR_CLASS_BIT(SR_CLASS_COMMAND);
	*flags = 0;
	if (disk != SR_DISK_OFF)
		*classes |= SR_CLASS_BIT(SR_CLASS_DISK);
	if (disk == SR_DISK_WRITES_ONLY)
		*flags |= SR_CFG_DISK_WRITES_ONLY;
	if (net)
		*classes |= SR_CLASS_BIT(SR_CLASS_NETWORK);
}

enum sr_disk_mode sr_config_disk_mode(uint32_t classes, uint32_t flags)
{
	if (!(classes & SR_CLASS_BIT(SR_CLASS_DISK)))
		return SR_DISK_OFF;
	return (flags & SR_CFG_DISK_WRITES_ONLY) ? SR_DISK_WRITES_ONLY : SR_DISK_ALL;
}
