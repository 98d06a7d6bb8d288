#!/bin/sh
# run.sh - run every back-ils test and count the results
#
# usage: tests/run.sh [test-file ...]   (default: tests/t-*.sh)
# Each test prints "ok - ..." / "not ok - ..." lines; the last line of the
# output is "N passed, N failed".  Exit status 0 only when nothing failed.
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
OUT=$(mktemp /tmp/ilsrun.XXXXXX)
[ $# -gt 0 ] || set -- "$TOP"/tests/t-*.sh
for t in "$@"; do
	echo "# $(basename "$t")"
	start=$(date +%s)
	sh "$t" > "$OUT.one" 2>&1
	cat "$OUT.one"
	cat "$OUT.one" >> "$OUT"
	if ! grep -q "^ok - $(basename "$t") ran to the end" "$OUT.one"; then
		echo "not ok - $(basename "$t") stopped before its end" | tee -a "$OUT"
	fi
	echo "# $(basename "$t"): $(( $(date +%s) - start ))s"
done
passed=$(grep -c '^ok' "$OUT")
failed=$(grep -c '^not ok' "$OUT")
rm -f "$OUT" "$OUT.one"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
