// SPDX-License-Identifier: BSD-2-Clause
/*
 * Bench only: the exec storms' program in the kernel-matrix guests
 * (bench_capture -x). Linked statically and copied to the guest's tmpfs, so
 * an exec loads nothing over 9p (no ld.so, no libc), whose round trips to
 * QEMU run in real time and hid the hooks' cost in /bin/true's storms.
 */
int main(void)
{
	return 0;
}
