# Shared by tests/integration/t_runtime_pm and t_runtime_pcierr: one boot
# of the shared image with nooks.ko and the isolated e1000 (see
# runtime_vm_lib.sh), then cases that each provoke one e1000 callback in
# the guest and check what nooks did. Sourced with $TOP set.
. "$TOP/tests/integration/runtime_vm_lib.sh"
NK=/sys/kernel/nooks/e1000

# boot_isolated_e1000: boot, load nooks.ko and e1000.nooks.ko, link up.
boot_isolated_e1000() {
	need_vm_image
	make_initrd
	trap vm_kill EXIT
	vm_boot "$PWD/vm" || die "boot failed"
	CON=$VM/console.log
	agent 120 load /lib/modules/nooks/nooks.ko max_restarts=1000 || die "load nooks"
	agent 120 load /lib/modules/nooks/e1000.nooks.ko || die "load e1000.nooks"
	[ "$(stat_of state)" = live ] || die "no live domain after load"
	ping_ok start || die "ping fails before any case"
}

stat_of() { agent 30 cat "$NK/$1" | head -n 1; }

# ping_ok <label>: e1000 up with its address, the peer answers. After a
# recovery during a sleep transition the driver core defers the restarted
# driver's probe to the transition's end: wait for the interface first.
ping_ok() {
	guest_sh 60 "i=0; while :; do $GUEST_IFACE
[ -n \"\$E\" ] || [ \$i -ge 50 ] && break; sleep 0.2; i=\$((i + 1)); done
$GUEST_NET_UP
ping -c 3 -W 2 10.77.0.2" > "ping-$1.txt"
}

console_mark() { CON_FROM=$(($(wc -l < "$CON") + 1)); }

# console_wait <file> <regex>...: the console since console_mark, into
# <file>, once every regex matches (the capture may trail the agent).
console_wait() {
	local out=$1 re ok
	shift
	for _ in $(seq 50); do
		tail -n +"$CON_FROM" "$CON" > "$out"
		ok=1
		for re in "$@"; do grep -aqE "$re" "$out" || ok=; done
		[ -n "$ok" ] && return 0
		sleep 0.2
	done
	return 1
}

# fault_case <label> <entry to arm> <type> <callback name> <guest script>:
# arm the trigger, run the script (which makes e1000 go through the
# entry), then expect the fault contained and logged against <callback
# name>, one more recovery, a live domain, no panic, and ping working.
# The script's output is in case-<label>.txt.
fault_case() {
	local label=$1 entry=$2 type=$3 cb=$4 script=$5 before tn start
	before=$(stat_of recoveries)
	console_mark
	start=$(date +%s.%N)
	guest_sh 120 "echo '$entry $type' > $INJ
$script
i=0; while [ \"\$(cat $NK/recoveries)\" = '$before' ] && [ \$i -lt 200 ]; do sleep 0.2; i=\$((i + 1)); done
i=0; while [ \"\$(cat $NK/state)\" != live ] && [ \$i -lt 100 ]; do sleep 0.2; i=\$((i + 1)); done
nooksstat -v" > "case-$label.txt" || die "$label: agent exec failed (vmctl exit $?: 3 = hung, 4 = QEMU exited)"
	grep -q "e1000.recoveries $((before + 1))\$" "case-$label.txt" ||
		{ cat "case-$label.txt"; die "$label: recoveries did not go from $before to $((before + 1))"; }
	grep -q 'e1000.state live' "case-$label.txt" || die "$label: domain not live after recovery"
	tn=$(trap_name "$type")
	console_wait "console-$label.txt" "nooks: e1000: fault $tn at .* entry=$cb\b" \
		'nooks: e1000: recovered in' ||
		{ tail -n 30 "console-$label.txt"; die "$label: no 'fault $tn ... entry=$cb' and 'recovered' lines"; }
	! grep -aq 'Kernel panic' "$CON" || die "$label: Kernel panic on the console"
	grep -a -m1 "nooks: e1000: fault $tn" "console-$label.txt"
	grep -a -m1 'nooks: e1000: recovered in' "console-$label.txt"
	ping_ok "$label" || { cat "ping-$label.txt"; die "$label: ping fails after recovery"; }
	printf '%-22s contained, recovered, ping ok (%.1f s)\n' "$label" \
		"$(echo "$(date +%s.%N) - $start" | bc)"
}
