# Kernel capture: bpf/sshrec.bpf.c -> bpf/sshrec.bpf.o -> bpf/sshrec.skel.h,
# compiled into the daemon (and the kernel tests) through recorder/capture.c.
# vmlinux.h is generated from the running kernel's BTF at build time.
BPF_SRCS = bpf/sshrec.bpf.c
BPF_HDRS = bpf/events.h bpf/sshrec.bpf.h
EXTRA_DIST += $(BPF_SRCS) $(BPF_HDRS)
CLEANFILES += bpf/vmlinux.h bpf/sshrec.bpf.o bpf/sshrec.skel.h
BPF_CFLAGS = -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
	-Wno-unused-function -I$(top_builddir)/bpf -I$(top_srcdir)/bpf

bpf/vmlinux.h:
	@$(MKDIR_P) bpf
	@if ! test -r "$(VMLINUX_BTF)"; then \
	  echo "error: $(VMLINUX_BTF) is missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y)." >&2; \
	  echo "       sshrec's CO-RE programs need it; set VMLINUX_BTF=/path/to/vmlinux to use another." >&2; \
	  exit 1; fi
	$(AM_V_GEN)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

bpf/sshrec.bpf.o: $(BPF_SRCS) $(BPF_HDRS) bpf/vmlinux.h
	@$(MKDIR_P) bpf
	$(AM_V_CC)$(CLANG) $(BPF_CFLAGS) -c $(srcdir)/bpf/sshrec.bpf.c -o $@.tmp && \
	$(LLVM_STRIP) -g $@.tmp && mv $@.tmp $@

bpf/sshrec.skel.h: bpf/sshrec.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton $< name sshrec_bpf > $@.tmp && mv $@.tmp $@

BUILT_SOURCES += bpf/sshrec.skel.h
