#!/usr/bin/env bash
# Record one real console log of the guest kernel failing in a chosen way.
#   tests/console/capture.sh KIND OUT.log [extra kernel args...]
# KIND is a nooks_crashme trigger (null, gpf, ...), "sysrq-c" or "reboot",
# or several of them separated by commas, fired one after the other.
# Builds a throwaway busybox initramfs in a temp dir holding
# build/kmod/nooks_crashme.ko (run `make -C tests/kmods all` first), boots
# the guest kernel in QEMU with the project's shared command line shape
# (TCG, -smp 1, 256M, -no-reboot) and writes the console with a host time
# prefix per line, the way vmctl records consoles. Needs busybox-static.
# Set SMP=2 for triggers that need a second CPU, NOREBOOT=0 to let the
# guest reboot once (the log then shows a second kernel banner).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kind=$1 out=$2; shift 2
kver=$("$top"/tools/guest-kver)
ko=$top/build/kmod/nooks_crashme.ko
[ -f "$ko" ] || { echo "capture: $ko missing: make -C tests/kmods all" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "capture: /bin/busybox missing: apt-get install busybox-static" >&2; exit 1; }
work=$(mktemp -d /tmp/crashme-capture.XXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/modules}
cp /bin/busybox "$root"/bin/busybox
for app in sh mount insmod echo cat sleep poweroff reboot sysctl; do
	ln -s busybox "$root/bin/$app"
done
cp "$ko" "$root"/lib/modules/
cat >"$root"/init <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
kinds=
for w in $(cat /proc/cmdline); do case $w in crashme=*) kinds=${w#crashme=};; esac; done
echo 3 > /proc/sys/kernel/hung_task_timeout_secs
echo 2 > /proc/sys/kernel/watchdog_thresh
insmod /lib/modules/nooks_crashme.ko spin_secs=12 hung_secs=15
IFS=,
for kind in $kinds; do
echo "crashme-init: trigger $kind"
case $kind in
sysrq-c) echo 1 > /proc/sys/kernel/sysrq; echo c > /proc/sysrq-trigger ;;
reboot)  reboot -f ;;
hung)    sh -c 'echo hung > /sys/kernel/debug/crashme/trigger' & sleep 12 ;;
*)       sh -c "echo $kind > /sys/kernel/debug/crashme/trigger" ;;
esac
# The trigger ran in a child: an oops kills it, init goes on.
echo "crashme-init: trigger returned, init alive"
sleep 2
done
poweroff -f
INIT
chmod +x "$root"/init
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work"/initramfs.cpio.gz
noreboot=-no-reboot
[ "${NOREBOOT:-1}" = 0 ] && noreboot=
# Host time prefix on every console line, as vmctl writes consoles.
timeout "${TIMEOUT:-150}" qemu-system-x86_64 -accel tcg -m 256M -smp "${SMP:-1}" \
	-nodefaults -no-user-config -display none $noreboot \
	-kernel /boot/vmlinuz-"$kver" -initrd "$work"/initramfs.cpio.gz \
	-append "console=ttyS0,115200 loglevel=8 panic=1 printk.time=1 crashme=$kind $*" \
	-serial stdio -netdev hubport,id=n0,hubid=0 -device e1000,netdev=n0 </dev/null |
	while IFS= read -r line; do
		t=${EPOCHREALTIME/./ }
		printf '[%s.%s] %s\n' "$(date -u -d @"${t% *}" +%Y-%m-%dT%H:%M:%S)" "${t#* }" "$line"
	done >"$out" || true
echo "capture: $kind -> $out ($(wc -l <"$out") lines)"
