#!/usr/bin/env python3
"""Hold the e2e suite's lock for one test: testlock.py FILE shared|exclusive.

Tests run two at a time (make -j2 check). Most are light and may overlap;
the heavy ones (50 concurrent logins, the load test) take the lock
exclusively so that no other test's logins or timeouts share the host with
them, and they with no one's. Every test takes it shared.

The lock lives in this small process, not in the test's shell: a file
descriptor in the shell would be inherited by sshd, sshrecd and any
background job of a session, and one leftover process would hold the lock
for good. Python opens files close-on-exec.

Prints "locked" once held (or "timeout" after 600 s of waiting, then goes
on without it: a stuck lock must not hang CI), and exits when its parent
exits (or when killed by the test's cleanup).
"""
import fcntl
import os
import sys
import time


def main():
    path, mode = sys.argv[1], sys.argv[2]
    op = fcntl.LOCK_EX if mode == "exclusive" else fcntl.LOCK_SH
    parent = os.getppid()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    deadline = time.monotonic() + 600
    held = False
    while time.monotonic() < deadline and os.getppid() == parent:
        try:
            fcntl.flock(fd, op | fcntl.LOCK_NB)
            held = True
            break
        except BlockingIOError:
            time.sleep(0.1)
    print("locked" if held else "timeout", flush=True)
    while os.getppid() == parent:
        time.sleep(0.5)


if __name__ == "__main__":
    main()
