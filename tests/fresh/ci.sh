#!/usr/bin/env bash
# CI's use of the fresh-machine check (tests/fresh/run.sh), called by .ci/run
# after the host suite and the kernel matrix.
#
# The check takes ~13 min on the CI machine kind (2 vCPU: ~30 s for the root,
# ~5 min for (a) with scripts/deps.sh installing ~1 GB of packages, ~5 min for
# (b), ~1.5 min for the sudo variant of (a)). Next to the host suite (~5 min)
# and the kernel matrix (~15-20 min) that is 33-38 min of CI's 45. So:
#   - it runs whenever the time left in CI's budget fits it (elapsed so far +
#     the last measured run + 10 %);
#   - it runs regardless of the budget when what a fresh machine depends on
#     changed since its last pass: scripts/ (deps.sh, the two commands),
#     README.md (the commands as written), .ci/, tests/fresh/, configure.ac
#     (build dependencies), or when that pass is older than 7 days (Debian's
#     archive moves on);
#   - otherwise it is skipped, and says why.
# The last pass and the last wall time are kept in the check's cache
# ($SR_FRESH_CACHE, default /var/cache/sshrec-fresh); without them it runs.
#
# Environment: SR_CI_START (epoch seconds CI started; default now),
# SR_CI_BUDGET (seconds, default 2700 = 45 min).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${SR_FRESH_CACHE:-/var/cache/sshrec-fresh}
DEPENDS_ON=(scripts README.md .ci tests/fresh configure.ac)
start=${SR_CI_START:-$(date +%s)}
budget=${SR_CI_BUDGET:-2700}
max_age=$((7 * 86400))

key=$(git -C "$top" ls-tree -r HEAD -- "${DEPENDS_ON[@]}" | sha256sum | cut -c1-16)
head=$(git -C "$top" rev-parse HEAD)
last_key= last_commit= last_when=0 last_secs=
read -r last_key last_commit last_when 2>/dev/null <"$CACHE/last-pass" || true
read -r last_secs 2>/dev/null <"$CACHE/last-secs" || true
now=$(date +%s)
elapsed=$((now - start))
need=$(((${last_secs:-900}) * 11 / 10))

reason=
if [ "$key" != "$last_key" ]; then
	reason="what a fresh machine depends on (${DEPENDS_ON[*]}) changed since its last pass"
	if [ -n "$last_commit" ] && git -C "$top" cat-file -e "$last_commit" 2>/dev/null; then
		reason+=" at ${last_commit:0:12}: $(git -C "$top" diff --name-only "$last_commit" HEAD -- "${DEPENDS_ON[@]}" | tr '\n' ' ')"
	fi
elif [ $((now - last_when)) -gt $max_age ]; then
	reason="its last pass is older than 7 days"
elif [ $((elapsed + need)) -le "$budget" ]; then
	reason="it fits: ${elapsed} s of CI's ${budget} s used, the last run took ${last_secs} s"
fi
if [ -z "$reason" ]; then
	echo "fresh check skipped: ${elapsed} s of CI's ${budget} s used and the last run took ${last_secs} s;" \
		"nothing it depends on changed since its pass at ${last_commit:0:12} ($(date -u -d "@$last_when" +%FT%TZ))"
	exit 0
fi
echo "fresh check: runs because $reason"
t0=$(date +%s)
bash "$top/tests/fresh/run.sh"
rc=$?
secs=$(($(date +%s) - t0))
mkdir -p "$CACHE"
echo "$secs" >"$CACHE/last-secs"
[ $rc -eq 0 ] && echo "$key $head $(date +%s)" >"$CACHE/last-pass"
exit $rc
