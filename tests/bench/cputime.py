#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run a command and print "WALL_S CPU_S LINES": its wall time, the CPU time
(user + system) of the command and its children, and with --count the lines
it wrote (counted here, so no `wc` shares the CPUs with it; without --count
its output goes to /dev/null). Exits with the command's status.

On a shared machine other work moves wall time by 2x from one minute to the
next, but hardly the CPU time a query costs: the benchmarks judge in CPU time
and show wall time beside it.
usage: cputime.py [--count] CMD [ARG...]"""
import resource
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    count = bool(args) and args[0] == "--count"
    if count:
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    lines = 0
    if count:
        p = subprocess.Popen(args, stdout=subprocess.PIPE)
        for chunk in iter(lambda: p.stdout.read(1 << 20), b""):
            lines += chunk.count(b"\n")
        rc = p.wait()
    else:
        rc = subprocess.call(args, stdout=subprocess.DEVNULL)
    t1 = time.monotonic()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print("%.6f %.6f %d" % (t1 - t0, cpu, lines))
    sys.exit(rc)


if __name__ == "__main__":
    main()
