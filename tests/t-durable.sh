# t-durable.sh - what an OS crash may cost: ils-dbnosync on flushes each
# write's data pages and ils-checkpoint the rest, periodically; off flushes
# each write whole.  The flushes are watched with strace (fdatasync calls),
# the keywords through slapd.conf and cn=config, the data through kill -9.
. "$(dirname "$0")/lib.sh"
CONF=$(ils_conf "$T/d")
uncapped "$CONF"	# forty registrations from 127.0.0.1
cat >> "$CONF" <<EOF
ils-checkpoint 1

database config
rootpw config
EOF
cfmod() {
	printf 'dn: olcDatabase={1}ils,cn=config\nchangetype: modify\nreplace: %s\n%s: %s\n' "$1" "$1" "$2" |
		ldapmodify -x -H "$URI" -D cn=config -w config
}
cfget() {
	ldapsearch -x -LLL -o ldif-wrap=no -H "$URI" -D cn=config -w config \
		-b 'olcDatabase={1}ils,cn=config' -s base "$1" | sed -n "s/^$1: //p"
}
# register N PREFIX: N registrations from one client
register() {
	i=0
	while [ $i -lt "$1" ]; do
		printf 'dn: cn=%s%d@x,ou=Dynamic,o=Intranet\ncn: %s%d@x\nsipaddress: 16777343\n\n' "$2" $i "$2" $i
		i=$((i + 1))
	done | ldapadd -x -H "$URI" > /dev/null
}
count() {
	ldapsearch -x -LLL -H "$URI" -b ou=Dynamic,o=Intranet -s one 1.1 | grep -c '^dn:'
}
# flushes SECS [COMMAND...]: how many fdatasync calls slapd makes in SECS
# seconds while COMMAND runs (strace, attached to every thread)
flushes() {
	secs=$1; shift
	strace -f -qq -e trace=fdatasync,fsync,msync -o "$T/strace.out" -p "$SPID" 2>/dev/null &
	st=$!
	sleep 0.5
	[ $# -gt 0 ] && "$@"
	sleep "$secs"
	kill "$st"; wait "$st" 2>/dev/null
	grep -c 'fdatasync(' "$T/strace.out"
}

start_slapd -f "$CONF" || exit 1
check "ils-checkpoint 1 from slapd.conf reads back as olcIlsCheckpoint" test "$(cfget olcIlsCheckpoint)" = 1
check "ils-dbnosync is on by default" test "$(cfget olcIlsDbNoSync)" = TRUE
expect_rc 80 "olcIlsCheckpoint -1 is refused" cfmod olcIlsCheckpoint -1
expect_rc 80 "olcIlsCheckpoint 3601 is refused" cfmod olcIlsCheckpoint 3601
check "... and the value stays" test "$(cfget olcIlsCheckpoint)" = 1

if command -v strace > /dev/null && strace -qq -e trace=none true 2>/dev/null; then
	n=$(flushes 1 register 20 a)
	check "on: every write flushes its data pages (20 Adds, $n fdatasync calls)" test "$n" -ge 20
	n=$(flushes 3.2)
	check "on, idle: the checkpoint flushes once a second ($n fdatasync calls in 3.2 s)" \
		test "$n" -ge 2 -a "$n" -le 5
	expect_rc 0 "olcIlsCheckpoint 0 turns the checkpoint off at run time" cfmod olcIlsCheckpoint 0
	n=$(flushes 2.5)
	check "... and an idle server flushes nothing ($n fdatasync calls in 2.5 s)" test "$n" -eq 0
	expect_rc 0 "olcIlsCheckpoint 2 turns it on again" cfmod olcIlsCheckpoint 2
	n=$(flushes 4.5)
	check "... every 2 s ($n fdatasync calls in 4.5 s)" test "$n" -ge 1 -a "$n" -le 3
else
	ok "# skip: no strace here to watch the flushes"
fi

expect_rc 0 "olcIlsDbNoSync FALSE flushes every write whole from now on" cfmod olcIlsDbNoSync FALSE
check "... and reads back" test "$(cfget olcIlsDbNoSync)" = FALSE
register 10 b
crash_slapd
start_slapd -f "$CONF" || exit 1
check "writes made before kill -9 are there (30 registrations)" test "$(count)" -eq 30
stop_slapd

# ils-dbnosync off from slapd.conf
sed -i 's/^ils-checkpoint 1$/ils-dbnosync off/' "$CONF"
start_slapd -f "$CONF" || exit 1
check "ils-dbnosync off from slapd.conf reads back" test "$(cfget olcIlsDbNoSync)" = FALSE
check "ils-checkpoint defaults to 5 s" test "$(cfget olcIlsCheckpoint)" = 5
register 10 c
crash_slapd
start_slapd -f "$CONF" || exit 1
check "off: writes made before kill -9 are there (40 registrations)" test "$(count)" -eq 40
stop_slapd

echo "ils-checkpoint 3601" >> "$CONF"
check "slaptest refuses ils-checkpoint 3601" sh -c "! '$SLAPD' -Tt -f '$CONF' >/dev/null 2>&1"
sed -i 's/^ils-checkpoint 3601$/ils-checkpoint 1m/' "$CONF"
check "slaptest refuses ils-checkpoint 1m (seconds, a number)" sh -c "! '$SLAPD' -Tt -f '$CONF' >/dev/null 2>&1"
finish
