/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file execname.h
 * @brief How an exec is named for people: fileless programs, execs through a
 * file descriptor, deleted binaries.
 *
 * A session.command record has `path` (the filename given to exec) and, for
 * a successful exec, `exe` (the file the kernel ran, as it resolved it) and
 * `exe_kind` ("file", "deleted", "fileless", "interpreter"; schema/RECORDS.md). The daemon
 * names the program after the file that ran when the exec went through a
 * descriptor; the CLI shows one label wherever a command is printed.
 */
#ifndef SSHREC_EXECNAME_H
#define SSHREC_EXECNAME_H

#include <stdbool.h>

/** exe_kind of a program that has no file on any filesystem (memfd_create). */
#define SR_EXE_FILELESS "fileless"
/** exe_kind of a program whose file was unlinked before or while it ran. */
#define SR_EXE_DELETED "deleted"
/** exe_kind of a #! script: exe is its interpreter (the script's own file is not known). */
#define SR_EXE_INTERPRETER "interpreter"
/** exe_kind of an ordinary program file. */
#define SR_EXE_FILE "file"

/**
 * True when @p path reaches its file through a file descriptor:
 * "/dev/fd/N", "/proc/self/fd/N", "/proc/thread-self/fd/N", "/proc/PID/fd/N",
 * each optionally followed by "/..." (execveat on a directory descriptor).
 */
bool sr_exec_via_fd(const char *path);

/**
 * The label of an unusual exec, or NULL (also on allocation failure: check
 * errno) when the exec was ordinary and its path says what ran:
 *  - fileless: "memfd:<name> (fileless)" (@p exe followed by " (fileless)");
 *  - through a descriptor: "/proc/self/fd/3 -> /usr/bin/id", with the file
 *    when known (@p exe), and " (deleted)" when it was; a script through a
 *    descriptor: "/dev/fd/3 (a script run by /usr/bin/dash)";
 *  - deleted: "/tmp/x (deleted)".
 * @p exe and @p kind may be NULL (failed execs, older records). malloc'd.
 */
char *sr_exe_label(const char *path, const char *exe, const char *kind);

/**
 * The name a SIEM should see as the executable: @p exe with " (fileless)" or
 * " (deleted)" appended as in sr_exe_label(), or @p path when @p exe is
 * unknown. malloc'd; NULL on allocation failure.
 */
char *sr_exe_executable(const char *path, const char *exe, const char *kind);

/**
 * What sr_exe_executable() appends to a known @p exe of kind @p kind:
 * " (fileless)", " (deleted)" or "" (so "" means the name is @p exe itself).
 */
const char *sr_exe_suffix(const char *kind);

#endif
