# e2e test list (one += per line; see tests/local.mk)
SR_E2E_TESTS += tests/e2e/daemon_badconfig.sh
SR_E2E_TESTS += tests/e2e/daemon_restart.sh
SR_E2E_TESTS += tests/e2e/daemon_diskfull.sh
