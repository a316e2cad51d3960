# Sinks: SR_SINK_SRCS is compiled into sshrecd and into the sink unit tests.
SR_SINK_SRCS =
SR_SINK_CFLAGS = $(SQLITE_CFLAGS) $(JSONC_CFLAGS) $(ZLIB_CFLAGS)
SR_SINK_LIBS = $(SQLITE_LIBS) $(JSONC_LIBS) $(ZLIB_LIBS)
