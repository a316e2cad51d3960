# Test drivers shared by all parts. Unit tests are added by each part's own
# local.mk; end-to-end scripts (tests/e2e/*.sh) are listed here.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(BASH)
AM_SH_LOG_FLAGS =
EXTRA_DIST += tests/e2e/lib.sh tests/e2e/validate_jsonl.py tests/bench

# E2E scripts: one line each, so parallel edits merge cleanly.
SR_E2E_TESTS =
include $(srcdir)/tests/e2e/local.mk
TESTS += $(SR_E2E_TESTS)
EXTRA_DIST += $(SR_E2E_TESTS)
include $(srcdir)/tests/e2e/sshdrive.mk
