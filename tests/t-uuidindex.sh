# t-uuidindex.sh - the entryUUID index (slapd-ils(5), REPLICATION):
# syncrepl finds the entry of every change it applies by (entryUUID=X),
# which back-ils answers from an index key beside each record instead of
# reading every registration.  The search finds the registration of each
# kind (a NetMeeting user, the Dialer's person and application user),
# within the search's base and scope only; a Delete takes the key away,
# an owner's re-Add keeps it.  The store holds one key per record with an
# entryUUID; a store without them (written before the index) is indexed
# at open; a key that names the wrong record finds nothing and is logged.
. "$(dirname "$0")/lib.sh"
sed -e 's|^rootdn .*|&\nrootpw secret|' "$(ils_conf "$T/d")" > "$T/slapd.conf"
ROOT="-D cn=admin,o=Intranet -w secret"
start_slapd -f "$T/slapd.conf" || exit 1

uuid() { lsearch $ROOT -b "$1" -s base entryUUID | sed -n 's/^entryUUID: //p'; }
# by_uuid UUID [BASE [SCOPE]]: the DNs (entryUUID=UUID) finds, as syncrepl
# searches, one per line
by_uuid() {
	lsearch $ROOT -b "${2:-o=Intranet}" -s "${3:-sub}" "(entryUUID=$1)" 1.1 | sed -n 's/^dn: //p'
}
APP="cn=egruber]w2kils.testdomain.int,appName=MS-NetMeeting,ou=Applications,o=Intranet"
PERSON=$(dn "egruber]w2kils.testdomain.int")

echo "# (entryUUID=X) finds the one entry"
check "NetMeeting registers a@x" sh -c "'$WIRE' -H 127.0.0.1 -p $PORT register a@x | grep -q ' 0 failed'"
check "the Dialer registers its person and application user" sh -c \
	"'$WIRE' -H 127.0.0.1 -p $PORT tapi | grep -q ' 0 failed'"
UA=$(uuid "$(dn a@x)") UP=$(uuid "$PERSON") UAPP=$(uuid "$APP")
check "the three have entryUUIDs" sh -c "test -n '$UA' && test -n '$UP' && test -n '$UAPP'"
check "a@x by its entryUUID" test "$(by_uuid "$UA")" = "$(dn a@x)"
check "the Dialer's person by its entryUUID" test "$(by_uuid "$UP")" = "$PERSON"
check "its application user by its entryUUID" test "$(by_uuid "$UAPP")" = "$APP"
check "... as an anonymous client finds it too" test \
	"$(ldapsearch -x -LLL -H "$URI" -b o=Intranet "(entryUUID=$UA)" 1.1 | sed -n 's/^dn: //p')" = "$(dn a@x)"
check "a@x one level under ou=Dynamic" test "$(by_uuid "$UA" ou=Dynamic,o=Intranet one)" = "$(dn a@x)"
check "not under ou=Applications" test -z "$(by_uuid "$UA" ou=Applications,o=Intranet)"
check "the application user not under ou=Dynamic" test -z "$(by_uuid "$UAPP" ou=Dynamic,o=Intranet)"
check "a container by its entryUUID" test \
	"$(by_uuid 24c4d501-7c75-5272-aeac-243ec266daeb o=Intranet base)" = o=Intranet
check "an entryUUID nobody has finds nothing" test -z "$(by_uuid 00000000-0000-4000-8000-000000000000)"
check "NetMeeting registers b@x" sh -c "'$WIRE' -H 127.0.0.1 -p $PORT register b@x | grep -q ' 0 failed'"
UB=$(uuid "$(dn b@x)")
check "... and its owner registers it again" sh -c "'$WIRE' -H 127.0.0.1 -p $PORT register b@x | grep -q ' 0 failed'"
check "... which keeps its entryUUID, found by it" sh -c \
	"test '$(uuid "$(dn b@x)")' = '$UB' && test \"\$(ldapsearch -x -LLL -H $URI $ROOT -b o=Intranet '(entryUUID=$UB)' 1.1 | sed -n 's/^dn: //p')\" = '$(dn b@x)'"
check "NetMeeting's a@x leaves" sh -c "'$WIRE' -H 127.0.0.1 -p $PORT unregister a@x | grep -q ' 0 failed'"
check "... and its entryUUID finds nothing" test -z "$(by_uuid "$UA")"
stop_slapd

echo "# the index in the store"
# dump_pairs DIR: the store's keys and values in hex, "key value" a line
# (mdb_dump's data lines alternate key and value)
dump_pairs() {
	mdb_dump "$1" | python3 -c '
import sys
lines = sys.stdin.read().split("\n")
body = lines[lines.index("HEADER=END") + 1:lines.index("DATA=END")]
for k, v in zip(body[0::2], body[1::2]):
	print(k.strip(), v.strip())'
}
dump_pairs "$T/d/ils" > "$T/pairs" || nok "mdb_dump of the store"
# the hex of a UUID's 16 bytes
hexuuid() { echo "$1" | tr -d - ; }
check "one index key per record with an entryUUID (registrations and containers)" sh -c \
	"test \$(grep -c '^75' $T/pairs) = \$(grep -vc '^75' $T/pairs) && test \$(grep -c '^75' $T/pairs) -ge 7"
check "b@x's index key names its record" grep -qx "75$(hexuuid "$UB") $(printf 'p%s' 'b@x' | od -An -tx1 | tr -d ' \n')" "$T/pairs"
check "no index key for a@x, which left" sh -c "! grep -q '^75$(hexuuid "$UA")' $T/pairs"

# load DIR FILTER: a store in DIR made of this one's pairs that python's
# FILTER (an expression of k and v, hex) keeps or rewrites to "k v"
load() {
	mkdir -p "$1" && python3 -c '
import sys
print("VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END")
for line in open(sys.argv[1]):
	k, v = line.split()
	r = eval(sys.argv[2])
	if r:
		print(" " + r.split()[0] + "\n " + r.split()[1])
print("DATA=END")' "$T/pairs" "$2" | mdb_load "$1"
}
sed "s|^directory .*|directory $T/old|" "$T/slapd.conf" > "$T/old.conf"
check "a store without the index (as written before it)" load "$T/old" \
	'None if k.startswith("75") else k + " " + v'
: > "$T/slapd.log"
SLAPD_DEBUG=stats start_slapd -f "$T/old.conf" || exit 1
check "... is indexed at open" grep -q "indexed the entryUUIDs of [0-9]* records" "$T/slapd.log"
check "... and counts its records without the index keys" grep -q \
	"open, $(grep -vc '^75' "$T/pairs") records" "$T/slapd.log"
check "... where b@x is found by its entryUUID" test "$(by_uuid "$UB")" = "$(dn b@x)"
stop_slapd
SLAPD_DEBUG=stats start_slapd -f "$T/old.conf" || exit 1
check "... once: the next open has the index and logs nothing of it" test "$(grep -c 'indexed the entryUUIDs' "$T/slapd.log")" = 1
stop_slapd

sed "s|^directory .*|directory $T/bad|" "$T/slapd.conf" > "$T/bad.conf"
PB=$(printf 'p%s' 'egruber]w2kils.testdomain.int' | od -An -tx1 | tr -d ' \n')
check "a store whose key for b@x names the Dialer's person" load "$T/bad" \
	"k + ' ' + ('$PB' if k == '75$(hexuuid "$UB")' else v)"
: > "$T/slapd.log"
SLAPD_DEBUG=stats start_slapd -f "$T/bad.conf" || exit 1
check "... finds nothing by b@x's entryUUID" test -z "$(by_uuid "$UB")"
check "... and says so in the log" grep -q "an entryUUID index key names a record without that UUID" "$T/slapd.log"
check "... while the person is found by its own" test "$(by_uuid "$UP")" = "$PERSON"
stop_slapd
finish
