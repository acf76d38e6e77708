# Shared by tests/integration/t_runtime_*: boot a scenario of
# nooks-guest-test with run-guest and check its console.
# Sourced with $TOP set; the cwd is the test's scratch directory.
set -u
RUNGUEST=$TOP/runtime/test/run-guest
CONSOLE=$PWD/console.log

skip() { echo "$*"; exit 77; }
die() { echo "FAIL: $*"; exit 1; }

need_guest() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
	[ -x /bin/busybox ] || skip "busybox-static not installed"
	[ -f "$TOP/build/kmod/nooks.ko" ] || skip "build/kmod/nooks.ko not built (make -C runtime)"
	[ -x "$TOP/bin/nooks-isolate" ] || skip "bin/nooks-isolate not built"
}

# run_scenario <scenario> <timeout>: boot; the console stays in $CONSOLE.
run_scenario() {
	"$RUNGUEST" "$1" "$PWD" "$2"
	rc=$?
	[ $rc -eq 2 ] && die "run-guest could not set up the guest"
	echo "--- NOOKSTEST lines and nooks messages:"
	grep -aE 'NOOKSTEST|nooks: e1000: (fault|recovered|disabled|restart-failed)' "$CONSOLE"
	return $rc
}

count() { grep -ac "$1" "$CONSOLE"; }

expect_done() {
	grep -aq 'NOOKSTEST DONE' "$CONSOLE" || die "guest did not finish the scenario (crash or timeout)"
}

expect_no_fail() {
	! grep -aq 'NOOKSTEST FAIL' "$CONSOLE" || die "$(grep -a 'NOOKSTEST FAIL' "$CONSOLE" | head -n 3)"
}

expect_count() {	# expect_count <regex> <min>
	n=$(count "$1")
	[ "$n" -ge "$2" ] || die "expected at least $2 lines matching '$1', got $n"
}
