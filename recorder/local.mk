# sshrecd: daemon core (owned by the daemon core) + sinks (recorder/sinks.mk,
# owned by the sinks) + capture loader (bpf/local.mk).
include $(srcdir)/recorder/sinks.mk
