# The database (recorder/store/): open and migrate (db*), records to rows and
# back (store*), who may read the records (records_perm*). The schema and its
# migrations are embedded at build time (schema/sql2c.sh), so the binaries need
# nothing installed beside them.
SR_DB_MIGRATIONS = schema/migrations/002-indexes-user-event.sql \
	schema/migrations/003-drop-unused-indexes.sql \
	schema/migrations/004-events-rowid.sql \
	schema/migrations/005-processes-exe.sql \
	schema/migrations/006-denied.sql \
	schema/migrations/007-dictionaries.sql
# The upgrade checks every record it copies by rebuilding it, so whatever
# links these links recorder/record_json.c too.
SR_DB_SRCS = recorder/store/db.c recorder/store/db.h recorder/store/db_sql.c \
	recorder/store/records_perm.c recorder/store/records_perm.h \
	recorder/store/db_upgrade.c recorder/store/db_upgrade.h \
	recorder/store/db_checkpoint.c recorder/store/db_checkpoint.h \
	recorder/store/store.c recorder/store/store.h recorder/store/store_read.c recorder/store/store_read.h

recorder/store/db_sql.c: $(srcdir)/schema/sshrec.sql $(SR_DB_MIGRATIONS:%=$(srcdir)/%) \
		$(srcdir)/schema/sql2c.sh
	$(AM_V_GEN)$(MKDIR_P) recorder/store && \
	SED='$(SED)' $(SHELL) $(srcdir)/schema/sql2c.sh $(srcdir)/schema/sshrec.sql \
		$(SR_DB_MIGRATIONS:%=$(srcdir)/%) > $@.tmp && mv $@.tmp $@
BUILT_SOURCES += recorder/store/db_sql.c
CLEANFILES += recorder/store/db_sql.c
EXTRA_DIST += schema/sql2c.sh

# Unit tests of the database alone (cmocka); the sinks' test flags and libs
# come from recorder/sinks/local.mk.
check_PROGRAMS += tests/unit/test_migrate
TESTS += tests/unit/test_migrate
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
