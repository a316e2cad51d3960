# Test drivers shared by all parts. Unit tests are added by each part's own
# local.mk; end-to-end scripts (tests/e2e/*.sh) are listed here.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(BASH)
AM_SH_LOG_FLAGS =
# Directories are never listed: distdir would copy build outputs along.
EXTRA_DIST += tests/e2e/lib.sh tests/e2e/testlock.py tests/e2e/validate_jsonl.py tests/e2e/netin_session.py \
	tests/e2e/ringpos.py tests/e2e/policymaps.py tests/e2e/jsonl_export_check.py \
	tests/siem/check_siem.py tests/siem/ref/teleport-events.json \
	tests/siem/ref/ecs-9.4.0.json tests/siem/ref/ocsf-1.1.0.json \
	tests/siem/ref/gen_ecs_ref.py tests/siem/ref/gen_ocsf_ref.py \
	tests/bench/ack_responder.py tests/bench/bench_cli.sh tests/bench/bench_export_ab.sh \
	tests/bench/cputime.py \
	tests/bench/bench_login.sh \
	tests/bench/results/capture.json tests/bench/results/capture.md \
	tests/bench/results/cli.json tests/bench/results/cli.md tests/bench/results/load.md \
	tests/bench/results/daemon.json tests/bench/results/daemon.md \
	tests/bench/results/login.json tests/bench/results/login.md

# The packaged systemd unit, checked with systemd-analyze verify.
TESTS += tests/misc/unit_file.sh
EXTRA_DIST += tests/misc/unit_file.sh

# E2E scripts: one line each, so parallel edits merge cleanly.
SR_E2E_TESTS =
include $(srcdir)/tests/e2e/local.mk
TESTS += $(SR_E2E_TESTS)
EXTRA_DIST += $(SR_E2E_TESTS)
include $(srcdir)/tests/e2e/data/parity/files.mk
include $(srcdir)/tests/e2e/sshdrive.mk
include $(srcdir)/tests/vm/local.mk

# Fresh-machine check (not part of make check, needs the network to Debian's
# mirror): README's two commands on a new minimal Debian 12 root.
check-fresh:
	$(BASH) $(abs_top_srcdir)/tests/fresh/run.sh
.PHONY: check-fresh
EXTRA_DIST += tests/fresh/run.sh tests/fresh/ci.sh
include $(srcdir)/tests/fuzz/local.mk

# The unit tests alone (no root, no BPF, no sshd): what a package build runs.
check-unit: all
	@units=; for t in $(TESTS); do case $$t in tests/unit/*) units="$$units $$t" ;; esac; done; \
	$(MAKE) $(AM_MAKEFLAGS) $$units && $(MAKE) $(AM_MAKEFLAGS) check-TESTS TESTS="$$units"
.PHONY: check-unit

# The Debian package (debian/): built, linted, installed and purged in a
# throwaway overlay of the host (tests/pkg/deb.sh).
TESTS += tests/pkg/deb.sh
EXTRA_DIST += tests/pkg/deb.sh tests/pkg/build.sh tests/pkg/inside.sh tests/ns_lib.sh
EXTRA_DIST += debian/changelog debian/control debian/copyright debian/rules debian/source/format \
	debian/README.source debian/pam-configs/sshrec debian/sshrec.install debian/sshrec.docs \
	debian/sshrec.postinst debian/sshrec.prerm debian/sshrec.postrm debian/sshrec.lintian-overrides \
	debian/libpam-sshrec.install debian/libpam-sshrec.postinst debian/libpam-sshrec.prerm \
	debian/libpam-sshrec.lintian-overrides
