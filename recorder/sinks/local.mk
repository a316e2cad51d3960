# Sinks (recorder/sinks/): SR_SINK_SRCS is compiled into sshrecd and into the
# sink unit tests. The database they write is in recorder/store/local.mk.
SR_SINK_SRCS = $(SR_DB_SRCS) \
	recorder/sinks/sink.c recorder/sinks/sink_priv.h \
	recorder/sinks/sink_sqlite.c recorder/sinks/sink_jsonl.c recorder/sinks/sink_syslog.c \
	recorder/sinks/sink_format.c recorder/sinks/sink_format.h
SR_SINK_CFLAGS = $(SQLITE_CFLAGS) $(JSONC_CFLAGS) $(ZLIB_CFLAGS)
SR_SINK_LIBS = $(SQLITE_LIBS) $(JSONC_LIBS) $(ZLIB_LIBS)

# Unit tests of the sinks (cmocka). record_json.c gives sr_rec_event_name().
SR_SINK_TEST_SRCS = $(SR_SINK_SRCS) recorder/record_json.c recorder/record_json.h \
	recorder/config.c recorder/config.h recorder/policy/policy.c recorder/policy/policy.h \
	tests/unit/sink_test_util.c tests/unit/sink_test_util.h
SR_SINK_TEST_CFLAGS = $(SR_SAN_CFLAGS) $(SR_SINK_CFLAGS) $(CMOCKA_CFLAGS)
SR_SINK_TEST_LIBS = common/libsrsiem_san.la common/libsrcommon_san.la $(SR_SINK_LIBS) \
	$(CMOCKA_LIBS)
SR_SINK_TESTS = tests/unit/test_sink_sqlite tests/unit/test_sink_jsonl \
	tests/unit/test_sink_syslog tests/unit/test_sink_syslog_tcp
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
