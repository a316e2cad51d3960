/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file config.h
 * @brief sshrecd configuration: sshrecd.conf(5) plus command-line overrides.
 *
 * Owned by the daemon core; the sink fields below are a contract with the
 * sinks (recorder/sink_*.c). Extend, do not rename.
 */
#ifndef SSHREC_CONFIG_H
#define SSHREC_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

/** What to record of disk (open) events. */
enum sr_disk_mode {
	SR_DISK_OFF = 0,
	SR_DISK_WRITES_ONLY = 1, /**< O_WRONLY, O_RDWR, O_CREAT or O_TRUNC */
	SR_DISK_ALL = 2,
};

struct sr_config {
	/* --- sinks ------------------------------------------------------- */
	char *db_path;            /**< SQLite database; NULL or "" disables the sink */
	char *jsonl_path;         /**< JSON lines file; NULL or "" disables the sink */
	uint64_t jsonl_max_bytes; /**< rotate when the file would exceed this */
	int jsonl_keep;           /**< rotated .gz files kept */
	uint64_t backlog_max;     /**< records a failing sink may hold in memory */
	char *syslog_target;      /**< NULL: off; "unix:/dev/log", "udp://h:p", "tcp://h:p" */
	char *server_id;          /**< host UUID (default from /etc/machine-id) */
	char *server_hostname;    /**< default gethostname() */

	/* --- daemon core (extended by recorder/config.c) ------------------ */
	char *conf_path;
	char *socket_path;
	char *pin_dir;
	bool pin;                 /**< pin programs/maps/ring buffer (default true) */
	uint64_t ringbuf_bytes;
	enum sr_disk_mode disk;   /**< global default */
	bool network;             /**< global default */
	bool foreground;
	int log_level;            /**< LOG_ERR..LOG_DEBUG */
	bool log_syslog;
};

#endif
