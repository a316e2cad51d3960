-- SPDX-License-Identifier: BSD-2-Clause
-- Schema version 6 -> 7: each fact stored once (schema/STORAGE.md).
-- Repeated strings move to dictionaries (paths, programs, argvs, addrs),
-- kinds and codes become small integers, the record uid a 16-byte blob,
-- and events no longer hold the record's JSON: sshrec writes it again from
-- the row with the daemon's own writer.
--
-- Unlike 002-006 this one does not change the database in place: sshrecd
-- builds the version 7 database in a new file beside it (NAME.v7-tmp, with
-- schema/sshrec.sql), with the old one attached as "old", and renames it
-- over the old file once it is complete and on disk
-- (recorder/store/db_upgrade.c). Until that rename the old database is untouched
-- and usable: a crash or kill -9 in the middle leaves it as it was and a
-- stale NAME.v7-tmp, which the next start removes before it starts again.
-- The disk needs room for both files meanwhile.
--
-- This file copies what keeps its shape; the processes and events are
-- copied by recorder/store/db_upgrade.c, which checks every record: it rebuilds
-- the record's JSON from the new rows and compares it with the stored text,
-- and keeps the text (events.json) for a record the writer cannot reproduce
-- (one written by an sshrec in a layout it does not write), so nothing
-- changes for sshrec's readers.
-- Time and peak disk: tests/bench/results/migrate.md (make bench-migrate).

INSERT INTO meta (key, value) SELECT key, value FROM old.meta;
-- From its session.start record: the capture backend (only there before),
-- and where the session started when it moved since (its row has the scope).
INSERT INTO sessions SELECT s.*, j.backend,
    CASE WHEN j.cg IS NOT s.cgroup_id OR j.cp IS NOT s.cgroup_path THEN j.cg END,
    CASE WHEN j.cg IS NOT s.cgroup_id OR j.cp IS NOT s.cgroup_path THEN j.cp END
FROM old.sessions s LEFT JOIN (SELECT e.session_id AS id,
        json_extract(e.json, '$.capture_backend') AS backend,
        json_extract(e.json, '$.cgroup_id') AS cg,
        json_extract(e.json, '$.cgroup_path') AS cp
    FROM old.events e WHERE e.event = 'session.start' AND e.ei = 0
        AND json_valid(e.json)) j ON j.id = s.id;
