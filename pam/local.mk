# pam_sshrec.so: loaded by sshd, so built without sanitizers and linked with
# the plain common library. Only the pam_sm_* symbols are exported.
pammod_LTLIBRARIES += pam/pam_sshrec.la
pam_pam_sshrec_la_SOURCES = pam/pam_sshrec.c pam/options.c pam/options.h \
	pam/login_info.c pam/login_info.h pam/stack.c pam/stack.h
pam_pam_sshrec_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) -fvisibility=hidden
pam_pam_sshrec_la_LDFLAGS = -module -avoid-version -shared \
	-Wl,--version-script=$(srcdir)/pam/pam_sshrec.map -Wl,-z,defs
pam_pam_sshrec_la_LIBADD = common/libsrcommon.la $(PAM_LIBS) $(JSONC_LIBS)
EXTRA_DIST += pam/pam_sshrec.map tests/e2e/pam_lib.sh tests/e2e/syslog_listen.py \
	tests/e2e/pam_client.py

# Only pam_sshrec.so belongs in the module directory.
install-data-hook: pam-remove-la
pam-remove-la:
	rm -f $(DESTDIR)$(pammoddir)/pam_sshrec.la
.PHONY: pam-remove-la
# libtool uninstalls through the .la removed above: remove the module itself
uninstall-hook: pam-uninstall-so
pam-uninstall-so:
	rm -f $(DESTDIR)$(pammoddir)/pam_sshrec.so
.PHONY: pam-uninstall-so

# Unit tests: option parsing (options.c compiled in) and protocol encoding.
check_PROGRAMS += tests/unit/test_pam_options tests/unit/test_proto
TESTS += tests/unit/test_pam_options tests/unit/test_proto
tests_unit_test_pam_options_SOURCES = tests/unit/test_pam_options.c pam/options.c pam/options.h
tests_unit_test_pam_options_CFLAGS = $(SR_SAN_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_pam_options_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_pam_options_LDADD = common/libsrcommon_san.la $(CMOCKA_LIBS)
tests_unit_test_proto_SOURCES = tests/unit/test_proto.c
tests_unit_test_proto_CFLAGS = $(SR_SAN_CFLAGS) $(CMOCKA_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_proto_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_proto_LDADD = common/libsrcommon_san.la $(CMOCKA_LIBS) $(JSONC_LIBS)

# Login latency benchmark (root, real sshd; not part of make check).
bench-login: all pam/pam_sshrec.la sshrecd$(EXEEXT)
	SR_TOP_SRCDIR='$(abs_top_srcdir)' SR_TOP_BUILDDIR='$(abs_top_builddir)' \
		$(BASH) $(srcdir)/tests/bench/bench_login.sh $(abs_top_srcdir)/tests/bench/results
.PHONY: bench-login

# Unit tests: the PAM stack reader and the login's peer and parsers.
check_PROGRAMS += tests/unit/test_pam_login
TESTS += tests/unit/test_pam_login
tests_unit_test_pam_login_SOURCES = tests/unit/test_pam_login.c pam/login_info.c \
	pam/login_info.h pam/stack.c pam/stack.h
tests_unit_test_pam_login_CFLAGS = $(SR_SAN_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_pam_login_LDFLAGS = $(SAN_LDFLAGS)
tests_unit_test_pam_login_LDADD = common/libsrcommon_san.la $(CMOCKA_LIBS)
