-- SPDX-License-Identifier: BSD-2-Clause
-- sshrec storage schema, version 7 (PRAGMA user_version).
--
-- Written by sshrecd, read by sshrec (read-only). Forward migrations live in
-- schema/migrations/NNN-*.sql; each takes user_version N-1 to N. The daemon
-- migrates an older database on start and refuses a newer one.
-- schema/STORAGE.md explains the layout and why it is so.
--
-- Times are integer microseconds since the Unix epoch, UTC.
-- User-controlled strings (argv, paths, comm) are stored sanitized per
-- common/strsafe.h (valid UTF-8, invalid bytes as \xNN); argv is a JSON array.
-- Each fact is stored once: repeated strings are dictionary rows (paths,
-- programs, argvs, addrs) that the other tables refer to by id, and a
-- record's JSON is not stored: sshrec writes it again from the row with the
-- daemon's own writer (recorder/record_json.c), byte for byte what the
-- JSON-lines sink wrote.

-- 16 KiB pages: fewer page splits on insert (tests/bench/results/daemon.md).
-- Takes effect on a new database only (sshrecd sets it before it creates
-- the schema); older ones keep their page size.
PRAGMA page_size = 16384;
PRAGMA user_version = 7;

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Record kinds: events.kind is the id; event and code are the record's
-- "event" and "code" (for SQL readers: JOIN kinds k ON k.id = e.kind).
CREATE TABLE IF NOT EXISTS kinds (
    id    INTEGER PRIMARY KEY,
    event TEXT NOT NULL UNIQUE,
    code  TEXT NOT NULL
);
INSERT OR IGNORE INTO kinds (id, event, code) VALUES
    (0, 'session.start', 'T2000I'), (1, 'session.end', 'T2004I'),
    (2, 'session.command', 'T4000I'), (3, 'session.disk', 'T4001I'),
    (4, 'session.network', 'T4002I'), (5, 'session.process_exit', 'SR4010I'),
    (6, 'session.data_loss', 'SR4090W'), (7, 'session.escape', 'SR4091W'),
    (8, 'session.denied', 'SR4020W');

-- Dictionaries: each distinct string once. paths holds files, executables,
-- working directories and terminals; its index on the text serves GLOB
-- prefix searches, and a suffix GLOB scans only these distinct strings.
-- last_us: about when a record last used the row (updated at most hourly),
-- so that retention can remove the rows no kept record refers to.
CREATE TABLE IF NOT EXISTS paths (
    id      INTEGER PRIMARY KEY,
    path    TEXT NOT NULL UNIQUE,
    last_us INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS paths_last ON paths (last_us);
-- comm and the basename of executables
CREATE TABLE IF NOT EXISTS programs (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    last_us INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS programs_last ON programs (last_us);
-- argv vectors, as the JSON array of the record; found by a 64-bit hash
-- (no second copy of the text in an index)
CREATE TABLE IF NOT EXISTS argvs (
    id      INTEGER PRIMARY KEY,
    hash    INTEGER NOT NULL,
    argv    TEXT NOT NULL,
    last_us INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS argvs_hash ON argvs (hash);
CREATE INDEX IF NOT EXISTS argvs_last ON argvs (last_us);
-- IP addresses as inet_ntop writes them
CREATE TABLE IF NOT EXISTS addrs (
    id      INTEGER PRIMARY KEY,
    addr    TEXT NOT NULL UNIQUE,
    last_us INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS addrs_last ON addrs (last_us);

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
    lost             INTEGER NOT NULL DEFAULT 0, -- total lost events (all classes)
    n_denied         INTEGER NOT NULL DEFAULT 0, -- session.denied records
    capture_backend  TEXT,                 -- "lsm", "fentry", "tracepoint" at its start; NULL unknown
    -- where it started, once it moved into logind's scope (cgroup_id and
    -- cgroup_path are the scope then); NULL: it did not move
    start_cgroup_id   INTEGER,
    start_cgroup_path TEXT
);
CREATE INDEX IF NOT EXISTS sessions_login_start ON sessions (login, start_us);
CREATE INDEX IF NOT EXISTS sessions_start ON sessions (start_us);
CREATE INDEX IF NOT EXISTS sessions_state ON sessions (state) WHERE state != 'ended';
CREATE INDEX IF NOT EXISTS sessions_user_start ON sessions (user, start_us);

-- One row per exec'd program (successful or failed exec). A process that
-- execs twice has two rows, the second's parent being the first. Also the
-- facts of its session.command record (argv, ids, terminal).
CREATE TABLE IF NOT EXISTS processes (
    id             INTEGER PRIMARY KEY,   -- stable entity id
    session_id     INTEGER NOT NULL REFERENCES sessions (id),
    parent_id      INTEGER REFERENCES processes (id), -- NULL: session root
    pid            INTEGER NOT NULL,
    ppid           INTEGER NOT NULL,
    program        INTEGER NOT NULL,       -- programs.id: basename of path, of exe when exec'd through a fd
    path           INTEGER NOT NULL,       -- paths.id: filename as given to exec
    argv           INTEGER NOT NULL,       -- argvs.id
    argv_truncated INTEGER NOT NULL DEFAULT 0,
    cwd            INTEGER,                -- paths.id (the record's cwd is events.n1)
    uid            INTEGER,
    gid            INTEGER,
    euid           INTEGER,
    egid           INTEGER,
    tty            INTEGER,                -- paths.id: controlling terminal, NULL none
    return_code    INTEGER NOT NULL,       -- exec result: 0 or -errno
    start_us       INTEGER NOT NULL,
    end_us         INTEGER,                -- exit time; NULL while running or exec'd over
    exit_code      INTEGER,
    signal         INTEGER,
    duration_ms    INTEGER,
    exec_ei        INTEGER NOT NULL,       -- ei of its session.command record
    exe            INTEGER,                -- paths.id: the file that ran (path, or memfd:<name>)
    exe_kind       TEXT                    -- 'file', 'deleted', 'fileless'; NULL: failed exec
);
CREATE INDEX IF NOT EXISTS processes_session ON processes (session_id, start_us);
CREATE INDEX IF NOT EXISTS processes_program ON processes (program, start_us);
CREATE INDEX IF NOT EXISTS processes_path ON processes (path);

-- Every record of every session, one row each, appended in arrival order
-- (a rowid table: concurrent sessions do not insert into as many places;
-- only the small (session_id, ei) key is kept in session order).
-- The columns after `path` hold the facts of one kind or another:
--   kind  path       addr        port      rc       n1           n2        n3        text
--   0     -          -           -         -        -            -         -         PAM's tty
--   2     exec path  -           -         result   cwd paths.id -         -         -
--   3     file       -           -         fd/err   flags        mode      (below)
--   4     -          dst addrs   dst_port  -        src addrs.id src_port  result + 4 * action + 8 * operation
--   5     -          -           -         -        exit_code    signal    duration_ms
--   6     -          -           -         -        command      disk      network  (events lost)
--   7     -          -           -         -        to_cgroup_id -         -         to_cgroup_path
--   8     file       dst addrs   dst_port  -        open flags   (below)   (below)   the rule
-- session.disk (3): rc NULL when the result was not seen (io_uring);
-- n3 = 1 resolved + 2 unreadable + 4 unavailable + 8 truncated (path_*).
-- A file change (record format 4) is a session.disk with n3 >= 256:
-- n3 >> 8 = operation (bpf/events.h enum sr_fchange_op: 1 unlink, 2 rmdir,
-- 3 rename, 4 chmod, 5 chown, 6 link, 7 symlink, 8 truncate), n3 >> 4 & 15
-- the second path's bits as above, text the second path (new_path, target),
-- n1 the owner's uid (chown) or the length (truncate), n2 the mode (chmod)
-- or the group (chown); NULL owner: unchanged; rc NULL: result not seen.
-- session.denied (8): path for exec and write, addr and port for connect;
-- n2 = action + 4 * mode + 16 * mechanism (bpf/policy.h
-- values), n3 = 1 not applied + 2 path truncated; text NULL: rule unknown.
-- session.end (1) takes its counts and times from the sessions row, a
-- command (2) its argv, ids and terminal from its processes row.
CREATE TABLE IF NOT EXISTS events (
    session_id       INTEGER NOT NULL REFERENCES sessions (id),
    ei               INTEGER NOT NULL,
    time_us          INTEGER NOT NULL,
    kind             INTEGER NOT NULL,  -- kinds.id
    fmt              INTEGER NOT NULL,  -- record format version (recorder/record.h)
    uid              BLOB NOT NULL,     -- record UUID, 16 bytes
    pid              INTEGER NOT NULL,
    ppid             INTEGER NOT NULL,
    program          INTEGER,           -- programs.id: comm
    process_id       INTEGER,           -- processes.id of the image that made it
    cgroup_id        INTEGER,           -- NULL: the session's at its start
    audit_session_id INTEGER,           -- NULL: the session's
    path             INTEGER,           -- paths.id
    addr             INTEGER,           -- addrs.id
    port             INTEGER,
    rc               INTEGER,
    n1               INTEGER,
    n2               INTEGER,
    n3               INTEGER,
    text             TEXT,
    json             TEXT,              -- NULL; a migrated record the writer cannot reproduce: its text
    PRIMARY KEY (session_id, ei)
);
CREATE INDEX IF NOT EXISTS events_time ON events (time_us);
CREATE INDEX IF NOT EXISTS events_path ON events (path) WHERE path IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_dst ON events (addr, port) WHERE addr IS NOT NULL;
-- a session's denials (tree, report) and every denial (search --denied)
-- without scanning the other records; partial, so the others pay nothing
CREATE INDEX IF NOT EXISTS events_denied ON events (session_id, ei) WHERE kind = 8;
