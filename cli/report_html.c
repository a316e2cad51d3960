/* SPDX-License-Identifier: BSD-2-Clause */
/* The report's HTML: escaping, style, and what counts as noise. */
#include <string.h>
#include <time.h>

#include "cli/output.h"
#include "cli/report.h"

const char rp_css[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;"
    "color:#1d2330;background:#fafbfc}"
    "h1{font-size:21px;margin:0 0 4px}h2{font-size:16px;margin:30px 0 8px;padding-bottom:4px;"
    "border-bottom:1px solid #d8dde6}.sid{color:#5b6475;font:12px monospace;margin-bottom:14px}"
    ".sum{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;background:#fff;"
    "border:1px solid #d8dde6;border-radius:6px;padding:12px 16px}"
    ".sum dt{color:#5b6475;font-weight:600}.sum dd{margin:0;font-family:monospace;"
    "word-break:break-all}"
    ".look{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0 0;padding:0;list-style:none}"
    ".look a{display:block;padding:4px 10px;border-radius:12px;text-decoration:none;"
    "background:#eef1f5;color:#1d2330}.look a.hot{background:#fde8e7;color:#a1261f;"
    "font-weight:600}.look a.zero{color:#8a93a3}"
    "ol.cmds{padding-left:0;list-style:none;margin:0}ol.cmds>li{background:#fff;border:1px solid "
    "#d8dde6;border-radius:6px;padding:6px 10px;margin:6px 0}"
    ".t{color:#5b6475;font:12px monospace;margin-right:8px;white-space:nowrap}"
    ".cmd{font-family:monospace;font-weight:600;white-space:pre-wrap;word-break:break-all}"
    ".exe{font-family:monospace;font-weight:600;color:#c93c37}"
    ".meta{color:#5b6475;font-size:12px;margin-left:8px}.ok{color:#1a7f37}.bad{color:#c93c37}"
    ".facts{color:#5b6475;font-size:12px;margin-top:2px}.facts b{color:#1d2330}"
    "ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:18px;border-left:1px solid "
    "#d0d5de}ul.tree{padding-left:4px;border:0}li{margin:2px 0}"
    ".att{font-family:monospace;font-size:12px;white-space:pre-wrap;word-break:break-all}"
    ".file{color:#2f5fb3}.net{color:#8a3fb5}.n{color:#5b6475;font-weight:600}"
    "details>summary{cursor:pointer;color:#2f5fb3;font-size:12px}"
    "table.l{border-collapse:collapse;background:#fff;width:100%}"
    "table.l th{text-align:left;color:#5b6475;font-weight:600;border-bottom:1px solid #d8dde6;"
    "padding:3px 8px}table.l td{padding:3px 8px;border-bottom:1px solid #eef1f5;"
    "font-family:monospace;font-size:12px;word-break:break-all;vertical-align:top}"
    ".chart{background:#fff;border:1px solid #d8dde6;border-radius:6px;overflow-x:auto}"
    ".chart text{font:11px monospace;fill:#1d2330}.chart .ax{fill:#5b6475}"
    ".bar{fill:#4c8bf5}.bar.fail{fill:#e5534b}.bar.run{fill:#f0a020}"
    ".note{color:#5b6475;font-size:12px}"
    ".denied{color:#8c1d18;background:#fde7e6;border-left:3px solid #c93c37;padding:1px 6px;"
    "font-weight:600}.tag{color:#fff;background:#c93c37;border-radius:3px;padding:0 5px;"
    "margin-left:8px;font-size:11px;font-weight:700}";

void rp_html(FILE *f, const char *s)
{
	sr_html_put(f, s);
}

char *rp_clock(int64_t us, char *buf, size_t cap)
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;

	if (!gmtime_r(&s, &tm))
		snprintf(buf, cap, "?");
	else
		snprintf(buf, cap, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		         (int)(us % 1000000 / 1000));
	return buf;
}

/* Open flags that may write (as in the daemon's writes-only filter). */
#define RP_O_WRITE (01 | 02 | 0100 | 01000)

bool rp_is_write(const struct sr_attach *a)
{
	return !a->network && (a->flags & RP_O_WRITE);
}

bool rp_is_device(const struct sr_attach *a)
{
	return a->path && !strncmp(a->path, "/dev/", 5);
}

static bool has_prefix(const char *s, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (!strncmp(s, *prefixes, strlen(*prefixes)))
			return true;
	return false;
}

/* "libc.so.6", "ld-linux-x86-64.so.2", "pam_unix.so": a shared object. */
static bool is_shared_object(const char *path)
{
	const char *b = strrchr(path, '/'), *so;

	b = b ? b + 1 : path;
	for (so = strstr(b, ".so"); so; so = strstr(so + 1, ".so"))
		if (so[3] == '\0' || so[3] == '.')
			return true;
	return false;
}

bool rp_is_routine(const struct sr_attach *a)
{
	static const char *const routine[] = {
	    "/proc/",
	    "/etc/ld.so.cache",
	    "/etc/ld.so.preload",
	    "/usr/lib/locale/",
	    "/usr/share/locale",
	    "/usr/share/i18n/",
	    "/usr/lib/x86_64-linux-gnu/gconv/",
	    "/usr/lib/aarch64-linux-gnu/gconv/",
	    NULL,
	};

	if (a->network || !a->path || rp_is_write(a))
		return false;
	return !strcmp(a->path, "/proc") || has_prefix(a->path, routine) ||
	       is_shared_object(a->path);
}
