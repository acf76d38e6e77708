#!/usr/bin/env bash
# Re-record the bodies of the corpus logs from the real guest kernel,
# keeping each file's "# ..." expectation lines, e.g. after changing
# nooks_crashme or moving to a new guest kernel. Then run
# `make -C vmctl/classify test` to see whether the expectations still hold.
#   tests/console/recapture.sh [NAME...]     (default: every row below)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# name | capture kinds | extra kernel args | environment for capture.sh
rows='
null-01|null||
null-02|timernull||
wild-01|wild||
page-fault-nx-01|nx||
gpf-01|gpf||
gpf-02|gpf|oops=panic|
kernel-bug-01|bug||
kernel-bug-02|doublefree||
invalid-opcode-01|ud2||
divide-error-01|divide||
warning-01|warn||
warning-02|warn,gpf||
panic-01|panic||
panic-02|sysrq-c||
panic-03|stacksmash||
soft-lockup-01|softlockup||
soft-lockup-02|softlockup|softlockup_panic=1|
hung-task-01|hung||
hung-task-02|hung|hung_task_panic=1|
rcu-stall-01|rcustall|rcupdate.rcu_cpu_stall_timeout=3 nosoftlockup|SMP=2
bug-01|atomicsleep||
list-corruption-01|listcorrupt||
list-corruption-02|atomicsleep,listcorrupt,warn||
reboot-01|reboot||
reboot-02|reboot||NOREBOOT=0 TIMEOUT=30
none-01|none||
'
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
while IFS='|' read -r name kinds args envs; do
	[ -n "$name" ] || continue
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	file=$here/$name.log
	[ -f "$file" ] || { echo "recapture: $file has no expectation header yet" >&2; exit 1; }
	# shellcheck disable=SC2086
	env $envs "$here/capture.sh" "$kinds" "$tmp/body.log" $args
	{ grep '^#' "$file"; cat "$tmp/body.log"; } >"$tmp/new.log"
	mv "$tmp/new.log" "$file"
done <<<"$rows"
