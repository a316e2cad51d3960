/* SPDX-License-Identifier: BSD-2-Clause */
/* What sshd says about a login, as pam_sshrec passes it on (see auth_info.h). */
#include "recorder/auth_info.h"

#include <errno.h>
#include <libssh/libssh.h>
#include <stdio.h>
#include <string.h>

int sr_parse_ssh_connection(const char *s, char *raddr, size_t rlen, int *rport, char *laddr,
                            size_t llen, int *lport)
{
	char ra[128], la[128];
	int rp, lp;

	if (!s || sscanf(s, "%127s %d %127s %d", ra, &rp, la, &lp) != 4 || rp < 0 || rp > 65535 ||
	    lp < 0 || lp > 65535)
		return -EINVAL;
	snprintf(raddr, rlen, "%s", ra);
	snprintf(laddr, llen, "%s", la);
	*rport = rp;
	*lport = lp;
	return 0;
}

int sr_parse_auth_info(const char *s, char *method, size_t mlen, char *ktype, size_t klen, char *fp,
                       size_t fplen)
{
	char m[64] = "", kt[128] = "", b64[12288] = "";
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *f;
	int n;

	method[0] = ktype[0] = fp[0] = '\0';
	if (!s)
		return -EINVAL;
	n = sscanf(s, "%63s %127s %12287s", m, kt, b64);
	if (n < 1)
		return -EINVAL;
	snprintf(method, mlen, "%s", m);
	if (strcmp(m, "publickey") || n < 3)
		return 0;
	/* the key type is recorded only with a key that parses as that type */
	if (ssh_key_type_from_name(kt) == SSH_KEYTYPE_UNKNOWN ||
	    ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(kt), &key) != SSH_OK)
		return -EINVAL;
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0) {
		ssh_key_free(key);
		return -EINVAL;
	}
	f = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	if (f) {
		snprintf(fp, fplen, "%s", f);
		snprintf(ktype, klen, "%s", kt);
	}
	ssh_string_free_char(f);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return f ? 0 : -ENOMEM;
}
