# Sinks: SR_SINK_SRCS is compiled into sshrecd and into the sink unit tests.
# The schema and its migrations are embedded at build time (schema/sql2c.sh),
# so the binaries need nothing installed beside them.
SR_DB_MIGRATIONS = schema/migrations/002-indexes-user-event.sql \
	schema/migrations/003-drop-unused-indexes.sql \
	schema/migrations/004-events-rowid.sql \
	schema/migrations/005-processes-exe.sql \
	schema/migrations/006-denied.sql \
	schema/migrations/007-dictionaries.sql
# The database: open and migrate (db*), records to rows and back (store*).
# The upgrade checks every record it copies by rebuilding it, so whatever
# links these links recorder/record_json.c too.
SR_DB_SRCS = recorder/db.c recorder/db.h recorder/db_sql.c \
	recorder/records_perm.c recorder/records_perm.h \
	recorder/db_upgrade.c recorder/db_upgrade.h \
	recorder/db_checkpoint.c recorder/db_checkpoint.h \
	recorder/store.c recorder/store.h recorder/store_read.c recorder/store_read.h
SR_SINK_SRCS = $(SR_DB_SRCS) \
	recorder/sink.c recorder/sink_priv.h \
	recorder/sink_sqlite.c recorder/sink_jsonl.c recorder/sink_syslog.c \
	recorder/sink_format.c recorder/sink_format.h
SR_SINK_CFLAGS = $(SQLITE_CFLAGS) $(JSONC_CFLAGS) $(ZLIB_CFLAGS)
SR_SINK_LIBS = $(SQLITE_LIBS) $(JSONC_LIBS) $(ZLIB_LIBS)

recorder/db_sql.c: $(srcdir)/schema/sshrec.sql $(SR_DB_MIGRATIONS:%=$(srcdir)/%) \
		$(srcdir)/schema/sql2c.sh
	$(AM_V_GEN)$(MKDIR_P) recorder && \
	SED='$(SED)' $(SHELL) $(srcdir)/schema/sql2c.sh $(srcdir)/schema/sshrec.sql \
		$(SR_DB_MIGRATIONS:%=$(srcdir)/%) > $@.tmp && mv $@.tmp $@
BUILT_SOURCES += recorder/db_sql.c
CLEANFILES += recorder/db_sql.c
EXTRA_DIST += schema/sql2c.sh

# Unit tests of the sinks (cmocka). record_json.c gives sr_rec_event_name().
SR_SINK_TEST_SRCS = $(SR_SINK_SRCS) recorder/record_json.c recorder/record_json.h \
	recorder/config.c recorder/config.h recorder/policy.c recorder/policy.h \
	tests/unit/sink_test_util.c tests/unit/sink_test_util.h
SR_SINK_TEST_CFLAGS = $(SR_SAN_CFLAGS) $(SR_SINK_CFLAGS) $(CMOCKA_CFLAGS)
SR_SINK_TEST_LIBS = common/libsrsiem_san.la common/libsrcommon_san.la $(SR_SINK_LIBS) \
	$(CMOCKA_LIBS)
SR_SINK_TESTS = tests/unit/test_sink_sqlite tests/unit/test_sink_jsonl \
	tests/unit/test_sink_syslog tests/unit/test_sink_syslog_tcp tests/unit/test_migrate
check_PROGRAMS += $(SR_SINK_TESTS)
TESTS += $(SR_SINK_TESTS)
tests_unit_test_sink_sqlite_SOURCES = tests/unit/test_sink_sqlite.c $(SR_SINK_TEST_SRCS)
tests_unit_test_sink_sqlite_CFLAGS = $(SR_SINK_TEST_CFLAGS)
tests_unit_test_sink_sqlite_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_sink_sqlite_LDADD = $(SR_SINK_TEST_LIBS)
tests_unit_test_sink_jsonl_SOURCES = tests/unit/test_sink_jsonl.c $(SR_SINK_TEST_SRCS)
tests_unit_test_sink_jsonl_CFLAGS = $(SR_SINK_TEST_CFLAGS)
tests_unit_test_sink_jsonl_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_sink_jsonl_LDADD = $(SR_SINK_TEST_LIBS)
tests_unit_test_sink_syslog_SOURCES = tests/unit/test_sink_syslog.c $(SR_SINK_TEST_SRCS)
tests_unit_test_sink_syslog_CFLAGS = $(SR_SINK_TEST_CFLAGS)
tests_unit_test_sink_syslog_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_sink_syslog_LDADD = $(SR_SINK_TEST_LIBS)
tests_unit_test_sink_syslog_tcp_SOURCES = tests/unit/test_sink_syslog_tcp.c $(SR_SINK_TEST_SRCS)
tests_unit_test_sink_syslog_tcp_CFLAGS = $(SR_SINK_TEST_CFLAGS)
tests_unit_test_sink_syslog_tcp_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_sink_syslog_tcp_LDADD = $(SR_SINK_TEST_LIBS)
tests_unit_test_migrate_SOURCES = tests/unit/test_migrate.c $(SR_DB_SRCS) \
	recorder/record_json.c recorder/record_json.h
tests_unit_test_migrate_CFLAGS = $(SR_SINK_TEST_CFLAGS)
tests_unit_test_migrate_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_migrate_LDADD = $(SR_SINK_TEST_LIBS)
EXTRA_DIST += tests/unit/data/sshrec-v1.sql
check_PROGRAMS += tests/unit/test_records_perm
TESTS += tests/unit/test_records_perm
tests_unit_test_records_perm_SOURCES = tests/unit/test_records_perm.c $(SR_DB_SRCS) \
	recorder/record_json.c recorder/record_json.h
tests_unit_test_records_perm_CFLAGS = $(SR_SINK_TEST_CFLAGS)
tests_unit_test_records_perm_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_records_perm_LDADD = $(SR_SINK_TEST_LIBS)

# A new database is created private (chmod wrapped to see the mode before it).
check_PROGRAMS += tests/unit/test_db_mode
TESTS += tests/unit/test_db_mode
tests_unit_test_db_mode_SOURCES = tests/unit/test_db_mode.c $(SR_DB_SRCS) \
	recorder/record_json.c recorder/record_json.h
tests_unit_test_db_mode_CFLAGS = $(SR_SINK_TEST_CFLAGS)
tests_unit_test_db_mode_LDFLAGS = $(SAN_LDFLAGS) -Wl,--wrap=chmod
tests_unit_test_db_mode_LDADD = $(SR_SINK_TEST_LIBS)
