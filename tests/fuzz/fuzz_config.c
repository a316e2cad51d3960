/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sshrecd's configuration file parser (recorder/config.c): any file is read
 * or refused with "FILE:LINE: reason"; what is read yields classes for any
 * login and groups.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "recorder/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	static const char *const groups[] = {"wheel", "backup", "", "x y"};
	struct sr_config cfg;
	char err[1024] = "";
	uint32_t classes, flags;
	int rc;

	if (fd < 0) {
		fd = memfd_create("sshrecd.conf", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (sr_config_defaults(&cfg))
		abort();
	rc = sr_config_parse_file(&cfg, path, true, err, sizeof(err));
	if (rc) {
		if (rc != -EINVAL && rc != -ENOMEM)
			fz_fail("unexpected error %d", rc);
		if (strncmp(err, path, strlen(path)) || !strchr(err, ':') ||
		    memchr(err, '\n', strlen(err)))
			fz_fail("a refusal must say FILE:LINE: reason, got '%s'", err);
	} else {
		sr_config_classes(&cfg, "backup", groups, 4, &classes, &flags);
		sr_config_disk_mode(classes, flags);
		sr_config_classes(&cfg, "", NULL, 0, &classes, &flags);
	}
	sr_config_free(&cfg);
	return 0;
}
