# Kernel capture: one object per hook type (bpf/hooks/*.bpf.c), linked by
# `bpftool gen object` into bpf/sshrec.bpf.o (maps and knobs are __weak in
# bpf/lib/maps.bpf.h, so they are shared), then one skeleton,
# bpf/sshrec.skel.h, compiled into the daemon and the kernel tests through
# recorder/capture/. vmlinux.h is generated from the running kernel's BTF.
BPF_SRCS = bpf/hooks/tp_sched.bpf.c bpf/hooks/tp_sock.bpf.c bpf/hooks/tp_syscalls.bpf.c \
	bpf/hooks/tp_net.bpf.c bpf/hooks/tp_io_uring.bpf.c bpf/hooks/fentry.bpf.c bpf/hooks/lsm.bpf.c \
	bpf/hooks/tp_fchange.bpf.c bpf/hooks/fchange_hooks.bpf.c
BPF_HDRS = bpf/events.h bpf/lib/maps.bpf.h bpf/lib/filter.bpf.h bpf/lib/output.bpf.h \
	bpf/lib/path.bpf.h bpf/lib/compat.bpf.h bpf/emit/exec.bpf.h bpf/emit/open.bpf.h bpf/emit/connect.bpf.h \
	bpf/emit/udp.bpf.h bpf/emit/proc.bpf.h bpf/emit/denied.bpf.h bpf/emit/fchange.bpf.h \
	bpf/policy.h bpf/hint.h bpf/enforce.bpf.h
BPF_OBJS = bpf/hooks/tp_sched.bpf.o bpf/hooks/tp_sock.bpf.o bpf/hooks/tp_syscalls.bpf.o \
	bpf/hooks/tp_net.bpf.o bpf/hooks/tp_io_uring.bpf.o bpf/hooks/fentry.bpf.o bpf/hooks/lsm.bpf.o \
	bpf/hooks/tp_fchange.bpf.o bpf/hooks/fchange_hooks.bpf.o
EXTRA_DIST += $(BPF_SRCS) $(BPF_HDRS)
CLEANFILES += bpf/vmlinux.h bpf/sshrec.bpf.o bpf/sshrec.skel.h $(BPF_OBJS)
BPF_CFLAGS = -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
	-Wno-unused-function -I$(top_builddir)/bpf -I$(top_srcdir)/bpf

bpf/vmlinux.h:
	@$(MKDIR_P) bpf
	@if ! test -r "$(VMLINUX_BTF)"; then \
	  echo "error: $(VMLINUX_BTF) is missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y)." >&2; \
	  echo "       sshrec's CO-RE programs need it; set VMLINUX_BTF=/path/to/vmlinux to use another." >&2; \
	  exit 1; fi
	$(AM_V_GEN)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

BPF_COMPILE = @$(MKDIR_P) bpf/hooks && echo "  CLANG    $@" && \
	$(CLANG) $(BPF_CFLAGS) -c $(srcdir)/bpf/hooks/$(@F:.o=.c) -o $@
$(BPF_OBJS): $(BPF_HDRS) bpf/vmlinux.h
bpf/hooks/tp_sched.bpf.o: bpf/hooks/tp_sched.bpf.c
	$(BPF_COMPILE)
bpf/hooks/tp_sock.bpf.o: bpf/hooks/tp_sock.bpf.c
	$(BPF_COMPILE)
bpf/hooks/tp_syscalls.bpf.o: bpf/hooks/tp_syscalls.bpf.c
	$(BPF_COMPILE)
bpf/hooks/tp_net.bpf.o: bpf/hooks/tp_net.bpf.c
	$(BPF_COMPILE)
bpf/hooks/tp_io_uring.bpf.o: bpf/hooks/tp_io_uring.bpf.c
	$(BPF_COMPILE)
bpf/hooks/fentry.bpf.o: bpf/hooks/fentry.bpf.c
	$(BPF_COMPILE)
bpf/hooks/lsm.bpf.o: bpf/hooks/lsm.bpf.c
	$(BPF_COMPILE)
bpf/hooks/tp_fchange.bpf.o: bpf/hooks/tp_fchange.bpf.c
	$(BPF_COMPILE)
bpf/hooks/fchange_hooks.bpf.o: bpf/hooks/fchange_hooks.bpf.c
	$(BPF_COMPILE)

bpf/sshrec.bpf.o: $(BPF_OBJS)
	$(AM_V_GEN)$(BPFTOOL) gen object $@.tmp $(BPF_OBJS) && \
	$(LLVM_STRIP) -g $@.tmp && mv $@.tmp $@

bpf/sshrec.skel.h: bpf/sshrec.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton $< name sshrec_bpf > $@.tmp && mv $@.tmp $@

BUILT_SOURCES += bpf/sshrec.skel.h

# Userspace loader library (recorder/capture/), linked by sshrecd and the
# kernel tests together with common/libsrcommon_san.la.
SR_CAPTURE_SRCS = recorder/capture/capture.c recorder/capture/capture.h \
	recorder/capture/capture_priv.h recorder/capture/features.c recorder/capture/progs.c \
	recorder/capture/pins.c recorder/capture/maps.c recorder/capture/consume.c
noinst_LTLIBRARIES += recorder/libsrcapture.la
recorder_libsrcapture_la_SOURCES = $(SR_CAPTURE_SRCS)
nodist_recorder_libsrcapture_la_SOURCES = bpf/sshrec.skel.h
recorder_libsrcapture_la_CFLAGS = $(SR_SAN_CFLAGS) $(LIBBPF_CFLAGS)
recorder_libsrcapture_la_LIBADD = $(LIBBPF_LIBS) $(LIBELF_LIBS) $(ZLIB_LIBS)

# Kernel tests (root, real kernel; exit 77 when not root or without BTF).
check_PROGRAMS += tests/kernel/test_capture
TESTS += tests/kernel/test_capture
tests_kernel_test_capture_SOURCES = tests/kernel/test_capture.c tests/kernel/ia32.h
tests_kernel_test_capture_CFLAGS = $(SR_SAN_CFLAGS) $(LIBBPF_CFLAGS)
tests_kernel_test_capture_LDFLAGS = $(SAN_LDFLAGS)
tests_kernel_test_capture_LDADD = recorder/libsrcapture.la common/libsrcommon_san.la
# io_uring operations made with the raw syscalls (test helper).
check_PROGRAMS += tests/kernel/uring_ops
tests_kernel_uring_ops_SOURCES = tests/kernel/uring_ops.c
# A 32-bit static program making compat open/exec syscalls (no libc needed).
check_DATA += tests/kernel/compat32
EXTRA_DIST += tests/kernel/compat32.c
CLEANFILES += tests/kernel/compat32
tests/kernel/compat32: tests/kernel/compat32.c
	@$(MKDIR_P) tests/kernel
	$(AM_V_CC)$(CC) -m32 -static -nostdlib -ffreestanding -fno-stack-protector -fno-pie \
	  -no-pie -O1 -o $@ $(srcdir)/tests/kernel/compat32.c

# Capture benchmark (not part of make check): make bench-capture
# Built without sanitizers (they would slow the consumer down), the loader compiled in.
noinst_PROGRAMS += tests/bench/bench_capture
tests_bench_bench_capture_SOURCES = tests/bench/bench_capture.c tests/bench/bench_util.h \
	$(SR_CAPTURE_SRCS)
nodist_tests_bench_bench_capture_SOURCES = bpf/sshrec.skel.h
tests_bench_bench_capture_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS)
tests_bench_bench_capture_LDADD = common/libsrcommon.la $(LIBBPF_LIBS) $(LIBELF_LIBS) $(ZLIB_LIBS)
EXTRA_DIST += tests/bench/bench_capture.sh tests/bench/bench_capture_vm.sh tests/bench/floor.bpf.c
# Empty programs on the recorder's open hooks, the floor the guest bench
# measures next to the recorder (bench_capture -F; make bench-kernels).
check_DATA += tests/bench/floor.bpf.o
CLEANFILES += tests/bench/floor.bpf.o
tests/bench/floor.bpf.o: tests/bench/floor.bpf.c bpf/vmlinux.h
	@$(MKDIR_P) tests/bench
	$(AM_V_GEN)$(CLANG) $(BPF_CFLAGS) -c $(srcdir)/tests/bench/floor.bpf.c -o $@
# The guest exec storms' program (bench_capture -x): static, so an exec in
# the guest reads nothing over 9p; plain $(CC), no sanitizer runtime.
check_DATA += tests/bench/exec_true
CLEANFILES += tests/bench/exec_true
EXTRA_DIST += tests/bench/exec_true.c
tests/bench/exec_true: tests/bench/exec_true.c
	@$(MKDIR_P) tests/bench
	$(AM_V_CC)$(CC) -static -O2 -o $@ $(srcdir)/tests/bench/exec_true.c
bench-capture: all tests/bench/bench_capture
	$(srcdir)/tests/bench/bench_capture.sh $(abs_top_builddir)/tests/bench/bench_capture \
	  $(abs_top_srcdir)/tests/bench/results
.PHONY: bench-capture

# The compiled policy in real kernel maps (root; no BPF program needed).
check_PROGRAMS += tests/kernel/test_policy_maps
TESTS += tests/kernel/test_policy_maps
tests_kernel_test_policy_maps_SOURCES = tests/kernel/test_policy_maps.c recorder/policy/policy.c \
	recorder/policy/policy_kern.c
tests_kernel_test_policy_maps_CFLAGS = $(SR_SAN_CFLAGS) $(LIBBPF_CFLAGS)
tests_kernel_test_policy_maps_LDFLAGS = $(SAN_LDFLAGS)
tests_kernel_test_policy_maps_LDADD = common/libsrcommon_san.la $(LIBBPF_LIBS) $(LIBELF_LIBS) \
	$(ZLIB_LIBS)

# Session policy benchmark (not part of make check): make bench-policy
# The cost of the deny-rule check per exec and per write-open, 100 rules vs none.
noinst_PROGRAMS += tests/bench/bench_policy
tests_bench_bench_policy_SOURCES = tests/bench/bench_policy.c tests/bench/bench_util.h \
	$(SR_CAPTURE_SRCS) recorder/policy/policy.c recorder/policy/policy_kern.c
nodist_tests_bench_bench_policy_SOURCES = bpf/sshrec.skel.h
tests_bench_bench_policy_CFLAGS = $(AM_CFLAGS) -O2 $(LIBBPF_CFLAGS)
tests_bench_bench_policy_LDADD = common/libsrcommon.la $(LIBBPF_LIBS) $(LIBELF_LIBS) $(ZLIB_LIBS) -lpthread
EXTRA_DIST += tests/bench/bench_policy.sh
bench-policy: all tests/bench/bench_policy
	$(srcdir)/tests/bench/bench_policy.sh $(abs_top_builddir)/tests/bench/bench_policy \
	  $(abs_top_srcdir)/tests/bench/results
.PHONY: bench-policy
