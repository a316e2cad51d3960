// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The TCP state tracepoint, on every backend: it gives a connect's outcome
 * and source port, and starts the record of a connect no hook saw (the
 * tracepoint backend; a TCP fast open, which makes no connect() call).
 */
#include "emit/connect.bpf.h"

SEC("tp/sock/inet_sock_set_state")
int sr_inet_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	sr_connect_state(ctx);
	return 0;
}
