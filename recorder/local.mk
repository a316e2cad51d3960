# sshrecd: daemon core (recorder/*.c) + policy (recorder/policy/) + sinks
# (recorder/sinks/local.mk) writing the database (recorder/store/local.mk) +
# capture loader (recorder/capture/, built by bpf/local.mk).
include $(srcdir)/recorder/store/local.mk
include $(srcdir)/recorder/sinks/local.mk

# Pure logic (config, correlator, record JSON), also linked by the unit tests.
SR_CORE_SRCS = \
	recorder/config.c recorder/config.h \
	recorder/policy/policy.c recorder/policy/policy.h \
	recorder/correlate.c recorder/correlate.h \
	recorder/record_json.c recorder/record_json.h \
	recorder/record.h \
	recorder/journal.c recorder/journal.h
SR_CORE_CFLAGS = $(SR_SAN_CFLAGS) $(JSONC_CFLAGS)

sbin_PROGRAMS += sshrecd
sshrecd_SOURCES = $(SR_CORE_SRCS) $(SR_SINK_SRCS) \
	recorder/main.c recorder/daemon.h \
	recorder/loop.c recorder/ringbuf.c recorder/ringbuf.h \
	recorder/control.c recorder/session.c recorder/scope.c recorder/status.c \
	recorder/auth_info.c recorder/auth_info.h \
	recorder/restore.c recorder/journal_run.c recorder/sinks/sinks_run.c recorder/sinks/sink.h \
	recorder/policy/policy_kern.c recorder/policy/policy_kern.h recorder/policy/policy_run.c recorder/linger.c
sshrecd_CFLAGS = $(SR_CORE_CFLAGS) $(SR_SINK_CFLAGS) $(LIBBPF_CFLAGS) $(LIBSSH_CFLAGS) \
	$(SQLITE_CFLAGS)
sshrecd_LDFLAGS = $(SAN_LDFLAGS)
sshrecd_LDADD = recorder/libsrcapture.la common/libsrsiem_san.la common/libsrcommon_san.la \
	$(SR_SINK_LIBS) \
	$(LIBSSH_LIBS) $(SQLITE_LIBS) $(JSONC_LIBS)

# systemd unit and example configuration
systemdunit_DATA = contrib/sshrecd.service
CLEANFILES += contrib/sshrecd.service
# The unit names the installed sshrecd, wherever --prefix put it.
contrib/sshrecd.service: contrib/sshrecd.service.in Makefile
	@$(MKDIR_P) contrib
	$(AM_V_GEN)sed -e 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/contrib/sshrecd.service.in > $@.tmp && mv $@.tmp $@
sshrecconfdir = $(sysconfdir)/sshrec
sshrecconf_DATA = contrib/sshrecd.conf
EXTRA_DIST += contrib/sshrecd.service.in contrib/sshrecd.conf

# Unit tests of the daemon core (cmocka).
SR_CORE_TEST_LIBS = common/libsrsiem_san.la common/libsrcommon_san.la $(CMOCKA_LIBS) $(JSONC_LIBS)
check_PROGRAMS += tests/unit/test_correlate tests/unit/test_config tests/unit/test_record_json \
	tests/unit/test_record_jrec tests/unit/test_journal
TESTS += tests/unit/test_correlate tests/unit/test_config tests/unit/test_record_json \
	tests/unit/test_record_jrec tests/unit/test_journal
tests_unit_test_correlate_SOURCES = tests/unit/test_correlate.c $(SR_CORE_SRCS)
tests_unit_test_correlate_CFLAGS = $(SR_CORE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_correlate_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_correlate_LDADD = $(SR_CORE_TEST_LIBS)
tests_unit_test_config_SOURCES = tests/unit/test_config.c $(SR_CORE_SRCS)
tests_unit_test_config_CFLAGS = $(SR_CORE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_config_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_config_LDADD = $(SR_CORE_TEST_LIBS)
tests_unit_test_record_json_SOURCES = tests/unit/test_record_json.c $(SR_CORE_SRCS)
tests_unit_test_record_json_CFLAGS = $(SR_CORE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_record_json_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_record_json_LDADD = $(SR_CORE_TEST_LIBS)
tests_unit_test_record_jrec_SOURCES = tests/unit/test_record_jrec.c $(SR_CORE_SRCS)
tests_unit_test_record_jrec_CFLAGS = $(SR_CORE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_record_jrec_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_record_jrec_LDADD = $(SR_CORE_TEST_LIBS)
tests_unit_test_journal_SOURCES = tests/unit/test_journal.c $(SR_CORE_SRCS)
tests_unit_test_journal_CFLAGS = $(SR_CORE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_journal_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_journal_LDADD = $(SR_CORE_TEST_LIBS)

# The parsers of what sshd says about a login.
check_PROGRAMS += tests/unit/test_auth_info
TESTS += tests/unit/test_auth_info
tests_unit_test_auth_info_SOURCES = tests/unit/test_auth_info.c recorder/auth_info.c \
	recorder/auth_info.h
tests_unit_test_auth_info_CFLAGS = $(SR_SAN_CFLAGS) $(CMOCKA_CFLAGS) $(LIBSSH_CFLAGS)
tests_unit_test_auth_info_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_auth_info_LDADD = $(CMOCKA_LIBS) $(LIBSSH_LIBS)

# The control socket's credential check, the rest of the daemon stubbed.
check_PROGRAMS += tests/unit/test_control
TESTS += tests/unit/test_control
tests_unit_test_control_SOURCES = tests/unit/test_control.c recorder/control.c
tests_unit_test_control_CFLAGS = $(SR_CORE_CFLAGS) $(CMOCKA_CFLAGS) $(LIBBPF_CFLAGS)
tests_unit_test_control_LDFLAGS = $(SAN_LDFLAGS) -Wl,--wrap=getsockopt
tests_unit_test_control_LDADD = $(SR_CORE_TEST_LIBS)

# Daemon benchmark (not part of make check): make bench-daemon
# Built without sanitizers; real correlator and sinks, synthetic events.
noinst_PROGRAMS += tests/bench/bench_daemon
tests_bench_bench_daemon_SOURCES = tests/bench/bench_daemon.c recorder/config.c recorder/policy/policy.c \
	recorder/correlate.c recorder/record_json.c recorder/sinks/sinks_run.c recorder/journal.c \
	recorder/journal_run.c $(SR_SINK_SRCS)
tests_bench_bench_daemon_CFLAGS = $(AM_CFLAGS) -O2 $(JSONC_CFLAGS) $(SR_SINK_CFLAGS) $(LIBBPF_CFLAGS)
tests_bench_bench_daemon_LDADD = common/libsrsiem.la common/libsrcommon.la $(SR_SINK_LIBS) \
	$(JSONC_LIBS)
# It runs next to the schema 4 build's (tests/bench/bench_daemon.sh).
bench-daemon: all tests/bench/bench_daemon
	SR_BENCH_V4=$${SR_BENCH_V4:-$(abs_top_builddir)/bench-v4} $(BASH) \
	  $(abs_top_srcdir)/tests/bench/bench_daemon.sh $(abs_top_builddir)/tests/bench/bench_daemon \
	  $(abs_top_srcdir)/tests/bench/results
.PHONY: bench-daemon
EXTRA_DIST += tests/bench/bench_daemon.sh tests/bench/v4_build.sh tests/bench/v4gen.c \
	tests/bench/v4gen.sh tests/bench/bench_migrate.sh

# The upgrade of a schema 4 database (2 M events) to schema 7: make bench-migrate
bench-migrate: all sshrecd$(EXEEXT) sshrec$(EXEEXT)
	SR_BENCH_V4=$${SR_BENCH_V4:-$(abs_top_builddir)/bench-v4} $(BASH) \
	  $(abs_top_srcdir)/tests/bench/bench_migrate.sh $(abs_top_builddir) \
	  $(abs_top_srcdir)/tests/bench/results
.PHONY: bench-migrate
