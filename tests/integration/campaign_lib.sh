# Shared by the t_campaign_* tests (sourced, not run).
fail() { echo "FAIL: $*"; exit 1; }
need() {
	for f in "$@"; do
		[ -e "$TOP/$f" ] || { echo "$f not built: run make first"; exit 77; }
	done
}
need bin/run-campaign bin/nooks-results bin/nooks-report build/guest/initramfs.cpio.gz
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI not installed"; exit 77; }
nooks_ready() { [ -f "$TOP/build/kmod/nooks.ko" ] && [ -x "$TOP/bin/nooks-isolate" ]; }
q() { sqlite3 "$1" "$2"; }	# db, query
# Short work dir: unix socket paths must stay under 108 bytes.
WORK=$(mktemp -d /tmp/nooks-itest.XXXXXX)
# QEMUs started under our work dir (found by that unique path, never by name).
our_qemus() { pgrep -f "qemu-system.*$WORK" || true; }
cleanup() {
	for p in $(our_qemus); do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
