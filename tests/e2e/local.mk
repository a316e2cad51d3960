# e2e test list (one += per line; see tests/local.mk)
