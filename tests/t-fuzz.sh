# t-fuzz.sh - the fuzzers, briefly (doc/fuzzing.md): each libFuzzer target
# for a few seconds from the committed corpus, and wirefuzz against the
# default configuration for a bounded count.  tests/fuzz/run-long runs
# them for hours.  The findings (doc/fuzzing.md) are replayed to stay
# fixed.
. "$(dirname "$0")/lib.sh"
FZ=$BUILD/tests/fuzz
CORPUS=$TOP/tests/fuzz/corpus
SECS=${ILS_FUZZ_SECS:-3}

# libFuzzer writes new inputs into the first folder: a scratch copy
fuzz_dirs() { mkdir -p "$T/c/$1" && cp "$CORPUS/$1"/* "$T/c/$1/" 2>/dev/null; echo "$T/c/$1"; }
LF="-max_total_time=$SECS -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$T/"

if [ ! -x "$FZ/fuzz-ilsdn" ] || [ ! -f "$FZ/ilsfuzz.so" ]; then
	nok "libFuzzer targets built (configure found no clang with libFuzzer: apt-get install clang libclang-rt-dev, scripts/setup.sh)"
else
	for t in ilsdn ipaddr latin1; do
		nice "$FZ/fuzz-$t" $LF -dict="$TOP/tests/fuzz/ils.dict" "$(fuzz_dirs $t)" > "$T/$t.log" 2>&1
		rc=$?
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$t.log")
		check "fuzz-$t: $runs runs, nothing found" test "$rc" = 0 -a -n "$runs"
		[ "$rc" = 0 ] || grep -E "ERROR|runtime error|Test unit" "$T/$t.log" | head -5 | sed 's/^/#   /'
	done
	for t in filter record dn; do
		nice "$TOP/tests/fuzz/run-slapd" "$t" $LF -dict="$TOP/tests/fuzz/ils.dict" \
			"$(fuzz_dirs $t)" > "$T/$t.log" 2>&1
		rc=$?
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$t.log")
		check "ilsfuzz $t in slapd: $runs runs, nothing found" test "$rc" = 0 -a -n "$runs"
		[ "$rc" = 0 ] || grep -E "ERROR|runtime error|Test unit" "$T/$t.log" | head -5 | sed 's/^/#   /'
	done
	# the harness must be able to fail: its selftest target reads freed
	# memory, and ASan inside slapd must say so
	printf 'UAF' > "$T/uaf"
	"$TOP/tests/fuzz/run-slapd" selftest -artifact_prefix="$T/st-" "$T/uaf" > "$T/st.log" 2>&1
	rc=$?
	check "a use-after-free inside slapd is reported (exit $rc)" sh -c \
		"test $rc != 0 && grep -q heap-use-after-free '$T/st.log'"
	# the fixed findings stay fixed
	for f in F1-filter:filter F2-record:record F3-record:record; do
		"$TOP/tests/fuzz/run-slapd" "${f#*:}" \
			-artifact_prefix="$T/re-" "$TOP/tests/fuzz/findings/${f%:*}" > "$T/re.log" 2>&1
		check "finding ${f%:*} stays fixed" test $? = 0
	done
fi

# wirefuzz: mutated ILS sessions against the default configuration
ils_conf "$T/d" > /dev/null
start_slapd -f "$T/d/slapd.conf" || { finish; exit 0; }
check "wirefuzz: 2000 sessions, slapd alive" \
	"$BUILD/tests/fuzz/wirefuzz" -H 127.0.0.1 -p "$PORT" -P "$SPID" -s 1 -n 2000 -t 30 \
	-b 500 -c 16 -o "$T/wire-crash" "$CORPUS/wire"
check "slapd still running after wirefuzz" alive

# and wirefuzz notices a server that is gone
crash_slapd
check "wirefuzz reports a dead server" sh -c \
	"! '$BUILD/tests/fuzz/wirefuzz' -p '$PORT' -n 10 -t 5 '$CORPUS/wire' | grep -q '^ok'"
finish
