# cli build fragment (see Makefile.am): the auditor CLI `sshrec`, its unit
# tests and the synthetic database generator (tests, e2e and benchmark).
SR_CLI_FMT_SRCS = \
	cli/output.c cli/output.h cli/report.h cli/report_html.c
# The records are rebuilt from the rows with the daemon's own writer.
SR_CLI_STORE_SRCS = recorder/record.h recorder/record_json.c recorder/record_json.h \
	recorder/store/store.h recorder/store/store_read.c recorder/store/store_read.h
SR_CLI_SRCS = $(SR_CLI_FMT_SRCS) $(SR_CLI_STORE_SRCS) \
	cli/cli.h cli/main.c cli/db.c cli/proctree.c cli/json_out.c cli/json_out.h cli/follow.c \
	cli/describe.c \
	cli/cmd_sessions.c cli/cmd_timeline.c cli/cmd_tree.c cli/cmd_replay.c \
	cli/cmd_search.c cli/cmd_export.c cli/cmd_report.c cli/cmd_status.c \
	cli/report_cmds.c cli/report_lists.c

bin_PROGRAMS += sshrec
sshrec_SOURCES = $(SR_CLI_SRCS)
sshrec_CFLAGS = $(SR_SAN_CFLAGS) $(SQLITE_CFLAGS) $(JSONC_CFLAGS)
sshrec_LDFLAGS = $(SAN_LDFLAGS)
sshrec_LDADD = common/libsrsiem_san.la common/libsrcommon_san.la $(SQLITE_LIBS) $(JSONC_LIBS)

# Synthetic database generator (N sessions, M events) through sshrecd's own
# record writer and sinks.
check_PROGRAMS += tests/bench/gen_db
tests_bench_gen_db_SOURCES = tests/bench/gen_db.c recorder/config.c recorder/policy/policy.c \
	recorder/record_json.c $(SR_SINK_SRCS)
tests_bench_gen_db_CFLAGS = $(AM_CFLAGS) -O2 $(SR_SINK_CFLAGS)
tests_bench_gen_db_LDADD = common/libsrsiem.la common/libsrcommon.la $(SR_SINK_LIBS)

# Unit tests: argv quoting, escaping, durations, names, ECS/OCSF mapping.
check_PROGRAMS += tests/unit/test_cli_format
TESTS += tests/unit/test_cli_format
tests_unit_test_cli_format_SOURCES = tests/unit/test_cli_format.c $(SR_CLI_FMT_SRCS) cli/cli.h \
	cli/describe.c cli/json_out.c cli/json_out.h
tests_unit_test_cli_format_CFLAGS = $(SR_SAN_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS) \
	$(JSONC_CFLAGS)
tests_unit_test_cli_format_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_cli_format_LDADD = common/libsrsiem_san.la common/libsrcommon_san.la \
	$(CMOCKA_LIBS) $(JSONC_LIBS)

# Unit tests: the mappings fed records sshrecd never writes.
check_PROGRAMS += tests/unit/test_cli_hostile
TESTS += tests/unit/test_cli_hostile
tests_unit_test_cli_hostile_SOURCES = tests/unit/test_cli_hostile.c $(SR_CLI_FMT_SRCS) \
	cli/cli.h
tests_unit_test_cli_hostile_CFLAGS = $(SR_SAN_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS) \
	$(JSONC_CFLAGS)
tests_unit_test_cli_hostile_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_cli_hostile_LDADD = common/libsrsiem_san.la common/libsrcommon_san.la \
	$(CMOCKA_LIBS) $(JSONC_LIBS)

# Benchmark (not part of make check): make bench-cli
bench-cli: all sshrec sshrecd tests/bench/gen_db
	SR_TOP_BUILDDIR=$(abs_top_builddir) $(BASH) $(abs_top_srcdir)/tests/bench/bench_cli.sh
.PHONY: bench-cli

# Follow latency benchmark (root, real sshd; not part of make check).
bench-follow: all sshrec sshrecd$(EXEEXT) pam/pam_sshrec.la
	SR_TOP_SRCDIR='$(abs_top_srcdir)' SR_TOP_BUILDDIR='$(abs_top_builddir)' \
		$(BASH) $(srcdir)/tests/bench/bench_follow.sh $(abs_top_srcdir)/tests/bench/results
.PHONY: bench-follow
EXTRA_DIST += tests/bench/bench_follow.sh tests/bench/results/follow.json tests/bench/results/follow.md
