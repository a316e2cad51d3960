-- SPDX-License-Identifier: BSD-2-Clause
-- sshrec storage schema, version 6 (PRAGMA user_version).
--
-- Written by sshrecd, read by sshrec (read-only). Forward migrations live in
-- schema/migrations/NNN-*.sql; each takes user_version N-1 to N. The daemon
-- migrates an older database on start and refuses a newer one.
--
-- Times are integer microseconds since the Unix epoch, UTC.
-- User-controlled strings (argv, paths, comm) are stored sanitized per
-- common/strsafe.h (valid UTF-8, invalid bytes as \xNN); argv is a JSON array.
-- events.json holds the exact record as written to the JSON-lines sink.
-- session.denied rows (since 6) fill path (exec, write) or dst_addr and
-- dst_port (connect) like the records they deny.

-- 16 KiB pages: an events row (mostly its JSON) is ~600 bytes, and 4 KiB
-- pages held only six, so inserts split pages constantly; 16 KiB pages
-- made the daemon's inserts ~1.5x faster (tests/bench/results/daemon.md).
-- Takes effect on a new database only (sshrecd sets it before it creates
-- the schema); older ones keep their page size.
PRAGMA page_size = 16384;
PRAGMA user_version = 6;

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per SSH login.
CREATE TABLE IF NOT EXISTS sessions (
    id               INTEGER PRIMARY KEY, -- session key (first 63 bits of sid), used in BPF maps
    sid              TEXT NOT NULL UNIQUE, -- UUIDv7
    server_id        TEXT NOT NULL,
    server_hostname  TEXT NOT NULL,
    login            TEXT NOT NULL,        -- PAM user
    user             TEXT NOT NULL,        -- identity: key fingerprint or login
    service          TEXT,
    tty              TEXT,
    rhost            TEXT,
    remote_addr      TEXT,
    remote_port      INTEGER,
    local_addr       TEXT,
    local_port       INTEGER,
    auth_method      TEXT,
    key_type         TEXT,
    key_fingerprint  TEXT,                 -- "SHA256:…"
    leader_pid       INTEGER,              -- the sshd process that opened the session
    cgroup_id        INTEGER,
    cgroup_path      TEXT,                 -- relative to the cgroup2 mount
    audit_session_id INTEGER,
    start_us         INTEGER NOT NULL,
    closing_us       INTEGER,              -- PAM close_session seen
    end_us           INTEGER,              -- cgroup empty, session.end written
    state            TEXT NOT NULL CHECK (state IN ('active', 'closing', 'ended')),
    next_ei          INTEGER NOT NULL DEFAULT 0, -- next per-session sequence number
    n_command        INTEGER NOT NULL DEFAULT 0,
    n_disk           INTEGER NOT NULL DEFAULT 0,
    n_network        INTEGER NOT NULL DEFAULT 0,
    n_exit           INTEGER NOT NULL DEFAULT 0,
    n_escape         INTEGER NOT NULL DEFAULT 0,
    lost             INTEGER NOT NULL DEFAULT 0  -- total lost events (all classes)
);
-- session.denied records (since 6). Added the way migration 006 adds it, so
-- that a migrated database and a new one have the same schema text.
ALTER TABLE sessions ADD COLUMN n_denied INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS sessions_login_start ON sessions (login, start_us);
CREATE INDEX IF NOT EXISTS sessions_start ON sessions (start_us);
CREATE INDEX IF NOT EXISTS sessions_state ON sessions (state) WHERE state != 'ended';
CREATE INDEX IF NOT EXISTS sessions_user_start ON sessions (user, start_us); -- since 2

-- One row per exec'd program (successful or failed exec). A process that
-- execs twice has two rows, the second's parent being the first.
CREATE TABLE IF NOT EXISTS processes (
    id             INTEGER PRIMARY KEY,   -- stable entity id
    session_id     INTEGER NOT NULL REFERENCES sessions (id),
    parent_id      INTEGER REFERENCES processes (id), -- NULL: session root
    pid            INTEGER NOT NULL,
    ppid           INTEGER NOT NULL,
    program        TEXT NOT NULL,          -- basename of path, of exe when exec'd through a fd (sanitized)
    path           TEXT NOT NULL,          -- filename as given to exec (sanitized)
    argv           TEXT NOT NULL,          -- JSON array of sanitized strings
    argv_truncated INTEGER NOT NULL DEFAULT 0,
    cwd            TEXT,
    uid            INTEGER,
    gid            INTEGER,
    return_code    INTEGER NOT NULL,       -- exec result: 0 or -errno
    start_us       INTEGER NOT NULL,
    end_us         INTEGER,                -- exit time; NULL while running or exec'd over
    exit_code      INTEGER,
    signal         INTEGER,
    duration_ms    INTEGER,
    exec_ei        INTEGER NOT NULL,       -- ei of its session.command record
    exe            TEXT,                   -- the file that ran (since 5): path, or memfd:<name>
    exe_kind       TEXT                    -- 'file', 'deleted', 'fileless'; NULL: failed exec (since 5)
);
CREATE INDEX IF NOT EXISTS processes_session ON processes (session_id, start_us);
CREATE INDEX IF NOT EXISTS processes_program ON processes (program, start_us);
CREATE INDEX IF NOT EXISTS processes_path ON processes (path);

-- Every record of every session, in per-session order (ei).
-- A rowid table (since 4): rows (~600 bytes, mostly the JSON) are appended
-- in arrival order and only the small (session_id, ei) key is kept in
-- session order. Clustered by (session_id, ei) instead, concurrent sessions
-- inserted into as many places of the big table, and ingest with 50 live
-- sessions ran at less than half the speed (tests/bench/results/daemon.md).
CREATE TABLE IF NOT EXISTS events (
    session_id  INTEGER NOT NULL REFERENCES sessions (id),
    ei          INTEGER NOT NULL,
    time_us     INTEGER NOT NULL,
    event       TEXT NOT NULL,   -- session.start, session.command, …
    code        TEXT NOT NULL,   -- T2000I, …
    uid         TEXT NOT NULL,   -- record UUID
    pid         INTEGER,
    process_id  INTEGER,         -- processes.id of the image that made it
    program     TEXT,            -- comm (sanitized)
    path        TEXT,            -- command/disk: path (sanitized)
    dst_addr    TEXT,            -- network
    dst_port    INTEGER,         -- network
    return_code INTEGER,
    json        TEXT NOT NULL,   -- the full record, exactly as in the JSON-lines sink
    PRIMARY KEY (session_id, ei)
);
CREATE INDEX IF NOT EXISTS events_time ON events (time_us);
CREATE INDEX IF NOT EXISTS events_path ON events (path) WHERE path IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_dst ON events (dst_addr, dst_port) WHERE dst_addr IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_denied ON events (session_id, ei) WHERE event = 'session.denied'; -- since 6
