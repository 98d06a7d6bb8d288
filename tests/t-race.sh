# t-race.sh - slapo-dynttl under many clients at the expiry boundary, on
# back-mdb and on back-ils (tests/race.c says what is checked).  After the
# load the database must hold none of the entries: on back-mdb slapcat
# reads what is stored behind the overlay's back.
#
# ILS_RACE_SEED=N repeats a run's choices (its seed is printed);
# ILS_RACE_LONG=1 is the long mode: 32 clients x 16 names and 400 filler
# names for 5 minutes on each database (ILS_RACE_SECONDS, ILS_RACE_CLIENTS,
# ILS_RACE_NAMES, ILS_RACE_FILL set any size).
. "$(dirname "$0")/lib.sh"
RACE=${RACE:-$BUILD/tests/race}
SEED=${ILS_RACE_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
if [ -n "${ILS_RACE_LONG:-}" ]; then S=300 C=32 NN=16 F=400; else S=12 C=8 NN=10 F=100; fi
S=${ILS_RACE_SECONDS:-$S} C=${ILS_RACE_CLIENTS:-$C} NN=${ILS_RACE_NAMES:-$NN} F=${ILS_RACE_FILL:-$F}
echo "# seed $SEED (ILS_RACE_SEED=$SEED repeats it)"
check "the race driver is built" test -x "$RACE"
expect_rc 2 "the race driver refuses bad arguments" "$RACE" -H "ldap://127.0.0.1:1" -c 0

# back-mdb
mkdir -p "$T/mdb" "$T/cap"
{ mdb_conf_head; cat <<CONF; } > "$T/slapd.conf"
database mdb
suffix "dc=race"
rootdn "cn=admin,dc=race"
rootpw secret
directory $T/mdb
dbnosync
overlay dynttl
dynttl-default-ttl 2
dynttl-min-ttl 1
dynttl-max-ttl 1h
database mdb
suffix "dc=cap"
rootdn "cn=admin,dc=cap"
rootpw secret
directory $T/cap
overlay dynttl
dynttl-max-entries 40
CONF
start_slapd -f "$T/slapd.conf" || exit 1

# dynttl-max-entries against concurrent Adds: ten clients, ten Adds each,
# each Add flushed to disk (slow enough for the Adds to overlap)
check "the base entry of dc=cap" sh -c "printf 'dn: dc=cap\nobjectClass: domain\ndc: cap\n' | ldapadd -x -H $URI -D cn=admin,dc=cap -w secret"
i=0 pids=
while [ $i -lt 10 ]; do
	j=0
	while [ $j -lt 10 ]; do
		printf 'dn: cn=c%d-%d,dc=cap\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: c%d-%d\nsn: C\n\n' $i $j $i $j
		j=$((j + 1))
	done | ldapadd -c -x -H "$URI" -D cn=admin,dc=cap -w secret > "$T/cap$i.out" 2>&1 &
	pids="$pids $!" i=$((i + 1))
done
wait $pids
check "the concurrent Adds were answered (11 for those over the cap)" \
	sh -c "cat '$T'/cap*.out | grep -q 'Administrative limit exceeded (11)'"
check "exactly dynttl-max-entries (40) of them were admitted" sh -c \
	"n=\$(ldapsearch -x -LLL -H $URI -D cn=admin,dc=cap -w secret -b dc=cap -s one 1.1 | grep -c '^dn:'); echo \$n admitted; test \$n = 40"
check "the base entry" sh -c "printf 'dn: dc=race\nobjectClass: domain\ndc: race\n' | ldapadd -x -H $URI -D cn=admin,dc=race -w secret"
"$RACE" -H "$URI" -m mdb -b dc=race -D cn=admin,dc=race -w secret \
	-c "$C" -n "$NN" -f "$F" -t "$S" -s "$SEED" > "$T/race.out" 2>&1
rc=$?
cat "$T/race.out"
check "back-mdb: the race driver's checks hold (exit 0)" test "$rc" = 0
check "slapd is still running" alive
stop_slapd
"$SLAPD" -Tc -f "$T/slapd.conf" -b dc=race -l "$T/cat.ldif" > "$T/cat.out" 2>&1
check "slapcat reads the database" test $? = 0
check "... and it holds the base entry only: no ghost behind the overlay" \
	sh -c "test \"\$(grep -c '^dn: ' '$T/cat.ldif')\" = 1 || grep '^dn: ' '$T/cat.ldif'"

# back-ils
ILS_TTL_DEFAULT=2 ILS_TTL_MIN=1 ILS_TTL_MAX=1h
export ILS_TTL_DEFAULT ILS_TTL_MIN ILS_TTL_MAX
CONF=$(ils_conf "$T/ils")
uncapped "$CONF"
start_slapd -f "$CONF" || exit 1
"$RACE" -H "$URI" -m ils -c "$C" -n "$NN" -f "$F" -t "$S" -s "$SEED" > "$T/race.out" 2>&1
rc=$?
cat "$T/race.out"
check "back-ils: the race driver's checks hold (exit 0)" test "$rc" = 0
check "slapd is still running" alive
stop_slapd
start_slapd -f "$CONF" || exit 1
check "after a restart back-ils returns none of the entries" sh -c \
	"test \"\$(ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s one '(cn=r*)' 1.1 | grep -c '^dn:')\" = 0"
finish
