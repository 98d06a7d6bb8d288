# t-bench.sh - the benchmark's quick mode runs every scenario on the ILS
# server (A), the generic back-mdb + dds server (B) and back-null (C)
# without an error.  No timing is asserted: speed is BENCHMARKS.md's job.
. "$(dirname "$0")/lib.sh"
OUT=$T/quick.txt
"$TOP/bench/compare" --quick --out "$OUT" > "$T/compare.log" 2>&1
rc=$?
if [ $rc = 0 ]; then ok "bench/compare --quick ran"
else nok "bench/compare --quick exited $rc"; tail -20 "$T/compare.log" | sed 's/^/#   /'; fi

# has SERVER SCENARIO CONN: the RESULT line of one run, or nothing
has() {
	grep "^RESULT server=$1 .* scenario=$2 .* conn=$3 " "$OUT" | head -1
}
for sc in register keepalive keepalive-P refresh lookup browse mixed expiry; do
	conn=per-action
	case $sc in keepalive-P) sc=keepalive conn=persistent ;; esac
	line=$(has A $sc $conn)
	if [ -z "$line" ]; then
		nok "A: no RESULT line for $sc ($conn)"
	elif echo "$line" | grep -q ' errors=0 '; then
		ok "A: $sc ($conn) RESULT with errors=0"
	else
		nok "A: $sc ($conn) had errors: $line"
	fi
	for s in B C; do
		case $s$sc in C*register|C*refresh|C*mixed|C*expiry) continue ;; esac
		if [ -n "$(has $s $sc $conn)" ]; then ok "$s: $sc ($conn) RESULT line"
		else nok "$s: no RESULT line for $sc ($conn)"; fi
	done
done
# how fast expiry is belongs to BENCHMARKS.md; a note when some were left
grep -q '^RESULT server=A .*scenario=expiry .* all_gone=1 ' "$OUT" ||
	echo "# note: A still had expiring registrations after compare's wait (see BENCHMARKS.md)"
check "A: entries and RSS reported" grep -Eq '^RESULT server=A .*scenario=register .* rss_kb=[1-9][0-9]* .* entries=1000( |$)' "$OUT"
check "the summary gives A/B and A/C" grep -q 'A/B.*A/C' "$T/compare.log"
check "the keep-alive row has both ratios" grep -Eq '^keepalive +[0-9]+ +[0-9]+ +[0-9]+ .* [0-9.]+ +[0-9.]+ ' "$T/compare.log"
# every slapd that compare started is gone
for pid in $(sed -n 's/^BASELINE .* pid=\([0-9]*\) .*/\1/p' "$OUT"); do
	check "slapd $pid stopped" sh -c "! kill -0 $pid 2>/dev/null"
done
finish
