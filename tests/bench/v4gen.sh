#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Build tests/bench/v4gen.c against an older tree, commit 6ffc7c5 (schema 4)
# or the last with schema 5 or 6: OLD_SRC its sources, OLD_BUILD a build of
# it (./configure && make).
# usage: v4gen.sh OLD_SRC OLD_BUILD OUT
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
o=$1 b=$2
src=(recorder/correlate.c recorder/record_json.c recorder/config.c recorder/sinks/sink.c
	recorder/sinks/sink_sqlite.c recorder/sinks/sink_jsonl.c recorder/sinks/sink_syslog.c recorder/store/db.c
	recorder/store/db_checkpoint.c common/jwrite.c common/strsafe.c common/timeutil.c
	common/uuid.c common/log.c common/cgroup.c)
[ -f "$o/common/execname.c" ] && src+=(common/execname.c) # since schema 5
[ -f "$o/recorder/policy/policy.c" ] && src+=(recorder/policy/policy.c)   # since schema 6
grep -Eq 'PRAGMA user_version = [456];' "$o/schema/sshrec.sql" ||
	{ echo "v4gen.sh: $o is not a schema 4, 5 or 6 tree" >&2; exit 1; }
gcc -std=gnu11 -O2 -include "$b/config.h" -I"$o" -I"$o/common" -I"$b" -o "$3" \
	"$top/tests/bench/v4gen.c" "${src[@]/#/$o/}" "$b/recorder/store/db_sql.c" \
	$(pkg-config --cflags --libs sqlite3 json-c zlib) -lpthread
