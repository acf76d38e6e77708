#!/usr/bin/env bash
# The `classify` command line: text and --json output on real corpus logs,
# clear errors and exit codes for unreadable files and bad usage.
# Usage: test_cli.sh CLASSIFY_BINARY CORPUS_DIR
set -u
bin=$1 corpus=$2
pass=0 fail=0
check() {	# check NAME CONDITION...
	local name=$1; shift
	if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}
glob() { [[ $1 == $2 ]]; }	# glob STRING PATTERN
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

out=$("$bin" "$corpus/gpf-01.log"); rc=$?
check "text exit 0" [ "$rc" = 0 ]
check "text line" glob "$out" "$corpus/gpf-01.log: gpf: general protection fault in crashme_gpf \\[????????????????\\]"

out=$("$bin" "$corpus/panic-02.log")
check "text kernel died" glob "$out" "*: panic: kernel panic: sysrq triggered crash in sysrq_handle_crash \\[????????????????\\] (kernel died)"

out=$("$bin" --json "$corpus/gpf-01.log" "$corpus/warning-02.log"); rc=$?
check "json exit 0" [ "$rc" = 0 ]
check "json one line per log" [ "$(printf '%s\n' "$out" | wc -l)" = 2 ]
check "json category" grep -q '"category":"gpf"' <<<"$out"
check "json guilty module" grep -q '"guilty_module":"nooks_crashme"' <<<"$out"
check "json two reports in warning-02" grep -q '"title":"WARNING in crashme_warn"' <<<"$(sed -n 2p <<<"$out")"
if command -v python3 >/dev/null; then
	check "json parses" python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <<<"$out"
fi

# The same fault with and without nooks: one signature, told apart by flags.
contained=$("$bin" --json "$corpus/nooks-contained-01.log")
native=$("$bin" --json "$corpus/nooks-native-01.log")
sig_of() { grep -o '"title":"general protection fault in nooks_gadget_gp","signature":"[0-9a-f]*"' <<<"$1" | head -n 1 | grep -o '[0-9a-f]\{16\}'; }
check "contained/native signature found" [ -n "$(sig_of "$contained")" ]
check "contained and native share a signature" [ "$(sig_of "$contained")" = "$(sig_of "$native")" ]
check "contained flag" grep -q '"signature":"[0-9a-f]*","kernel_died":false,"contained":true' <<<"$contained"
check "native flags" grep -q '"signature":"[0-9a-f]*","kernel_died":true,"contained":false' <<<"$native"

printf 'Linux version\xff\xfe 6\n[    1.0] nooks: e1000: fault \xff\n' >"$tmp/bin.log"
out=$("$bin" --json "$tmp/bin.log"); rc=$?
check "json on binary bytes exit 0" [ "$rc" = 0 ]
check "json on binary bytes event" grep -q '"event":"fault","driver":"e1000"' <<<"$out"

: >"$tmp/empty.log"
out=$("$bin" "$tmp/empty.log"); rc=$?
check "empty log exit 0" [ "$rc" = 0 ]
check "empty log is no-output" glob "$out" "*: no-output: no output from kernel \\[*"

out=$("$bin" "$tmp/missing.log" "$corpus/gpf-01.log" 2>"$tmp/err"); rc=$?
check "missing file exit 1" [ "$rc" = 1 ]
check "missing file message" grep -q "cannot read $tmp/missing.log: No such file or directory" "$tmp/err"
check "other logs still classified" grep -q 'gpf-01.log: gpf:' <<<"$out"

"$bin" "$tmp" 2>"$tmp/err" >/dev/null; rc=$?
check "directory exit 1" [ "$rc" = 1 ]
check "directory message" grep -q "cannot read $tmp: Is a directory" "$tmp/err"

"$bin" 2>"$tmp/err" >/dev/null; rc=$?
check "no args exit 2" [ "$rc" = 2 ]
check "no args message" grep -q "no log given" "$tmp/err"
"$bin" --bogus x 2>/dev/null >/dev/null; rc=$?
check "bad option exit 2" [ "$rc" = 2 ]

echo "test_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
