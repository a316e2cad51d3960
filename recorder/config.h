/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file config.h
 * @brief sshrecd configuration: sshrecd.conf(5) plus command-line overrides.
 *
 * Owned by the daemon core; the sink fields below are a contract with the
 * sinks (recorder/sinks/sink_*.c). Extend, do not rename.
 */
#ifndef SSHREC_CONFIG_H
#define SSHREC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "recorder/policy/policy.h"
#include "recorder/capture/capture.h"

/** What to record of disk (open) events. */
enum sr_disk_mode {
	SR_DISK_OFF = 0,
	SR_DISK_WRITES_ONLY = 1, /**< O_WRONLY, O_RDWR, O_CREAT or O_TRUNC */
	SR_DISK_ALL = 2,
};

/** Default `nice`: a recorder starved by the sessions it records loses events. */
#define SR_DEFAULT_NICE (-15)

/** Formats of the JSON-lines sinks (jsonl_format, jsonl.NAME.format). */
enum sr_jsonl_format {
	SR_JSONL_NATIVE = 0, /**< the records as they are (schema/RECORDS.md) */
	SR_JSONL_ECS,        /**< Elastic Common Schema (export.h: SR_ECS_VERSION) */
	SR_JSONL_OCSF,       /**< OCSF (SR_OCSF_VERSION); session.data_loss has no class */
};

/** The format named @p name ("native", "ecs", "ocsf"), or -1. */
int sr_jsonl_format_parse(const char *name);

/** The name of format @p f ("native", "ecs", "ocsf"). */
const char *sr_jsonl_format_name(int f);

/** Most JSON-lines sinks besides the first (jsonl.NAME = PATH). */
#define SR_JSONL_EXTRA_MAX 4

/** A further JSON-lines sink: jsonl.NAME = PATH, jsonl.NAME.format = FORMAT. */
struct sr_jsonl_sink {
	char *name;  /**< NAME; status shows it as "jsonl.NAME" */
	char *label; /**< "jsonl.NAME" */
	char *path;  /**< NULL until jsonl.NAME is set */
	int format;  /**< enum sr_jsonl_format (recorder/sinks/sink_format.h) */
};

struct sr_config {
	/* --- sinks ------------------------------------------------------- */
	char *db_path;    /**< SQLite database; NULL or "" disables the sink */
	char *jsonl_path; /**< JSON lines file; NULL or "" disables the sink */
	int jsonl_format; /**< enum sr_jsonl_format of jsonl_path (default native) */
	struct sr_jsonl_sink jsonl_extra[SR_JSONL_EXTRA_MAX];
	size_t n_jsonl_extra;
	uint64_t jsonl_max_bytes; /**< rotate when the file would exceed this */
	int jsonl_keep;           /**< rotated .gz files kept */
	uint64_t backlog_max;     /**< records a failing sink may hold in memory */
	/** SQLite: ended sessions older than this many seconds are removed
	 * (0, the default: keep everything). */
	uint64_t retention_s;
	char *syslog_target; /**< NULL: off; "unix:/dev/log", "udp://h:p", "tcp://h:p" */
	/** TCP syslog: after a failed connection, records the collector acknowledged
	 * up to this many seconds before the failure are sent again (0: none) */
	uint32_t syslog_resend_s;
	/** ... and at most this many bytes of them (0: none) */
	uint64_t syslog_resend_bytes;
	char *server_id;       /**< host UUID (default from /etc/machine-id) */
	char *server_hostname; /**< default gethostname() */
	/** records_group: the group that may read the database and JSON lines
	 * (NULL: root only) and its gid (SR_NO_GROUP when none). */
	char *records_group;
	gid_t records_gid;

	/* --- daemon core (extended by recorder/config.c) ------------------ */
	char *conf_path;
	char *socket_path;
	char *pin_dir;
	bool pin; /**< pin programs/maps/ring buffer (default true) */
	uint64_t ringbuf_bytes;
	/** Seconds the syscall tracepoints stay attached after the last session
	 * needing them ended (default 60; 0 detaches at once). */
	uint32_t syscall_linger_s;
	/** After sshrecd stopped, at most this many seconds the on-demand syscall
	 * tracepoints stay attached for sessions still alive (default 600; 0: detached at
	 * stop, which loses their opens and failed execs until sshrecd is back). */
	uint32_t syscall_linger_stopped_s;
	/** Capture backend (capture_backend = auto | lsm | fentry | tracepoint): auto picks
	 * the best the kernel has; another value forces it and the daemon fails without it. */
	enum sr_backend backend;
	/** CPU priority of sshrecd (and of its autogroup), -20..19, default
	 * SR_DEFAULT_NICE: it must keep up with the sessions it records. */
	int nice;
	enum sr_disk_mode disk; /**< global default */
	bool network;           /**< global default */
	bool foreground;
	int log_level; /**< LOG_ERR..LOG_DEBUG */
	bool log_syslog;
	bool unpin;        /**< --unpin: remove the pins and exit */
	bool check_config; /**< --check-config: parse, report, exit */
	bool upgrade_db;   /**< --upgrade-db: bring the database to this schema, exit */
	struct sr_class_override *overrides; /**< disk.user.NAME = ..., in file order */
	size_t n_overrides;
	struct sr_policy policy; /**< enforce = and the deny_* rules (recorder/policy/policy.h) */
};

/** A per-user or per-group class override (disk.user.NAME, network.group.NAME ...). */
struct sr_class_override {
	char *name;
	bool group;   /**< NAME is a group (else a login) */
	bool network; /**< a network override (else disk) */
	int value;    /**< enum sr_disk_mode for disk, 0/1 for network */
};

/** What main() should do after sr_config_load(). */
enum sr_config_action {
	SR_CONFIG_RUN = 0,
	SR_CONFIG_HELP,
	SR_CONFIG_VERSION,
};

/** Fill @p cfg with the built-in defaults (paths.h). Returns 0 or -ENOMEM. */
int sr_config_defaults(struct sr_config *cfg);

/**
 * Parse the config file @p path into @p cfg (on top of what is there).
 * Strict: an unknown key or a bad value fails with "FILE:LINE: reason" in @p err.
 * @param must_exist false: a missing file is not an error (the default path).
 * @return 0, -ENOENT (missing and @p must_exist), -EINVAL (bad content) or -errno.
 */
int sr_config_parse_file(struct sr_config *cfg, const char *path, bool must_exist, char *err,
                         size_t errlen);

/**
 * Set one key as the config file would ("disk", "writes-only"). @p err gets
 * the reason without a location. Returns 0 or -EINVAL.
 */
int sr_config_set(struct sr_config *cfg, const char *key, const char *value, char *err,
                  size_t errlen);

/**
 * Defaults, then the config file (-c or the default path), then the command
 * line on top. On error @p err says what (with FILE:LINE for the file).
 * @return 0 with @p action set, or -EINVAL/-ENOENT/-ENOMEM.
 */
int sr_config_load(struct sr_config *cfg, int argc, char **argv, enum sr_config_action *action,
                   char *err, size_t errlen);

/**
 * The classes (SR_CLASS_BIT mask) and SR_CFG_* flags for a login: a user
 * override wins over a group override, which wins over the global value.
 * Commands are always on.
 */
void sr_config_classes(const struct sr_config *cfg, const char *login, const char *const *groups,
                       size_t ngroups, uint32_t *classes, uint32_t *flags);

/** The disk mode a classes/flags pair from sr_config_classes() stands for. */
enum sr_disk_mode sr_config_disk_mode(uint32_t classes, uint32_t flags);

/** Print the command-line usage to @p out (a FILE *). */
void sr_config_usage(void *out);

/** Free every string, override and rule in @p cfg. */
void sr_config_free(struct sr_config *cfg);

#endif
