// SPDX-License-Identifier: BSD-2-Clause
/*
 * One io_uring operation, made with the raw syscalls (no liburing): the
 * opens, connects and file changes that bypass their syscalls.
 *
 *   uring_ops openat PATH            IORING_OP_OPENAT, O_RDONLY, relative to the cwd
 *   uring_ops openat-dirfd DIR NAME  IORING_OP_OPENAT relative to an fd of DIR
 *   uring_ops openat2 PATH           IORING_OP_OPENAT2, O_RDONLY
 *   uring_ops openat-skip PATH       IORING_OP_OPENAT with IOSQE_CQE_SKIP_SUCCESS
 *   uring_ops connect IPV4 PORT      IORING_OP_CONNECT (TCP)
 *   uring_ops unlinkat PATH          IORING_OP_UNLINKAT, relative to the cwd
 *   uring_ops renameat OLD NEW       IORING_OP_RENAMEAT, both relative to the cwd
 *   uring_ops exchange OLD NEW       the same with RENAME_EXCHANGE (the two names swapped)
 *   uring_ops mkdirat PATH           IORING_OP_MKDIRAT, mode 0750, relative to the cwd
 *   uring_ops sendmsg-udp IPV4 PORT  three IORING_OP_SENDMSG of one UDP socket to IPV4:PORT
 *   uring_ops accept IPV4 PORT       IORING_OP_ACCEPT on a listener at IPV4:PORT, which a
 *                                    child process connects to
 *
 * Prints "res N" (the completion's result; "res skipped" when no completion
 * was asked for) and exits 0 when the operation was submitted, 2 when
 * io_uring itself is unavailable, 1 on usage errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_init(struct ring *r)
{
	struct io_uring_params p;
	void *sq, *cq;

	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
	          MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
	          PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (unsigned *)((char *)sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)((char *)sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)((char *)sq + p.sq_off.array);
	r->cq_head = (unsigned *)((char *)cq + p.cq_off.head);
	r->cq_tail = (unsigned *)((char *)cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)((char *)cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
	return 0;
}

/* Submit one SQE and wait for @wait completions; *res gets the last result. */
static int ring_run(struct ring *r, const struct io_uring_sqe *sqe, unsigned wait, int *res)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask, head;

	r->sqes[idx] = *sqe;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, wait, wait ? IORING_ENTER_GETEVENTS : 0, NULL,
	            0) < 0)
		return -errno;
	if (!wait)
		return 0;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	*res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

/* Three IORING_OP_SENDMSG of one unconnected UDP socket to @sin. */
static int send_udp(struct ring *r, struct sockaddr_in *sin)
{
	struct iovec iov = {.iov_base = "uring", .iov_len = 5};
	struct msghdr mh = {
	    .msg_name = sin, .msg_namelen = sizeof(*sin), .msg_iov = &iov, .msg_iovlen = 1};
	struct io_uring_sqe sqe;
	int i, res = 0;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_SENDMSG;
	sqe.fd = socket(AF_INET, SOCK_DGRAM, 0);
	sqe.addr = (unsigned long)&mh;
	sqe.len = 1;
	for (i = 0; i < 3; i++)
		if (ring_run(r, &sqe, 1, &res))
			return 2;
	printf("res %d\n", res);
	return 0;
}

/* IORING_OP_ACCEPT on a listener at @sin, with a child process as the client. */
static int accept_one(struct ring *r, struct sockaddr_in *sin)
{
	int one = 1, res = 0, l = socket(AF_INET, SOCK_STREAM, 0), st;
	struct io_uring_sqe sqe;
	pid_t pid;

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (void *)sin, sizeof(*sin)) || listen(l, 1))
		return 1;
	pid = fork();
	if (pid == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		_exit(connect(c, (void *)sin, sizeof(*sin)) ? 1 : 0);
	}
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_ACCEPT;
	sqe.fd = l;
	if (pid < 0 || ring_run(r, &sqe, 1, &res))
		return 2;
	waitpid(pid, &st, 0);
	printf("res %d\n", res);
	return 0;
}

int main(int argc, char **argv)
{
	static struct open_how how = {.flags = O_RDONLY};
	struct io_uring_sqe sqe;
	struct sockaddr_in sin;
	struct ring r = {0};
	unsigned wait = 1;
	int res = 0, err;

	if (argc < 3)
		return 1;
	err = ring_init(&r);
	if (err) {
		fprintf(stderr, "uring_ops: io_uring unavailable: %s\n", strerror(-err));
		return 2;
	}
	memset(&sqe, 0, sizeof(sqe));
	sqe.fd = AT_FDCWD;
	sqe.addr = (unsigned long)argv[2];
	if (!strcmp(argv[1], "openat") || !strcmp(argv[1], "openat-skip")) {
		sqe.opcode = IORING_OP_OPENAT;
		sqe.open_flags = O_RDONLY;
		if (argv[1][6]) {
			sqe.flags = IOSQE_CQE_SKIP_SUCCESS;
			wait = 0;
		}
	} else if (!strcmp(argv[1], "openat-dirfd") && argc > 3) {
		sqe.opcode = IORING_OP_OPENAT;
		sqe.fd = open(argv[2], O_RDONLY | O_DIRECTORY);
		sqe.addr = (unsigned long)argv[3];
		sqe.open_flags = O_RDONLY;
	} else if (!strcmp(argv[1], "openat2")) {
		sqe.opcode = IORING_OP_OPENAT2;
		sqe.len = sizeof(how);
		sqe.off = (unsigned long)&how;
	} else if (!strcmp(argv[1], "unlinkat")) {
		sqe.opcode = IORING_OP_UNLINKAT;
	} else if (!strcmp(argv[1], "mkdirat")) {
		sqe.opcode = IORING_OP_MKDIRAT;
		sqe.len = 0750; /* the mode */
	} else if ((!strcmp(argv[1], "renameat") || !strcmp(argv[1], "exchange")) && argc > 3) {
		sqe.opcode = IORING_OP_RENAMEAT;
		sqe.len = (unsigned)AT_FDCWD; /* the new name's dirfd */
		sqe.addr2 = (unsigned long)argv[3];
		if (argv[1][0] == 'e')
			sqe.rename_flags = 1u << 1; /* RENAME_EXCHANGE */
	} else if ((!strcmp(argv[1], "connect") || !strcmp(argv[1], "sendmsg-udp") ||
	            !strcmp(argv[1], "accept")) &&
	           argc > 3) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &sin.sin_addr) != 1)
			return 1;
		if (argv[1][0] == 's')
			return send_udp(&r, &sin);
		if (argv[1][0] == 'a')
			return accept_one(&r, &sin);
		sqe.opcode = IORING_OP_CONNECT;
		sqe.fd = socket(AF_INET, SOCK_STREAM, 0);
		sqe.addr = (unsigned long)&sin;
		sqe.off = sizeof(sin);
	} else {
		return 1;
	}
	err = ring_run(&r, &sqe, wait, &res);
	if (err) {
		fprintf(stderr, "uring_ops: io_uring_enter: %s\n", strerror(-err));
		return 2;
	}
	if (wait)
		printf("res %d\n", res);
	else
		printf("res skipped\n");
	return 0;
}
