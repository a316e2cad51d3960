"""Run in a recorded session by scenario_netin.sh: TCP listeners (IPv4, IPv6)
that a client outside the session connects to, and UDP sends to several
destinations, several datagrams each (sendto, sendmsg, send on a connected
socket, write() and writev() on a connected socket). Writes its ports to READY, prints what it saw."""
import os
import socket
import sys

ready = sys.argv[1]
V4, V6 = socket.AF_INET, socket.AF_INET6


def sock(fam, kind, addr):
    s = socket.socket(fam, kind)
    s.bind((addr, 0))
    return s


def port(s):
    return s.getsockname()[1]


l4 = sock(V4, socket.SOCK_STREAM, "127.0.0.1")
l6 = sock(V6, socket.SOCK_STREAM, "::1")
l4.listen(4)
l6.listen(4)
# receivers, so that no ICMP error fails a later send; they send nothing
r = [sock(V4, socket.SOCK_DGRAM, "127.0.0.1") for _ in range(3)] + [sock(V6, socket.SOCK_DGRAM, "::1")]
u4 = sock(V4, socket.SOCK_DGRAM, "127.0.0.1")
u6 = sock(V6, socket.SOCK_DGRAM, "::1")
uc = sock(V4, socket.SOCK_DGRAM, "127.0.0.1")
for _ in range(5):
    u4.sendto(b"a", ("127.0.0.1", port(r[0])))
for _ in range(3):
    u4.sendto(b"b", ("127.0.0.1", port(r[1])))
for _ in range(4):
    u6.sendmsg([b"c"], [], 0, ("::1", port(r[3])))
u6.sendto(b"c", ("::1", port(r[3])))
uc.connect(("127.0.0.1", port(r[2])))
for _ in range(3):
    uc.send(b"d")
# connected sockets written to without a send syscall: write() then send()
# (one record), writev() alone (IPv6)
r += [sock(V4, socket.SOCK_DGRAM, "127.0.0.1"), sock(V6, socket.SOCK_DGRAM, "::1")]
uw = sock(V4, socket.SOCK_DGRAM, "127.0.0.1")
uv = sock(V6, socket.SOCK_DGRAM, "::1")
uw.connect(("127.0.0.1", port(r[4])))
uv.connect(("::1", port(r[5])))
for _ in range(3):
    os.write(uw.fileno(), b"e")
uw.send(b"e")
for _ in range(2):
    os.writev(uv.fileno(), [b"f", b"g"])
print("UDP", port(u4), port(r[0]), port(r[1]), port(u6), port(r[3]), port(uc), port(r[2]))
print("UDPW", port(uw), port(r[4]), port(uv), port(r[5]))
with open(ready + ".tmp", "w") as f:
    f.write("%d %d\n" % (port(l4), port(l6)))
os.rename(ready + ".tmp", ready)
for l in (l4, l6):
    l.settimeout(20)
    c, a = l.accept()
    print("ACC", a[0], a[1], port(l))
    c.close()
