#!/bin/sh
# Guest side of bench/run-modes (busybox sh, run by the agent's `exec`):
#   sh modes-guest.sh SECONDS [REP]
# Brings the e1000 NIC up as 10.77.0.1/24 (the peer namespace and its
# iperf3 server on 10.77.0.2:5201 are set up at boot by /init), then runs
# iperf3 for SECONDS in each direction. Around each run it samples
# /proc/stat (all CPU time of the guest: both ends of the connection live in
# this guest) and nooks' crossing counter. One round (tx, then rx) labelled
# REP; running it again for the next round finds the NIC already up. One
# line per run:
#   dir=tx rep=1 busy_jiffies=N total_jiffies=N xpc_before=N|NA xpc_after=N|NA iperf_rc=N
# and iperf3's JSON in /tmp/iperf-<dir>-<rep>.json for the host to parse.
secs=${1:-5}
rep=${2:-1}
ifc=
for i in /sys/class/net/*; do
	drv=$(readlink "$i/device/driver" 2>/dev/null)
	[ "${drv##*/}" = e1000 ] && ifc=${i##*/}
done
[ -n "$ifc" ] || { echo "error=no-e1000-interface"; exit 1; }
ip addr add 10.77.0.1/24 dev "$ifc" 2>/dev/null
ip link set "$ifc" up
n=0
while [ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" != 1 ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" = 1 ] || { echo "error=no-carrier"; exit 1; }
ping -c 3 -W 2 10.77.0.2 >/dev/null 2>&1 || { echo "error=no-ping"; exit 1; }

xpc() { cat /sys/kernel/nooks/e1000/xpc_count 2>/dev/null || echo NA; }
# busy = user nice system irq softirq steal; total adds idle and iowait
cpu() { awk '/^cpu / { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6 }' /proc/stat; }

for dir in tx rx; do
	flag=
	[ $dir = rx ] && flag=-R
	set -- $(cpu)
	b0=$1 t0=$2 x0=$(xpc)
	iperf3 -c 10.77.0.2 -p 5201 -t "$secs" $flag -J >"/tmp/iperf-$dir-$rep.json" 2>&1
	rc=$?
	set -- $(cpu)
	echo "dir=$dir rep=$rep busy_jiffies=$(($1 - b0)) total_jiffies=$(($2 - t0))" \
		"xpc_before=$x0 xpc_after=$(xpc) iperf_rc=$rc"
done
