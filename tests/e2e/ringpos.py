#!/usr/bin/python3
"""Read or set the consumer position of sshrecd's pinned ring buffer.

Usage:
  ringpos.py MAP_PIN get        print the kernel-visible consumer position
  ringpos.py MAP_PIN set POS    write it (a test rewinds it to replay a kill
                                that came after a batch was stored but before
                                the daemon committed its ring position)

Uses the bpf(2) syscall (BPF_OBJ_GET) and mmap of the ring's consumer page,
as sshrecd itself does; needs root.
"""
import ctypes
import mmap
import os
import struct
import sys

SYS_BPF = 321  # x86_64
BPF_OBJ_GET = 7


def obj_get(path):
    libc = ctypes.CDLL(None, use_errno=True)
    name = ctypes.create_string_buffer(path.encode())
    # union bpf_attr for BPF_OBJ_GET: pathname (u64), bpf_fd (u32), file_flags (u32)
    attr = ctypes.create_string_buffer(struct.pack("=QII", ctypes.addressof(name), 0, 0), 128)
    fd = libc.syscall(SYS_BPF, BPF_OBJ_GET, attr, 128)
    if fd < 0:
        err = ctypes.get_errno()
        sys.exit("BPF_OBJ_GET %s: %s" % (path, os.strerror(err)))
    return fd


def main():
    if os.uname().machine != "x86_64":
        sys.exit("ringpos.py: only x86_64 is supported")
    fd = obj_get(sys.argv[1])
    page = mmap.mmap(fd, mmap.PAGESIZE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, 0)
    if sys.argv[2] == "get":
        print(struct.unpack_from("=Q", page, 0)[0])
    elif sys.argv[2] == "set":
        struct.pack_into("=Q", page, 0, int(sys.argv[3]))
    else:
        sys.exit("unknown mode " + sys.argv[2])
    page.close()
    os.close(fd)


if __name__ == "__main__":
    main()
