# Shared by the t_vmctl_* integration tests (sourced; not a test itself).
# Real QEMU, the real Debian kernel and build/guest/initramfs.cpio.gz.
set -euo pipefail
: "${TOP:?TOP must point at the repository root}"
export PATH="$TOP/bin:$PATH"
IMAGE=$TOP/build/guest/initramfs.cpio.gz

skip() { echo "$1"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
note() { echo "-- $*"; }

command -v vmctl >/dev/null || skip "bin/vmctl not built (make -C vmctl)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
command -v jq >/dev/null || skip "jq not installed (make deps)"
[ -f "$IMAGE" ] || skip "no guest image $IMAGE (make guest)"

VM_DIRS=()
vm_cleanup() {
	local d
	for d in "${VM_DIRS[@]}"; do
		vmctl kill --dir "$d" >/dev/null 2>&1 || true
	done
}
trap vm_cleanup EXIT

# boot_vm DIR [options...]: boot detached, JSON report on stdout.
boot_vm() {
	local d=$1; shift
	VM_DIRS+=("$d")
	timeout 300 vmctl --json boot --dir "$d" --detach "$@"
}

# restore_vm DIR SNAPSHOT: restore detached, JSON report on stdout.
restore_vm() {
	local d=$1 snap=$2
	VM_DIRS+=("$d")
	timeout 120 vmctl --json restore --dir "$d" --snapshot "$snap" --detach
}

qemu_pid() { awk '{print $2}' "$1/pid"; }

# net_basic DIR: load e1000 and require every net-basic step to PASS.
net_basic() {
	local d=$1 out
	vmctl agent --dir "$d" load e1000 >/dev/null || fail "load e1000 in $d"
	out=$(timeout 300 vmctl --json agent --dir "$d" run net-basic 120) || true
	echo "$out" | jq -c '{status, pass, fail, final, max_heartbeat_gap_ms}'
	echo "$out" | jq -e '.status == "OK" and .fail == 0 and .pass >= 9 and
		([.steps[] | select(.pass | not)] | length) == 0 and (.steps | length) == .pass' >/dev/null ||
		fail "net-basic in $d: $(echo "$out" | jq -c '[.steps[] | select(.pass | not)], .final')"
}

# Ready snapshots of older images pile up in the shared cache (~100 MB
# each); drop those untouched for a day.
find "$TOP/build/vmctl-cache" -name '*.snap' -mmin +1440 -delete 2>/dev/null || true
