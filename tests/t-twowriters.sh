# t-twowriters.sh - the write-behind pass and an urgent refresh write the
# same entry's dynttlExpireTime in the worse order (issue 10's ghost): the
# pass reads the later time T1 of a refresh written behind, and is held by
# gdb (non-stop: only its thread stops) just before its internal Modify;
# meanwhile a refresh to a shorter TTL is written at once with T2 < T1;
# then the pass goes on.  The entry must keep T2, the time acknowledged
# last, and its expiry Delete at T2 must remove it from the database; an
# older time written over T2 would fail the Delete's assertion and leave
# the entry stored (a ghost) until a restart.
. "$(dirname "$0")/lib.sh"
command -v gdb >/dev/null || { nok "gdb is installed (scripts/setup.sh)"; exit 1; }
mkdir -p "$T/mdb"
{ mdb_conf_head; cat <<CONF
database mdb
suffix "dc=example,dc=com"
rootdn "cn=admin,dc=example,dc=com"
rootpw secret
directory $T/mdb
overlay dynttl
dynttl-default-ttl 60
dynttl-min-ttl 2
dynttl-max-ttl 1h
dynttl-persist-delay 1
CONF
} > "$T/slapd.conf"
ADM="-D cn=admin,dc=example,dc=com -w secret"
W=cn=w,dc=example,dc=com
GPID=
RPID=
# the pass held when the test ends early: gdb's detach lets it go
trap 'touch "$T/release"; [ -n "$GPID" ] && { i=0; while kill -0 "$GPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done; kill "$GPID" 2>/dev/null; }
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null; stop_slapd; rm -rf "$T"' EXIT

# slapd runs under gdb from its start (non-stop: a thread that stops
# stops alone).  gdb holds, once, the thread that calls dynttl_persist
# from the write-behind pass (ttl_queue_flush, directly or through
# ttl_queue_write); every other thread runs on.  Its commands come down
# a pipe that stays open until the test says release (bounded), and then
# gdb detaches: slapd runs on without it.
PORT=$(free_port)
URI=ldap://127.0.0.1:$PORT
cat > "$T/hold.gdb" <<GDB
set pagination off
set confirm off
set non-stop on
set breakpoint pending on
handle SIGTERM nostop noprint pass
handle SIGINT nostop noprint pass
handle SIGHUP nostop noprint pass
handle SIGPIPE nostop noprint pass
tbreak dynttl_persist if \$_any_caller_is("ttl_queue_flush", 3)
commands
silent
printf "held: the pass writes expire=%lld\\n", expire
shell touch $T/held
end
run &
GDB
{
	cat "$T/hold.gdb"
	i=0
	while [ ! -e "$T/release" ] && [ $i -lt 400 ]; do sleep 0.1; i=$((i + 1)); done
	echo detach
	echo quit
} 2>/dev/null | gdb -q -nx --args "$SLAPD" -d "${SLAPD_DEBUG:-0}" -h "$URI/" -f "$T/slapd.conf" \
	> "$T/gdb.log" 2>&1 &
GPID=$!
i=0
while [ $i -lt 200 ]; do
	ldapsearch -x -H "$URI" -b "" -s base >/dev/null 2>&1 && break
	kill -0 "$GPID" 2>/dev/null || break
	sleep 0.1; i=$((i + 1))
done
SPID=$(cat "$T/slapd.pid" 2>/dev/null)
if [ -z "$SPID" ] || ! ldapsearch -x -H "$URI" -b "" -s base >/dev/null 2>&1; then
	nok "slapd started under gdb"; sed 's/^/#   /' "$T/gdb.log" | tail -20; exit 1
fi
ok "slapd started under gdb"
# gdb 13 (Debian 12) names the condition in its message, gdb 16 (Debian 13) not
check "gdb set its breakpoint on dynttl_persist (pending until dynttl loaded)" \
	grep -Eq 'Temporary breakpoint 1 \(dynttl_persist( if .*)?\) pending' "$T/gdb.log"

# stored DN: the entry's own dynttlExpireTime in ms since the epoch
# (asked for alone, dynttl_response leaves it as the database has it)
stored() {
	ldapsearch -x -LLL -o ldif-wrap=no -H "$URI" $ADM -b "$1" -s base dynttlExpireTime 2>/dev/null |
		sed -n 's/^dynttlExpireTime: //p' | python3 -c '
import sys, calendar, time
s = sys.stdin.read().strip()
if not s: sys.exit(1)
b, f = s[:14], s[14:-1].lstrip(".")
ms = calendar.timegm(time.strptime(b, "%Y%m%d%H%M%S")) * 1000
if f: ms += int((f + "00")[:3])
print(ms)'
}
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
present() {	# in the database, due or not (manageDSAit shows lapsed entries)
	ldapsearch -x -LLL -H "$URI" $ADM -b "$1" -s base -e manageDSAit 1.1 2>/dev/null | grep -q '^dn:'
}
wait_for() {	# wait_for FILE TENTHS
	i=0; while [ ! -e "$1" ] && [ $i -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
	test -e "$1"
}

check "base entries" sh -c "printf 'dn: dc=example,dc=com\nobjectClass: domain\ndc: example\n' | ldapadd -x -H $URI $ADM"
check "a dynamic object with the default TTL (60 s)" sh -c \
	"printf 'dn: $W\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: w\nsn: W\n' | ldapadd -x -H $URI $ADM"
S0=$(stored $W)
check "its dynttlExpireTime is stored" test -n "$S0"

check "a refresh to 120 s (later: written behind) answers 120" sh -c \
	"ldapexop -x -H $URI $ADM refresh $W 120 | grep -qx newttl=120"
check "the stored time is still the older one (written behind)" test "$(stored $W)" = "$S0"
if ! wait_for "$T/held" 100; then
	nok "the write-behind pass reached its write and was held"
	sed 's/^/#   /' "$T/gdb.log" | tail -20; exit 1
fi
ok "the write-behind pass reached its write and was held"
T1=$(sed -n 's/^held: the pass writes expire=//p' "$T/gdb.log")
check "... with the refresh's later time T1" sh -c "[ -n '$T1' ] && [ '$T1' -gt '$S0' ]"

# the urgent refresh: shorter than the stored time, so written at once
A0=$(now_ms)
ldapexop -x -H "$URI" $ADM refresh $W 8 > "$T/r2.out" 2>&1 &
RPID=$!
# it may wait for the held writer (the fixed code writes under one lock);
# give it 2 s to commit first, as an unordered writer does
i=0; while kill -0 $RPID 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
touch "$T/release"
i=0; while kill -0 $GPID 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "gdb let the pass go and detached" sh -c "! kill -0 $GPID 2>/dev/null && grep -q detached '$T/gdb.log'"
GPID=
i=0; while kill -0 $RPID 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait $RPID; rc=$?
RPID=
A1=$(now_ms)
check "the refresh to 8 s is acknowledged (newttl=8)" sh -c "[ $rc = 0 ] && grep -qx newttl=8 '$T/r2.out'"
check "slapd is alive" alive
sleep 0.5	# the released pass has written by now (it had only its Modify left)

S=$(stored $W)
check "the stored time is the one acknowledged last (T2 = ack + 8 s), not T1" sh -c \
	"[ -n '$S' ] && [ '$S' -ge $((A0 + 8000 - 50)) ] && [ '$S' -le $((A1 + 8000 + 50)) ] ||
	{ echo 'stored $S; acknowledged $((A0 + 8000))..$((A1 + 8000)); the pass read $T1'; false; }"
# the entry counts down to T2: its entryTtl is what remains of S, read
# between two clock readings (a loaded machine may take seconds here)
B0=$(now_ms); V=$(ttl $W); B1=$(now_ms)
check "the entry is visible until its TTL (entryTtl $V, $(( (S - B1) / 1000 ))..$(( (S - B0) / 1000 + 1 )) s of T2 left)" sh -c \
	"[ -n '$V' ] && [ '$V' -ge 1 ] && [ '$V' -ge $(( (S - B1) / 1000 - 1 )) ] && [ '$V' -le $(( (S - B0) / 1000 + 1 )) ]"
# T2 + the expiry task's second + a loaded machine
i=0; while [ $i -lt 150 ] && present $W; do sleep 0.1; i=$((i + 1)); done
check "after T2 the expiry Delete removed it: no entry left hidden in the database (manageDSAit)" sh -c \
	"! ldapsearch -x -LLL -H $URI $ADM -b $W -s base -e manageDSAit 1.1 2>/dev/null | grep -q '^dn:'"
expect_rc 0 "an Add of the same DN succeeds (no entryAlreadyExists)" sh -c \
	"printf 'dn: $W\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: w\nsn: W\n' | ldapadd -x -H $URI $ADM"
check "slapd is still alive" alive
finish
