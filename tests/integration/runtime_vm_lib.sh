# Shared by tests/integration/t_runtime_recover_netbasic and
# t_runtime_native_contrast: the shared guest image plus an overlay with
# nooks.ko and the isolated e1000, booted with bin/vmctl, driven through
# the agent. Sourced with $TOP set; the cwd is the test's scratch dir.
. "$TOP/runtime/test/itest-lib.sh"

need_vm_image() {
	need_guest
	IMAGE=$TOP/build/guest/initramfs.cpio.gz
	[ -f "$IMAGE" ] || skip "build/guest/initramfs.cpio.gz not built"
	[ -x "$TOP/bin/vmctl" ] || skip "bin/vmctl not built"
	command -v jq >/dev/null || skip "jq not installed"
}

# make_initrd: ./initrd.cpio.gz = image + overlay (the kernel unpacks
# concatenated cpio archives in order, so the overlay's files win).
make_initrd() {
	local kver
	kver=$("$TOP/tools/guest-kver")
	mkdir -p overlay/lib/modules/nooks overlay/usr/bin
	cp "$TOP/build/kmod/nooks.ko" overlay/lib/modules/nooks/
	"$TOP/bin/nooks-isolate" --runtime "$TOP/build/kmod" \
		"/lib/modules/$kver/kernel/drivers/net/ethernet/intel/e1000/e1000.ko" \
		-o overlay/lib/modules/nooks/e1000.nooks.ko >/dev/null || die "nooks-isolate failed"
	cp "$TOP/build/guest-bin/nooksstat" overlay/usr/bin/ 2>/dev/null
	(cd overlay && find . | cpio -o -H newc --quiet | gzip -1) > overlay.cpio.gz
	cat "$IMAGE" overlay.cpio.gz > initrd.cpio.gz
}

# vm <timeout_s> <vmctl args...>: every vmctl call has a hard timeout.
vm() { timeout "$1" "$TOP/bin/vmctl" "${@:2}"; }
# agent <budget_s> <verb> [args...] on the VM in $VM.
agent() { vm "$(($1 + 10))" agent --dir "$VM" --timeout "$1" "${@:2}"; }
vm_boot() {	# vm_boot <dir>: detached boot into $VM; killed on exit
	VM=$1
	mkdir -p "$VM"
	vm 300 boot --dir "$VM" --initrd "$PWD/initrd.cpio.gz" --detach
}
vm_kill() { vm 30 kill --dir "$VM" >/dev/null 2>&1; }

# Guest shell snippets. GUEST_IFACE sets $E to e1000's interface (empty if
# none); GUEST_NET_UP gives it the net-basic address and waits for carrier.
GUEST_IFACE='E=; for n in /sys/class/net/*; do
[ "$(basename "$(readlink $n/device/driver 2>/dev/null)" 2>/dev/null)" = e1000 ] && E=$(basename $n); done'
GUEST_NET_UP="$GUEST_IFACE"'
ip addr flush dev $E 2>/dev/null; ip addr add 10.77.0.1/24 dev $E; ip link set $E up
i=0; while [ "$(cat /sys/class/net/$E/carrier 2>/dev/null)" != 1 ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done'
INJ=/sys/kernel/debug/nooks/e1000/fault_inject

# guest_provoke <entry> <type>: shell text that arms the trigger and then
# makes e1000 go through <entry>.
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

# Console lines for a fault type: BUG() is ud2, so it shows as #UD.
trap_name() {
	case $1 in pf) echo '#PF' ;; gp) echo '#GP' ;; ud|bug) echo '#UD' ;; de) echo '#DE' ;; esac
}

# guest_sh <budget_s> <script>: run a multi-line shell script in the guest
# (an agent command is one line, so the script travels base64-encoded).
guest_sh() {
	agent "$1" exec "$(($1 - 5))" "echo $(printf '%s\n' "$2" | base64 -w0) | base64 -d > /tmp/case.sh && sh /tmp/case.sh"
}
