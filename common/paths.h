/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file paths.h
 * @brief Default paths (DESIGN.md). Every one is overridable by config or flag.
 */
#ifndef SSHREC_PATHS_H
#define SSHREC_PATHS_H

#define SR_DEFAULT_CONF    "/etc/sshrec/sshrecd.conf"
#define SR_DEFAULT_SOCKET  "/run/sshrec/sshrecd.sock"
#define SR_DEFAULT_DB      "/var/lib/sshrec/sshrec.db"
#define SR_DEFAULT_JSONL   "/var/log/sshrec/events.jsonl"
#define SR_DEFAULT_PIN_DIR "/sys/fs/bpf/sshrec"
/** Session cgroups live under <cgroup2 mount>/SR_CGROUP_PARENT/<id>. */
#define SR_CGROUP_PARENT "sshrec"

#endif
