# Kernel matrix and systemd guests in QEMU (tests/vm/README.md). Not part of
# `make check` (the host's kernel): `make check-kernels` boots Debian's
# kernels, CI runs it after the host suite.
EXTRA_DIST += tests/vm/README.md tests/vm/lib.sh tests/vm/run.sh tests/vm/init \
	tests/vm/stage2.sh tests/vm/matrix.sh tests/vm/guest_matrix.sh tests/vm/login.sh \
	tests/vm/systemd_guest.sh

check-kernels: all $(check_PROGRAMS) $(check_DATA)
	SR_TOP_SRCDIR='$(abs_top_srcdir)' SR_TOP_BUILDDIR='$(abs_top_builddir)' \
		$(BASH) $(srcdir)/tests/vm/matrix.sh

# The capture benchmark on Debian's kernels (ratios only under TCG): a
# benchmark, not a check, so CI's matrix leaves it out.
bench-kernels: all $(check_PROGRAMS) $(check_DATA)
	SR_TOP_SRCDIR='$(abs_top_srcdir)' SR_TOP_BUILDDIR='$(abs_top_builddir)' \
		SR_VM_MATRIX='6.1+bench 6.12+bench' $(BASH) $(srcdir)/tests/vm/matrix.sh
.PHONY: check-kernels bench-kernels
