# Kernel matrix and systemd guests in QEMU (tests/vm/README.md). Not part of
# `make check` (the host's kernel): `make check-kernels` boots Debian's
# kernels, CI runs it after the host suite.
EXTRA_DIST += tests/vm/README.md tests/vm/lib.sh tests/vm/run.sh tests/vm/init \
	tests/vm/stage2.sh tests/vm/matrix.sh tests/vm/guest_matrix.sh tests/vm/login.sh \
	tests/vm/systemd_guest.sh

check-kernels: all $(check_PROGRAMS) $(check_DATA)
	SR_TOP_SRCDIR='$(abs_top_srcdir)' SR_TOP_BUILDDIR='$(abs_top_builddir)' \
		$(BASH) $(srcdir)/tests/vm/matrix.sh

# The capture benchmark on Debian's kernels (ratios only under TCG), every
# backend forced in turn in each guest, and nothing else there: a benchmark,
# not a check, so CI's matrix leaves it out. Three backends take a guest
# 10-30 minutes under TCG (SR_VM_TIMEOUT, here 2700 s by default);
# SR_BENCH_KERNELS='6.12+bench' runs one guest. The guests run with QEMU's
# -icount (SR_VM_ICOUNT): their clock counts instructions, so the ratios do
# not drift with the host's load. The result files land in $(SR_BENCH_OUT)
# (default bench-kernels/ in the build directory), the guests' logs in
# $(SR_BENCH_VM_OUT).
SR_BENCH_OUT ?= $(abs_top_builddir)/bench-kernels
SR_BENCH_VM_OUT ?= $(abs_top_builddir)/vm-matrix-bench
bench-kernels: all $(check_PROGRAMS) $(check_DATA)
	rm -rf '$(SR_BENCH_VM_OUT)'
	SR_TOP_SRCDIR='$(abs_top_srcdir)' SR_TOP_BUILDDIR='$(abs_top_builddir)' \
		SR_VM_OUT='$(SR_BENCH_VM_OUT)' SR_VM_PARTS_ONLY=1 SR_VM_ICOUNT=1 \
		SR_VM_TIMEOUT="$${SR_VM_TIMEOUT:-2700}" \
		SR_VM_MATRIX="$${SR_BENCH_KERNELS:-6.1+bench 6.12+bench}" $(BASH) $(srcdir)/tests/vm/matrix.sh; \
	rc=$$?; $(BASH) $(srcdir)/tests/bench/bench_capture_vm.sh collect '$(SR_BENCH_OUT)' \
		'$(SR_BENCH_VM_OUT)'/*.log && exit $$rc
.PHONY: check-kernels bench-kernels
