# sshdrive: the libssh test client used by the e2e scenarios and the load
# test (owned by the e2e tests). Built sanitized, like the other test tools.
check_PROGRAMS += tests/sshdrive
tests_sshdrive_SOURCES = tests/sshdrive.c
tests_sshdrive_CFLAGS = $(SR_SAN_CFLAGS) $(LIBSSH_CFLAGS) -pthread
tests_sshdrive_LDFLAGS = $(SAN_LDFLAGS) -pthread
tests_sshdrive_LDADD = $(LIBSSH_LIBS)

# Helper scripts of the scenarios, the load test and the report tests.
EXTRA_DIST += tests/e2e/tcplisten.py tests/e2e/scenario_lib.sh tests/e2e/cdp_check.py

# The full load profile: 200 concurrent sessions x 50 commands.
# (The default `make check` runs tests/e2e/load.sh with 20 x 20.)
check-load: all tests/sshdrive
	$(AM_V_at)SR_TOP_SRCDIR='$(abs_top_srcdir)' SR_TOP_BUILDDIR='$(abs_top_builddir)' \
	SR_PAMMODDIR='$(pammoddir)' SR_LOAD_SESSIONS=$${SR_LOAD_SESSIONS:-200} \
	SR_LOAD_COMMANDS=$${SR_LOAD_COMMANDS:-50} SR_LOAD_RESULTS=$${SR_LOAD_RESULTS:-} \
	$(BASH) $(abs_top_srcdir)/tests/e2e/load.sh
.PHONY: check-load
