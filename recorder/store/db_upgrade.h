/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file db_upgrade.h
 * @brief The upgrade of a schema 6 database to schema 7
 * (schema/migrations/007-dictionaries.sql), which copies into a new file.
 */
#ifndef SSHREC_DB_UPGRADE_H
#define SSHREC_DB_UPGRADE_H

/**
 * Upgrade the schema 6 database at @p path (closed by the caller) to
 * schema 7: build it in "@p path.v7-tmp" (a stale one is removed first),
 * copying every record and checking that each one's JSON comes back from
 * the new rows byte for byte (else its text is kept), sync it, and rename
 * it over @p path. Until the rename @p path is left as it is (only its
 * journal mode changes, from WAL to DELETE), so a crash leaves it usable
 * and a later call starts again.
 * @return 0, or -errno (-EBUSY: another program uses the database).
 */
int sr_db_upgrade_v7(const char *path);

#endif
