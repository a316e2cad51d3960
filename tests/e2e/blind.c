// SPDX-License-Identifier: BSD-2-Clause
/*
 * Ways a session user may try to act unrecorded, one per subcommand, for
 * the blinding matrix (tests/e2e/blinding_matrix.sh). Each leaves a marker
 * the test looks for in the records.
 *
 *   blind openat2 PATH              open PATH with openat2(2)
 *   blind tfo IP PORT               TCP fast open: sendto(MSG_FASTOPEN), no connect()
 *   blind udp IP PORT               one UDP datagram (sendto, no connect)
 *   blind udp-write IP PORT         connect a UDP socket, 3 write(2)s (the later ones
 *                                   may be refused when nothing listens there)
 *   blind memfd-exec MARK           copy /bin/true into a memfd, execveat(fd, "", AT_EMPTY_PATH)
 *   blind thread-exec MARK          execv(/bin/true MARK) from a second thread
 *   blind vfork MARK                vfork + execv(/bin/true MARK)
 *   blind spawn MARK                posix_spawn(/bin/true MARK)
 *   blind argv-overwrite MARK       overwrite its own argv strings after the exec
 *   blind deep DIR NAME             nested 250-byte directories under DIR through a
 *                                   chain of dirfds (> 4096 bytes), then create NAME there
 *   blind flood N                   N opens of a missing file, as fast as possible
 *   blind fd-recv SOCK              receive an fd over a unix socket (SCM_RIGHTS), read it
 *   blind fd-send SOCK PATH         (outside the session) open PATH, send its fd
 *   blind ia32 COMPAT32             print whether the 32-bit compat path is open or
 *                                   closed in this kernel (tests/kernel/ia32.h)
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/kernel/ia32.h"

extern char **environ;

static int die(const char *what)
{
	fprintf(stderr, "blind: %s: %s\n", what, strerror(errno));
	return 1;
}

static int addr4(const char *ip, const char *port, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)atoi(port));
	return inet_pton(AF_INET, ip, &sin->sin_addr) == 1 ? 0 : -1;
}

static void *thread_exec(void *arg)
{
	char *argv[] = {"/bin/true", arg, NULL};

	execv(argv[0], argv);
	_exit(127);
}

static int unix_sock(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path);
	return socket(AF_UNIX, SOCK_STREAM, 0);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	struct sockaddr_in sin;
	pid_t pid;
	int fd, st;

	if (!strcmp(cmd, "ia32") && argc == 3) {
		enum sr_ia32 s32 = sr_ia32_state(argv[2]);

		puts(s32 == SR_IA32_OPEN ? "open" : s32 == SR_IA32_CLOSED ? "closed" : "unknown");
		return s32 == SR_IA32_UNKNOWN;
	}
	if (!strcmp(cmd, "openat2") && argc == 3) {
		struct open_how how = {.flags = O_RDONLY};

		fd = (int)syscall(SYS_openat2, AT_FDCWD, argv[2], &how, sizeof(how));
		return fd < 0 ? die("openat2") : 0;
	}
	if ((!strcmp(cmd, "tfo") || !strcmp(cmd, "udp")) && argc == 4) {
		bool tfo = cmd[0] == 't';

		if (addr4(argv[2], argv[3], &sin))
			return 1;
		fd = socket(AF_INET, tfo ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (sendto(fd, "blind", 5, tfo ? MSG_FASTOPEN : 0, (void *)&sin, sizeof(sin)) < 0)
			return die("sendto");
		usleep(100000);
		return 0;
	}
	if (!strcmp(cmd, "udp-write") && argc == 4) {
		int i;

		if (addr4(argv[2], argv[3], &sin))
			return 1;
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (connect(fd, (void *)&sin, sizeof(sin)) < 0 || write(fd, "blind", 5) < 0)
			return die("udp-write");
		for (i = 1; i < 3; i++)
			(void)!write(fd, "blind", 5);
		usleep(100000);
		return 0;
	}
	if (!strcmp(cmd, "memfd-exec") && argc == 3) {
		char *av[] = {argv[2], NULL};
		struct stat sb;
		int src = open("/bin/true", O_RDONLY);

		fd = memfd_create("blind-memfd", MFD_CLOEXEC);
		if (src < 0 || fd < 0 || fstat(src, &sb) < 0 ||
		    sendfile(fd, src, NULL, (size_t)sb.st_size) != sb.st_size)
			return die("memfd copy");
		syscall(SYS_execveat, fd, "", av, environ, AT_EMPTY_PATH);
		return die("execveat");
	}
	if (!strcmp(cmd, "thread-exec") && argc == 3) {
		pthread_t t;

		pthread_create(&t, NULL, thread_exec, argv[2]);
		pthread_join(t, NULL);
		return 1;
	}
	if ((!strcmp(cmd, "vfork") || !strcmp(cmd, "spawn")) && argc == 3) {
		char *av[] = {"/bin/true", argv[2], NULL};

		if (cmd[0] == 's') {
			if (posix_spawn(&pid, av[0], NULL, NULL, av, environ))
				return die("posix_spawn");
		} else if ((pid = vfork()) == 0) {
			execv(av[0], av);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		return 0;
	}
	if (!strcmp(cmd, "argv-overwrite") && argc == 3) {
		memset(argv[2], 'X', strlen(argv[2]));
		usleep(200000);
		return 0;
	}
	if (!strcmp(cmd, "deep") && argc == 4) {
		char name[251];
		int dfd = open(argv[2], O_RDONLY | O_DIRECTORY), i;

		memset(name, 'd', 250);
		name[250] = 0;
		for (i = 0; i < 20 && dfd >= 0; i++) { /* 20 x 251 bytes: deeper than PATH_MAX */
			int next;

			if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
				return die("mkdirat");
			next = openat(dfd, name, O_RDONLY | O_DIRECTORY);
			close(dfd);
			dfd = next;
		}
		if (dfd < 0)
			return die("openat (deep)");
		fd = openat(dfd, argv[3], O_CREAT | O_WRONLY, 0600);
		return fd < 0 ? die("openat (deep file)") : 0;
	}
	if (!strcmp(cmd, "flood") && argc == 3) {
		long i, n = atol(argv[2]);

		for (i = 0; i < n; i++)
			open("/nonexistent/blind-flood", O_RDONLY);
		return 0;
	}
	if ((!strcmp(cmd, "fd-recv") && argc == 3) || (!strcmp(cmd, "fd-send") && argc == 4)) {
		char cbuf[CMSG_SPACE(sizeof(int))], data = 'x', buf[256];
		struct iovec iov = {.iov_base = &data, .iov_len = 1};
		struct msghdr mh = {.msg_iov = &iov,
		                    .msg_iovlen = 1,
		                    .msg_control = cbuf,
		                    .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *c;
		struct sockaddr_un sa;
		int s = unix_sock(argv[2], &sa), l;
		ssize_t n;

		if (argc == 4) { /* the sender listens: the receiver is the one in the session */
			unlink(argv[2]);
			if (bind(s, (void *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0 ||
			    chmod(argv[2], 0777) < 0)
				return die("listen");
			printf("ready\n");
			fflush(stdout);
			l = accept(s, NULL, NULL);
			fd = open(argv[3], O_RDONLY);
			if (l < 0 || fd < 0)
				return die("accept/open");
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
			return sendmsg(l, &mh, 0) == 1 ? 0 : die("sendmsg");
		}
		if (connect(s, (void *)&sa, sizeof(sa)) < 0 || recvmsg(s, &mh, 0) != 1)
			return die("connect/recvmsg");
		c = CMSG_FIRSTHDR(&mh);
		if (!c || c->cmsg_type != SCM_RIGHTS)
			return 1;
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		n = read(fd, buf, sizeof(buf));
		return n > 0 ? 0 : die("read");
	}
	fprintf(stderr, "blind: bad usage (see tests/e2e/blind.c)\n");
	return 2;
}
