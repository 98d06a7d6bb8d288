# t-multiprovider.sh - two back-ils servers as multi-provider nodes
# (slapd-ils(5), REPLICATION): NetMeeting registers on one and is found,
# kept alive and deleted on the other; the registration keeps its owner
# on both; its expiry reaches both; each node's contextCSN has one value
# per server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repl.sh"
# entryTtl 3 below: ils-config's TTL floor of 1 minute lowered
ILS_TTL_MIN=1s; export ILS_TTL_MIN
node_new one && node_new two && repl_ils_node one 1 two && repl_ils_node two 2 one || { nok "configured"; exit 1; }
check "each node has syncprov, a syncrepl and multiprovider" sh -c \
	"for n in one two; do grep -q '^overlay syncprov' $T/\$n/slapd.conf && grep -q '^syncrepl rid=' $T/\$n/slapd.conf && grep -qx 'multiprovider on' $T/\$n/slapd.conf || exit 1; done"
check "node 1 starts" node_start one
check "node 2 starts" node_start two
W1="$WIRE -H 127.0.0.1 -p $(node_port one)" W2="$WIRE -H 127.0.0.1 -p $(node_port two)"
# found NODE NAME: NetMeeting's browse on NODE lists NAME
# (ilswire exits non-zero when the browse does not list NAME)
found() { "$WIRE" -H 127.0.0.1 -p "$(node_port "$1")" nm-find "$2" 3758139584 > /dev/null; }
owner() { on_node "$1" lsearch $REPL_ROOT -b "$(dn "$2")" -s base ilsOwnerAddress | sed -n 's/^ilsOwnerAddress: //p'; }

echo "# NetMeeting registers on node 1, the rest happens on node 2"
check "NetMeeting registers on node 1" sh -c "$W1 register mp@x | grep -q ' 0 failed'"
wait_until two 1 "... its browse on node 2 lists it within a second" found two mp@x
check "... it belongs to 127.0.0.1 on node 2 too" test "$(owner two mp@x)" = 127.0.0.1
check "its keep-alive on node 2 finds it" sh -c "$W2 keepalive mp@x | grep -q ' 0 failed'"
check "a full browse on node 2 shows it as NetMeeting wants it" sh -c "$W2 browse mp@x | grep -q ' 0 failed'"
$WIRE -b 127.0.0.2 -H 127.0.0.1 -p "$(node_port two)" unregister mp@x > "$T/steal.out" 2>&1
check "127.0.0.2 cannot delete it on node 2 (50)" grep -q 'resultCode 50' "$T/steal.out"
check "... it is still listed on node 1" found one mp@x
check "NetMeeting leaves on node 2" sh -c "$W2 unregister mp@x | grep -q ' 0 failed'"
wait_until one 5 "... and node 1 has it no more" gone "$(dn mp@x)"
for n in one two; do
	check "node $n: one contextCSN per server in o=Intranet" sh -c \
		"ldapsearch -x -LLL -H $(node_uri $n) $REPL_ROOT -b o=Intranet -s base contextCSN | sed -n 's/^contextCSN: //p' |
		 sed 's/.*#\\(...\\)#.*/\\1/' | sort | uniq -c | awk '\$1 != 1 { bad = 1 } END { exit bad || NR != 2 }'"
done

echo "# an expiry on node 1 reaches node 2"
check "an LDAPv3 registration with entryTtl 3 on node 1" on_node one ldif_add "$(dn short@x)" \
	"objectClass: rtPerson" "entryTtl: 3"
wait_until two 5 "... node 2 has it" held two "$(dn short@x)"
wait_until two 20 "... node 1 deletes it on time, and node 2 holds it no more (manageDSAit)" \
	absent two "$(dn short@x)"
check "... nor does node 1" absent one "$(dn short@x)"
check "no replication error in either log" sh -c \
	"test -f $T/one/slapd.log && test -f $T/two/slapd.log && ! grep -i 'syncUUID\|be_add.*failed\|be_modify.*failed\|be_delete.*failed' $T/one/slapd.log $T/two/slapd.log"
check "both nodes still run" sh -c "kill -0 $(node_pid one) && kill -0 $(node_pid two)"
node_stop_all
finish
