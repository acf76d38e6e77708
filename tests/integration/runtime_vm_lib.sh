# Shared by tests/integration/t_runtime_*: the shared guest image plus an
# overlay with nooks.ko and the isolated e1000, booted with bin/vmctl,
# driven through the agent (guest/PROTOCOL.md). Sourced with $TOP set; the
# cwd is the test's scratch dir.
set -u

skip() { echo "$*"; exit 77; }
die() { echo "FAIL: $*"; exit 1; }

need_vm_image() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
	[ -f "$TOP/build/kmod/nooks.ko" ] || skip "build/kmod/nooks.ko not built (make -C runtime)"
	[ -x "$TOP/bin/nooks-isolate" ] || skip "bin/nooks-isolate not built"
	IMAGE=$TOP/build/guest/initramfs.cpio.gz
	[ -f "$IMAGE" ] || skip "build/guest/initramfs.cpio.gz not built"
	[ -x "$TOP/bin/vmctl" ] || skip "bin/vmctl not built"
	command -v jq >/dev/null || skip "jq not installed"
}

# make_initrd: ./initrd.cpio.gz = image + overlay (the kernel unpacks
# concatenated cpio archives in order, so the overlay's files win). The
# overlay has /lib/modules/nooks/e1000.nooks.ko (the stock e1000 through
# nooks-isolate); arguments, if any, are a command run before packing
# (to add files to ./overlay).
make_initrd() {
	local kver
	kver=$("$TOP/tools/guest-kver")
	mkdir -p overlay/lib/modules/nooks overlay/usr/bin
	cp "$TOP/build/kmod/nooks.ko" overlay/lib/modules/nooks/
	"$TOP/bin/nooks-isolate" --runtime "$TOP/build/kmod" \
		"/lib/modules/$kver/kernel/drivers/net/ethernet/intel/e1000/e1000.ko" \
		-o overlay/lib/modules/nooks/e1000.nooks.ko >/dev/null || die "nooks-isolate failed"
	cp "$TOP/build/guest-bin/nooksstat" overlay/usr/bin/ 2>/dev/null
	[ $# -eq 0 ] || "$@" || die "make_initrd: $* failed"
	(cd overlay && find . | cpio -o -H newc --quiet | gzip -1) > overlay.cpio.gz
	cat "$IMAGE" overlay.cpio.gz > initrd.cpio.gz
	INITRD=$PWD/initrd.cpio.gz
}

# patch_text <ko> <function>+<offset>:<hex bytes>: overwrite instructions
# in the .text of a module file (a deterministic fault in the driver's own
# code). The offset is from the function's symbol.
patch_text() {
	local ko=$1 where=${2%%:*} hex=${2#*:} fn off sym text pos
	fn=${where%+*} off=${where#*+}
	sym=$(nm "$ko" | awk -v f="$fn" '$3 == f && ($2 == "t" || $2 == "T") { print $1; exit }')
	text=$(objdump -h "$ko" | awk '$2 == ".text" { print $6; exit }')
	[ -n "$sym" ] && [ -n "$text" ] || die "patch_text: no $fn in the .text of $ko"
	pos=$(( 0x$text + 0x$sym + off ))
	printf "$(echo "$hex" | sed 's/../\\x&/g')" |
		dd of="$ko" bs=1 seek=$pos conv=notrunc status=none || die "patch_text: dd failed"
	echo "patched $fn+$off of $(basename "$ko") with $hex (file offset $pos)"
}

# vm <timeout_s> <vmctl args...>: every vmctl call has a hard timeout.
vm() { timeout "$1" "$TOP/bin/vmctl" "${@:2}"; }
# agent <budget_s> <verb> [args...] on the VM in $VM.
agent() { vm "$(($1 + 10))" agent --dir "$VM" --timeout "$1" "${@:2}"; }
# vm_boot <dir> [kernel args]: detached boot into $VM; killed on exit.
# Kernel args are added to vmctl's default command line (e.g.
# clearcpuid=13 for isolation=pagetable). VM_SMP=<n> (default 1) boots
# with n CPUs (qemu -smp n).
VM_CMDLINE='console=ttyS0,115200 loglevel=8 panic=1 printk.time=1'
vm_boot() {
	VM=$1
	mkdir -p "$VM"
	vm 300 boot --dir "$VM" --initrd "$INITRD" --detach --smp "${VM_SMP:-1}" \
		${2:+--append "$VM_CMDLINE $2"}
}
vm_kill() { vm 30 kill --dir "$VM" >/dev/null 2>&1; }

# Guest shell snippets. GUEST_IFACE sets $E to e1000's interface (empty if
# none); GUEST_NET_UP gives it the net-basic address and waits for carrier;
# GUEST_PING succeeds when the peer answers at least one of 3 pings (-A:
# the next one as soon as a reply is in, not a second later).
# GUEST_AUTONEG_WAIT follows a recovery: the re-probe reset QEMU's e1000,
# whose link returns after a 0.5 s autonegotiation; `up` before that makes
# e1000's first watchdog run see no link, and carrier then waits for the
# next run 2 s later (measured: carrier 2.1 s after `up` without the wait,
# 0.05-0.35 s with it).
GUEST_AUTONEG_WAIT='sleep 0.6'
GUEST_IFACE='E=; for n in /sys/class/net/*; do
[ "$(basename "$(readlink $n/device/driver 2>/dev/null)" 2>/dev/null)" = e1000 ] && E=$(basename $n); done'
GUEST_NET_UP="$GUEST_IFACE"'
ip addr flush dev $E 2>/dev/null; ip addr add 10.77.0.1/24 dev $E; ip link set $E up
i=0; while [ "$(cat /sys/class/net/$E/carrier 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done'
GUEST_PING='ping -c 3 -A -W 3 10.77.0.2 | grep -q " [1-9][0-9]* packets received"'
INJ=/sys/kernel/debug/nooks/e1000/fault_inject
NK=/sys/kernel/nooks/e1000

# guest_provoke <entry> <type>: shell text that arms the trigger and then
# makes e1000 go through <entry> (once; used with containment off).
guest_provoke() {
	local arm="echo '$1 $2' > $INJ"
	case $1 in
	probe)	# unbind (remove), arm, bind: the next call is probe
		echo "$GUEST_IFACE"'
dev=$(basename "$(readlink /sys/class/net/$E/device)")
echo $dev > /sys/bus/pci/drivers/e1000/unbind
'"$arm"'
echo $dev > /sys/bus/pci/drivers/e1000/bind' ;;
	ndo_open)	# down, arm, up
		echo "$GUEST_NET_UP"'
ip link set $E down
'"$arm"'
ip link set $E up' ;;
	ndo_start_xmit|irq|napi_poll)	# traffic: xmit, then the IRQ and NAPI
		echo "$GUEST_NET_UP"'
'"$arm"'
ping -c 3 -W 2 10.77.0.2' ;;
	work)	# e1000's watchdog is delayed work, every 2 s while up
		echo "$GUEST_NET_UP"'
'"$arm"'
sleep 6' ;;
	*) die "unknown entry $1" ;;
	esac
}

# guest_fault_recover <entry> <type> [domain dir]: shell text that reads the
# domain's recoveries, provokes the fault and polls (0.1 s) until the
# recovery count moved and the domain is live again (up to 30 s), gives
# the link its autonegotiation, then prints `nooksstat -v`. Traffic entries get one ping every 2 s until then
# (in the background: a ping to a failed driver would wait out its -W).
guest_fault_recover() {
	local kick=: text
	case $1 in
	ndo_start_xmit|irq|napi_poll)
		kick='[ $((i % 20)) = 0 ] && { ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 & }' ;;
	esac
	text=$(guest_provoke "$1" "$2")
	case $1 in	# the poll below replaces the fixed trigger wait
	ndo_start_xmit|irq|napi_poll) text=${text%ping -c 3 -W 2 10.77.0.2} ;;
	work) text=${text%sleep 6} ;;
	esac
	echo "before=\$(cat $NK/recoveries)
{ $text
} >/dev/null 2>&1
i=0; while [ \"\$(cat $NK/recoveries 2>/dev/null)\" = \"\$before\" ] && [ \$i -lt 300 ]; do
$kick
sleep 0.1; i=\$((i + 1)); done
i=0; while [ \"\$(cat $NK/state 2>/dev/null)\" != live ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
wait
$GUEST_AUTONEG_WAIT
nooksstat -v"
}

# Console lines for a fault type: BUG() is ud2, so it shows as #UD.
trap_name() {
	case $1 in pf) echo '#PF' ;; gp) echo '#GP' ;; ud|bug) echo '#UD' ;; de) echo '#DE' ;; esac
}

# guest_sh <budget_s> <script>: run a multi-line shell script in the guest
# (an agent command is one line, so the script travels base64-encoded).
guest_sh() {
	agent "$1" exec "$(($1 - 5))" "echo $(printf '%s\n' "$2" | base64 -w0) | base64 -d > /tmp/case.sh && sh /tmp/case.sh"
}

# console_wait <from line> <regex>...: the console capture may trail the
# agent by a moment; waits up to 10 s until every regex matches a console
# line at or after <from>, leaves those lines in ./console-tail.txt.
console_wait() {
	local from=$1 re ok
	shift
	for _ in $(seq 50); do
		tail -n +"$from" "$VM/console.log" > console-tail.txt
		ok=1
		for re in "$@"; do grep -aqE "$re" console-tail.txt || { ok=0; break; }; done
		[ $ok = 1 ] && return 0
		sleep 0.2
	done
	return 1
}
console_lines() { wc -l < "$VM/console.log"; }

# kernel_unhealthy <console file>: prints the first kernel error reports
# (BUG:, Oops, WARNING:, bad page maps/swap entries) and succeeds if there
# are any. A contained fault prints none of these (an injected BUG() shows
# only "kernel BUG at ..." before nooks takes it). Soft lockups are left
# out: under TCG on an overloaded host they come from the host.
KERNEL_ERRORS='BUG:|Oops|WARNING:|Bad page|Bad swap'
kernel_unhealthy() { grep -aE "$KERNEL_ERRORS" "$1" | grep -av 'soft lockup' | head -n 3 | grep .; }

# --- the fault trigger's wild writes (t_runtime_pt_writes, t_runtime_pt_smp)
VICT=/sys/kernel/debug/nooks/pt_victims
PT_ENTRIES='ndo_open napi_poll irq'
PT_WRITES='wkmalloc wmodule wpercpu wstack'
ctx_of() { case $1 in ndo_open) echo process ;; napi_poll) echo softirq ;; irq) echo hardirq ;; esac; }
victim() { awk -v t="$2" '$1 == t {print $'"$3"'}' "$1"; }	# victim <file> <type> <2=addr|3=value>

# pt_load <isolation>: nooks.ko in that mode (1000 restarts), the isolated e1000.
pt_load() {
	agent 120 load /lib/modules/nooks/nooks.ko max_restarts=1000 "isolation=$1" ||
		die "load nooks isolation=$1"
	agent 120 load /lib/modules/nooks/e1000.nooks.ko || die "load e1000.nooks ($1)"
	[ "$(agent 30 cat $NK/isolation | head -n 1)" = "$1" ] || die "sysfs isolation is not $1"
}

# Guest shell: netup (after a recovery e1000 has a new netdev), prov <entry>
# <type> arms the trigger and makes e1000 go through the entry (ndo_open:
# down/up; napi_poll, irq: ping), up waits for carrier, vic <type> prints
# the victim word, recovered <n> waits until the recoveries moved past <n>
# and the domain is live, then for the link's autonegotiation (see
# GUEST_AUTONEG_WAIT: netup right after a recovery waits ~2 s longer for
# carrier). The commands that enter the driver run under
# $PIN (empty, or e.g. "taskset -c 1" to enter it on CPU 1).
GUEST_PT_PROV="netup() {
$GUEST_NET_UP
}
netup"'
vic() { awk -v t="$1" '"'"'$1 == t {print $3}'"'"' '"$VICT"'; }
prov() {
	if [ "$1" = ndo_open ]; then
		ip link set $E down; echo "$1 $2" > '"$INJ"'; $PIN ip link set $E up
	else
		echo "$1 $2" > '"$INJ"'; $PIN ping -c 3 -W 2 10.77.0.2
	fi >/dev/null 2>&1
}
up() {
	i=0; while [ "$(cat /sys/class/net/$E/carrier 2>/dev/null)" != 1 ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
}
recovered() {
	i=0; while [ "$(cat '"$NK"'/recoveries)" = "$1" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	i=0; while [ "$(cat '"$NK"'/state)" != live ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	'"$GUEST_AUTONEG_WAIT"'
}'
