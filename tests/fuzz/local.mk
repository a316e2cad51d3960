# libFuzzer targets (tests/fuzz/README.md), built with clang whatever CC is:
#   make fuzz            build them and run each for FUZZ_SECONDS (default 60),
#                        FUZZ_JOBS at a time (default 2), on the committed corpora
#   make fuzz-build      only build them (tests/fuzz/fuzz_<name>)
# CI runs make fuzz (scripts/ci-fuzz.sh); FUZZING.md has the long runs.
SR_FUZZ_NAMES = proto config ringbuf escape export report pam
SR_FUZZ_BINS = $(SR_FUZZ_NAMES:%=tests/fuzz/fuzz_%)
SR_FUZZ_CFLAGS = -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer $(WARN_CFLAGS) \
	$(AM_CPPFLAGS)
# Sources come from the parts' own lists (common/local.mk: SR_COMMON_SRCS and SR_SIEM_SRCS,
# cli/local.mk, recorder/local.mk, recorder/sinks/local.mk, recorder/store/local.mk), so a new
# file there needs no change here: the recipe
# picks the .c files among the prerequisites ($^, found through VPATH),
# leaving out those ending as one of $$skip.
SR_FUZZ_PICK = `for f in $$srcs; do for k in $$skip; do case $$f in *$$k) continue 2;; esac; \
	done; case $$f in *.c) echo $$f;; esac; done`
SR_FUZZ_CC = $(MKDIR_P) tests/fuzz && $(CLANG) $(SR_FUZZ_CFLAGS) -o $@ $(SR_FUZZ_PICK)
SR_FUZZ_DEPS = $(SR_COMMON_SRCS) tests/fuzz/fuzz.h config.h

tests/fuzz/fuzz_proto: tests/fuzz/fuzz_proto.c recorder/auth_info.c $(SR_FUZZ_DEPS)
	$(AM_V_CC)srcs="$^"; skip=; $(SR_FUZZ_CC) $(JSONC_CFLAGS) $(LIBSSH_CFLAGS) $(JSONC_LIBS) \
		$(LIBSSH_LIBS)
tests/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(SR_CORE_SRCS) $(SR_SIEM_SRCS) $(SR_FUZZ_DEPS)
	$(AM_V_CC)srcs="$^"; skip=; $(SR_FUZZ_CC) $(JSONC_CFLAGS) $(JSONC_LIBS)
tests/fuzz/fuzz_ringbuf: tests/fuzz/fuzz_ringbuf.c recorder/ringbuf.c $(SR_CORE_SRCS) \
		$(SR_SIEM_SRCS) $(SR_FUZZ_DEPS)
	$(AM_V_CC)srcs="$^"; skip=; $(SR_FUZZ_CC) $(JSONC_CFLAGS) $(LIBBPF_CFLAGS) $(JSONC_LIBS) \
		$(LIBBPF_LIBS)
tests/fuzz/fuzz_escape: tests/fuzz/fuzz_escape.c cli/output.c $(SR_SIEM_SRCS) $(SR_FUZZ_DEPS)
	$(AM_V_CC)srcs="$^"; skip=; $(SR_FUZZ_CC) $(JSONC_CFLAGS) $(JSONC_LIBS)
tests/fuzz/fuzz_export: tests/fuzz/fuzz_export.c $(SR_CLI_FMT_SRCS) $(SR_SIEM_SRCS) \
		$(SR_FUZZ_DEPS)
	$(AM_V_CC)srcs="$^"; skip=; $(SR_FUZZ_CC) $(JSONC_CFLAGS) $(JSONC_LIBS)
# fuzz_report includes cli/main.c (its main() renamed); the daemon's and the
# CLI's sr_db_open_ro() differ, so recorder/store/db.c is compiled with the
# daemon's renamed
tests/fuzz/fuzz_report: tests/fuzz/fuzz_report.c $(SR_SINK_TEST_SRCS) $(SR_CLI_SRCS) \
		$(SR_SIEM_SRCS) $(SR_FUZZ_DEPS)
	$(AM_V_CC)$(MKDIR_P) tests/fuzz && $(CLANG) $(SR_FUZZ_CFLAGS) $(SQLITE_CFLAGS) \
		-Dsr_db_open_ro=sr_db_open_ro_daemon -c $(srcdir)/recorder/store/db.c \
		-o tests/fuzz/report-recorder-db.o
	$(AM_V_CC)srcs="$^"; skip="cli/main.c recorder/store/db.c"; $(SR_FUZZ_CC) tests/fuzz/report-recorder-db.o \
		$(JSONC_CFLAGS) $(SQLITE_CFLAGS) $(ZLIB_CFLAGS) $(JSONC_LIBS) $(SQLITE_LIBS) \
		$(ZLIB_LIBS) -lpthread
tests/fuzz/fuzz_pam: tests/fuzz/fuzz_pam.c pam/options.c pam/login_info.c pam/stack.c \
		$(SR_FUZZ_DEPS)
	$(AM_V_CC)srcs="$^"; skip=; $(SR_FUZZ_CC) $(JSONC_CFLAGS) $(JSONC_LIBS)

fuzz-build: $(SR_FUZZ_BINS)
fuzz: fuzz-build
	$(BASH) $(srcdir)/tests/fuzz/run.sh $(abs_top_srcdir)/tests/fuzz tests/fuzz \
		$${FUZZ_SECONDS:-60} $${FUZZ_JOBS:-2} $(SR_FUZZ_NAMES)
# The unit tests, which scripts/ci-fuzz.sh runs on the clang build.
print-unit-tests:
	@for t in $(TESTS); do case $$t in tests/unit/*) echo $$t;; esac; done
.PHONY: fuzz fuzz-build print-unit-tests
CLEANFILES += $(SR_FUZZ_BINS) tests/fuzz/report-recorder-db.o
EXTRA_DIST += scripts/ci-fuzz.sh SECURITY.md FUZZING.md \
	tests/fuzz/README.md tests/fuzz/run.sh tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_proto.c tests/fuzz/fuzz_config.c tests/fuzz/fuzz_ringbuf.c \
	tests/fuzz/fuzz_escape.c tests/fuzz/fuzz_export.c tests/fuzz/fuzz_report.c \
	tests/fuzz/fuzz_pam.c tests/fuzz/seeds.py tests/fuzz/proto.dict tests/fuzz/config.dict \
	tests/fuzz/ringbuf.dict tests/fuzz/escape.dict tests/fuzz/export.dict \
	tests/fuzz/report.dict tests/fuzz/pam.dict
