# t-bench-repl.sh - the benchmark's replicated mode runs: S (one server)
# and R1 (a node of a multi-provider pair) give every scenario's RESULT
# line without an error, every registration timed on R1 reaches R2, R2
# catches up after each run.  No timing is asserted (BENCHMARKS.md).
. "$(dirname "$0")/lib.sh"
OUT=$T/repl.txt
BENCH_SETTLE_MAX=60 "$TOP/bench/compare" --replicated -n 200 -d 1 --out "$OUT" > "$T/compare.log" 2>&1
rc=$?
if [ $rc = 0 ]; then ok "bench/compare --replicated ran"
else nok "bench/compare --replicated exited $rc"; tail -20 "$T/compare.log" | sed 's/^/#   /'; fi

for s in S R1; do
	for sc in register keepalive:per-action keepalive:persistent mixed; do
		conn=${sc#*:} sc=${sc%%:*}
		[ "$conn" = "$sc" ] && conn=per-action
		check "$s: $sc ($conn) RESULT with errors=0" grep -Eq \
			"^RESULT server=$s .* scenario=$sc .* conn=$conn .* errors=0 " "$OUT"
	done
done
check "S: the steady keep-alives, errors=0" grep -Eq '^RESULT server=S .* scenario=keepalive .* errors=0 .* steady=2' "$OUT"
check "R1 reports R2's CPU time" grep -Eq '^RESULT server=R1 .* scenario=keepalive .* peer_cpu_s=[0-9.]+ ' "$OUT"
line=$(grep '^RESULT server=R1 .* scenario=lag ' "$OUT")
check "R1: the lag run, its keep-alives without an error" sh -c "echo '$line' | grep -q ' errors=0 '"
probes=$(echo "$line" | sed -n 's/.* probes=\([0-9]*\) .*/\1/p')
check "... registrations were timed" test "${probes:-0}" -gt 0
check "... every one reached R2 (seen = probes, none lost or failed)" sh -c \
	"echo '$line' | grep -q ' probe_errors=0 seen=$probes lost=0 '"
check "... with p50 and p99" sh -c "echo '$line' | grep -Eq ' lag_p50_ms=[0-9.]+ lag_p99_ms=[0-9.]+ '"
check "R2 caught up after every run, with the 200 registrations" sh -c \
	"test \$(grep -c '^CATCHUP server=R2 .* same=1 entries=200\$' '$OUT') = 5"
check "the summary gives R1/S and the lag" sh -c \
	"grep -q 'R1/S' '$T/compare.log' && grep -q '^replication lag R1 -> R2 at 200 users: ' '$T/compare.log'"
check "the keep-alive row has its ratio" grep -Eq '^keepalive +[0-9]+ +[0-9]+ +[0-9.]+ ' "$T/compare.log"
for pid in $(sed -n 's/^BASELINE .* pid=\([0-9]*\) .*/\1/p' "$OUT"); do
	check "slapd $pid stopped" sh -c "! kill -0 $pid 2>/dev/null"
done
finish
