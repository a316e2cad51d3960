# Code shared across process boundaries: the PAM<->daemon protocol, cgroup
# discovery, string escaping, UUIDs, time formatting and logging.
# Built twice: plain for the PAM module, sanitized for the daemon/CLI/tests.
SR_COMMON_SRCS = \
	common/log.c common/log.h \
	common/proto.c common/proto.h \
	common/cgroup.c common/cgroup.h \
	common/strsafe.c common/strsafe.h \
	common/uuid.c common/uuid.h \
	common/timeutil.c common/timeutil.h \
	common/jwrite.c common/jwrite.h \
	common/execname.c common/execname.h \
	common/paths.h

noinst_LTLIBRARIES += common/libsrcommon.la common/libsrcommon_san.la
common_libsrcommon_la_SOURCES = $(SR_COMMON_SRCS)
common_libsrcommon_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) -fvisibility=hidden
common_libsrcommon_la_LIBADD = $(JSONC_LIBS)
common_libsrcommon_san_la_SOURCES = $(SR_COMMON_SRCS)
common_libsrcommon_san_la_CFLAGS = $(SR_SAN_CFLAGS) $(JSONC_CFLAGS)
common_libsrcommon_san_la_LIBADD = $(JSONC_LIBS)

# The ECS/OCSF mappings and what they need (record scanner, names), linked
# by the CLI (sshrec export) and the daemon (JSON-lines sink formats); not by
# the PAM module. Sanitized for the daemon, CLI and tests, plain for benches.
SR_SIEM_SRCS = \
	common/jscan.c common/jscan.h \
	common/names.c common/names.h \
	common/export.h common/export_ecs.c common/export_ocsf.c common/export_util.c
noinst_LTLIBRARIES += common/libsrsiem.la common/libsrsiem_san.la
common_libsrsiem_la_SOURCES = $(SR_SIEM_SRCS)
common_libsrsiem_la_CFLAGS = $(AM_CFLAGS) -O2
common_libsrsiem_san_la_SOURCES = $(SR_SIEM_SRCS)
common_libsrsiem_san_la_CFLAGS = $(SR_SAN_CFLAGS)

# Unit tests of the shared code.
SR_UNIT_CFLAGS = $(SR_SAN_CFLAGS) $(CMOCKA_CFLAGS)
SR_UNIT_LIBS = common/libsrcommon_san.la $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_strsafe tests/unit/test_common
TESTS += tests/unit/test_strsafe tests/unit/test_common
tests_unit_test_strsafe_SOURCES = tests/unit/test_strsafe.c
tests_unit_test_strsafe_CFLAGS = $(SR_UNIT_CFLAGS)
tests_unit_test_strsafe_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_strsafe_LDADD = $(SR_UNIT_LIBS)
tests_unit_test_common_SOURCES = tests/unit/test_common.c
tests_unit_test_common_CFLAGS = $(SR_UNIT_CFLAGS)
tests_unit_test_common_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_common_LDADD = $(SR_UNIT_LIBS)
