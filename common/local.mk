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
	common/paths.h

noinst_LTLIBRARIES += common/libsrcommon.la common/libsrcommon_san.la
common_libsrcommon_la_SOURCES = $(SR_COMMON_SRCS)
common_libsrcommon_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) -fvisibility=hidden
common_libsrcommon_la_LIBADD = $(JSONC_LIBS)
common_libsrcommon_san_la_SOURCES = $(SR_COMMON_SRCS)
common_libsrcommon_san_la_CFLAGS = $(SR_SAN_CFLAGS) $(JSONC_CFLAGS)
common_libsrcommon_san_la_LIBADD = $(JSONC_LIBS)
