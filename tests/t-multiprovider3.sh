# t-multiprovider3.sh - three back-ils servers as a full mesh of
# multi-provider nodes (slapd-ils(5), REPLICATION; slapo-dynttl(5),
# REPLICATION). It proves that:
#  1. a registration made on any node (NetMeeting on node 1, the TAPI
#     Dialer on node 2, PTLib on node 3) is found by that client's own
#     search on every node, with the same entryUUID and owner everywhere;
#  2. another address (127.0.0.2) cannot delete it on any node (50) and
#     its attempts change nothing anywhere;
#  3. short-lived entries expire on every node, also when their writer is
#     down and the two others both delete them after dynttl-replica-grace:
#     no failed Delete or other replication error in any log, no node dies;
#  4. one name registered on two nodes while they were apart (node 1 from
#     127.0.0.1, then node 2 from 127.0.0.2) ends as one entry, the same on
#     every node: the later write (node 2's, the greater entryCSN) wins,
#     as syncrepl resolves an Add that meets an existing DN with another
#     entryUUID; NetMeeting's browse lists the name once on every node and
#     its owner's Delete on one node removes it from all;
#  5. a node killed with -9 while two nodes take registrations comes back
#     from its cookie and catches up: every registration that either node
#     acknowledged is on every node.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repl.sh"
ROOT=$REPL_ROOT
# entries of a few seconds (ils-config's floor is 1 minute); sync and
# stats logging: the cookies, the expiries, and every error line
ILS_TTL_MIN=1s SLAPD_DEBUG=16640
export ILS_TTL_MIN SLAPD_DEBUG
NODES3="one two three"
# NetMeeting's, PTLib's and the other writer's address (ilswire)
NMIP=3758139584 PTIP=167880896 IP2=16777343
NM=nm@mp3.example.org DIALER='dialer]mp3.example.org' PT=pt@mp3.example.org

node_new one && node_new two && node_new three &&
	repl_ils_node one 1 two three && repl_ils_node two 2 one three &&
	repl_ils_node three 3 one two || { nok "configured"; exit 1; }
# grace 1s: a node deletes another's lapsed entry a second after its time;
# the load below comes from one address
for n in $NODES3; do
	uncapped "$(node_dir $n)/slapd.conf" &&
		echo "dynttl-replica-grace 1s" >> "$(node_dir $n)/slapd.conf" ||
		{ nok "configured $n"; exit 1; }
done
check "each node has two syncrepls, syncprov before dynttl, multiprovider, grace 1s" sh -c \
	"for n in $NODES3; do c=$T/\$n/slapd.conf
	  test \$(grep -c '^syncrepl rid=' \$c) = 2 && grep -qx 'multiprovider on' \$c &&
	  grep '^overlay' \$c | tr '\\n' ' ' | grep -qx 'overlay syncprov overlay dynttl ' &&
	  test \"\$(tail -1 \$c)\" = 'dynttl-replica-grace 1s' || exit 1; done"
for n in $NODES3; do check "node $n starts" node_start $n; done

# down NODE: its slapd does not run
down() { ! node_alive "$1"; }
# attr NODE DN ATTR: the value NODE's rootdn reads
attr() { on_node "$1" lsearch $ROOT -b "$2" -s base "$3" | sed -n "s/^$3: //p"; }
# listed NODE NAME IP: NetMeeting's browse on NODE lists NAME once, with IP
listed() {
	on_node "$1" wire nm-find "$2" "$3" > "$T/listed.out" 2>&1
	l_rc=$?
	cat "$T/listed.out"
	[ "$l_rc" = 0 ] && [ "$(grep -ciF ": cn=$2 " "$T/listed.out")" = 1 ]
}
# stolen NODE NAME: 127.0.0.2's NetMeeting Delete of NAME on NODE gets 50
stolen() {
	"$WIRE" -b 127.0.0.2 -H 127.0.0.1 -p "$(node_port "$1")" unregister "$2" 2>&1 |
		grep -q 'resultCode 50'
}
# snapshot NODE: its registrations' DNs, entryUUIDs and owners
snapshot() {
	on_node "$1" sorted_ldif $ROOT -b o=Intranet '(|(objectClass=rtPerson)(objectClass=rtApplicationUser))' \
		entryUUID ilsOwnerAddress
}
# the lines of a failed write or a broken replication (slapd logs them
# at every level; sync and stats are on)
BAD='be_add.*failed\|be_modify.*failed\|be_delete.*failed\|be_modrdn.*failed\|syncUUID\|consistency error\|updateCookie.*failed\|dynttl:.*not deleted\|ASSERT\|Assertion'
# clean: no node's log has such a line, and every node runs
clean() {
	for c_n in $NODES3; do
		test -s "$T/$c_n/slapd.log" || { echo "$c_n: no log"; return 1; }
		grep "$BAD" "$T/$c_n/slapd.log" && return 1
		node_alive $c_n || { echo "$c_n stopped"; return 1; }
	done
	return 0
}

echo "# 1. each client registers on another node; all three nodes have it"
check "NetMeeting registers $NM on node one" on_node one wire register $NM
check "the Dialer registers $DIALER on node two" on_node two wire tapi "$DIALER"
check "PTLib registers $PT on node three" on_node three wire ptlib $PT
for n in $NODES3; do
	wait_until $n 10 "node $n: NetMeeting's browse lists $NM" wire nm-find $NM $NMIP
	wait_until $n 10 "node $n: the Dialer's search lists $DIALER" wire tapi-find "$DIALER"
	wait_until $n 10 "node $n: PTLib's SearchPerson finds $PT" wire ptlib-lookup $PT $PTIP
done
for u in $NM "$DIALER" $PT; do
	for n in $NODES3; do
		check "node $n: $u belongs to 127.0.0.1" test "$(attr $n "$(dn "$u")" ilsOwnerAddress)" = 127.0.0.1
	done
	for n in two three; do
		wait_same one $n 10 "node $n: $u has node one's entryUUID and owner" \
			$ROOT -b "$(dn "$u")" -s base entryUUID ilsOwnerAddress
	done
done
U3=$(for u in $NM "$DIALER" $PT; do attr one "$(dn "$u")" entryUUID; done | sort -u | grep -c .)
check "the three registrations have three entryUUIDs" test "$U3" = 3

echo "# 2. 127.0.0.2 deletes none of them, on any node"
snapshot one > "$T/before" && test -s "$T/before" || nok "a snapshot of node one"
for n in $NODES3; do
	for u in $NM "$DIALER" $PT; do
		check "node $n: 127.0.0.2's Delete of $u gets 50" stolen $n "$u"
	done
done
sleep 1
for n in $NODES3; do
	snapshot $n > "$T/after.$n"
	check "node $n: the same registrations, entryUUIDs and owners as before" diff "$T/before" "$T/after.$n"
done

echo "# 3. short-lived entries expire everywhere; two nodes delete the same entry"
for i in 1 2 3; do
	check "node two: an LDAPv3 registration a$i with entryTtl 2" on_node two ldif_add "$(dn a$i@x)" \
		"objectClass: rtPerson" "entryTtl: 2"
done
check "node three: an LDAPv3 registration b1 with entryTtl 2" on_node three ldif_add "$(dn b1@x)" \
	"objectClass: rtPerson" "entryTtl: 2"
for n in $NODES3; do
	for u in a3 b1; do wait_until $n 5 "node $n holds $u" held $n "$(dn $u@x)"; done
done
for n in $NODES3; do
	for u in a1 a2 a3 b1; do wait_until $n 15 "node $n: $u is gone after its time" absent $n "$(dn $u@x)"; done
done
# c1..c3 written on node one, which then stops: nodes two and three both
# delete them after the grace, and node one deletes them again when it
# starts; each Delete reaches nodes that have done it already
for i in 1 2 3; do
	check "node one: an LDAPv3 registration c$i with entryTtl 3" on_node one ldif_add "$(dn c$i@x)" \
		"objectClass: rtPerson" "entryTtl: 3"
done
for n in two three; do wait_until $n 5 "node $n holds c3" held $n "$(dn c3@x)"; done
node_stop one
check "node one is stopped" down one
for n in two three; do
	for u in c1 c2 c3; do wait_until $n 15 "node $n: $u is gone with its writer down" absent $n "$(dn $u@x)"; done
done
check "node one starts again" node_start one
for u in c1 c2 c3; do wait_until one 15 "node one: $u is gone too" absent one "$(dn $u@x)"; done
check "the earlier registrations are still on node one" listed one $NM $NMIP
check "no failed Delete or replication error in any log; every node runs" clean
# a Delete that reaches a node which has deleted the entry already
# (syncrepl finds no entry of its entryUUID: "syncrepl_entry: rid=... (null)")
echo "# Deletes that found the entry gone already: $(cat $T/one/slapd.log $T/two/slapd.log \
	$T/three/slapd.log | grep -c 'syncrepl_entry: rid=[0-9]* (null)')"

echo "# 4. one name written on two nodes apart: the later write wins everywhere"
DUP=dup@mp3.example.org
node_stop two; node_stop three
check "node two is stopped" down two
check "node three is stopped" down three
check "node one alone: NetMeeting registers $DUP from 127.0.0.1" on_node one wire register $DUP
UUID1=$(attr one "$(dn $DUP)" entryUUID)
check "... it has an entryUUID" test -n "$UUID1"
sleep 1		# the second write's CSN is later, whatever the clock's grain
node_stop one
check "node two starts alone" node_start two
check "node two alone: NetMeeting registers $DUP from 127.0.0.2 with other values" \
	on_node two wire -b 127.0.0.2 add-expect 0 "c=-,o=Microsoft, cn=$DUP, objectClass=rtPerson" \
	cn=$DUP givenname=Second surname=Writer rfc822mailbox=$DUP sipaddress=$IP2 sflags=1 \
	sappid=ms-netmeeting sprotid=H323 sport=1503 sport=1720
DUPATTRS="entryUUID entryCSN ilsOwnerAddress sipaddress givenName sn dynttlExpireTime"
on_node two sorted_ldif $ROOT -b "$(dn $DUP)" -s base $DUPATTRS > "$T/winner"
UUID2=$(sed -n 's/^entryUUID: //p' "$T/winner")
check "... another entryUUID, owner 127.0.0.2" sh -c \
	"test -n '$UUID2' && test '$UUID2' != '$UUID1' && grep -qx 'ilsOwnerAddress: 127.0.0.2' $T/winner"
check "node one starts" node_start one
check "node three starts" node_start three
# is_winner: this node's entry is node two's, attribute for attribute
is_winner() { sorted_ldif $ROOT -b "$(dn $DUP)" -s base $DUPATTRS > "$T/mine.$$" && diff "$T/winner" "$T/mine.$$"; }
for n in $NODES3; do
	wait_until $n 15 "node $n: $DUP is node two's entry (entryUUID, entryCSN, owner, values)" is_winner
done
for n in $NODES3; do
	check "node $n: NetMeeting's browse lists $DUP once, with node two's address" listed $n $DUP $IP2
	check "node $n: no entry has node one's entryUUID" sh -c \
		"test \"\$(ldapsearch -x -LLL -H $(node_uri $n) $ROOT -b o=Intranet '(entryUUID=$UUID1)' 1.1 | grep -c '^dn:')\" = 0"
	check "node $n: one entry named $DUP" sh -c \
		"test \"\$(ldapsearch -x -LLL -H $(node_uri $n) $ROOT -b o=Intranet '(cn=$DUP)' 1.1 | grep -c '^dn:')\" = 1"
done
check "127.0.0.1, the loser, cannot delete it on node one (50)" sh -c \
	"$WIRE -H 127.0.0.1 -p $(node_port one) unregister $DUP | grep -q 'resultCode 50'"
check "127.0.0.2, its owner, deletes it on node three" sh -c \
	"$WIRE -b 127.0.0.2 -H 127.0.0.1 -p $(node_port three) unregister $DUP | grep -q ' 0 failed'"
for n in one two; do wait_until $n 10 "node $n: $DUP is gone" gone "$(dn $DUP)"; done
check "no failed write or replication error in any log; every node runs" clean

echo "# 5. node two killed with -9 while nodes one and two take registrations"
N=150
# load NODE PREFIX: registers PREFIX1@x .. PREFIXN@x on NODE one after the
# other; a name whose Add was answered 0 (acknowledged) goes into
# $T/acked.PREFIX, each attempt's number into $T/tried.PREFIX; while the
# node is down an attempt fails at once, so it waits a little
load() {
	l_i=1
	: > "$T/acked.$2"
	while [ $l_i -le $N ]; do
		# renamed into place: a reader never sees the file empty
		echo $l_i > "$T/tried.$2.new" && mv "$T/tried.$2.new" "$T/tried.$2"
		"$WIRE" -H 127.0.0.1 -p "$(node_port "$1")" register "$2$l_i@x" > "$T/load.$2" 2>&1
		if grep -q '^ok - register: add' "$T/load.$2"; then echo "$2$l_i@x" >> "$T/acked.$2"
		else sleep 0.1; fi
		l_i=$((l_i + 1))
	done
}
load one l1- & L1=$!
load two l2- & L2=$!
# tried PREFIX: how many registrations load PREFIX has begun
tried() {
	t_n=$(cat "$T/tried.$1" 2>/dev/null)
	case $t_n in '' | *[!0-9]*) echo 0 ;; *) echo "$t_n" ;; esac
}
i=0; while [ $i -lt 200 ] && [ "$(tried l2-)" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
KILLED=$(tried l2-)
node_kill two
check "node two was killed (-9) after $KILLED registrations" sh -c "test $KILLED -ge 50"
check "... it does not run" down two
LOGLINES=$(wc -l < "$T/two/slapd.log")
sleep 1
check "node two starts again" node_start two
wait $L1; wait $L2
sort "$T/acked.l1-" "$T/acked.l2-" > "$T/acked"
check "node one acknowledged all $N registrations" test "$(wc -l < "$T/acked.l1-")" = $N
check "node two acknowledged registrations before the kill and after its restart" sh -c \
	"grep -qx 'l2-1@x' $T/acked.l2- && grep -qx 'l2-$N@x' $T/acked.l2-"
echo "# acknowledged: $(wc -l < "$T/acked.l1-") by node one, $(wc -l < "$T/acked.l2-") by node two"
check "node two's syncrepls resumed from its cookie (a CSN for each)" sh -c \
	"tail -n +$((LOGLINES + 1)) $T/two/slapd.log > $T/two.restart &&
	 grep -q 'rid=021 starting refresh (sending cookie=rid=021,sid=002,csn=[0-9]' $T/two.restart &&
	 grep -q 'rid=022 starting refresh (sending cookie=rid=022,sid=002,csn=[0-9]' $T/two.restart"
# has_acked: this node has every acknowledged registration
has_acked() {
	lsearch $ROOT -b ou=Dynamic,o=Intranet -s one '(|(cn=l1-*)(cn=l2-*))' cn |
		sed -n 's/^cn: //p' | sort > "$T/have.$$" || return 1
	comm -23 "$T/acked" "$T/have.$$" > "$T/lost.$$"
	echo "$(wc -l < "$T/lost.$$") acknowledged registrations missing:"; head -5 "$T/lost.$$"
	test ! -s "$T/lost.$$"
}
for n in $NODES3; do
	wait_until $n 30 "node $n has every acknowledged registration" has_acked
done
for n in two three; do
	wait_same one $n 20 "node $n has the same registrations as node one (entryUUIDs)" \
		$ROOT -b ou=Dynamic,o=Intranet -s one '(|(cn=l1-*)(cn=l2-*))' entryUUID
done
check "no failed write or replication error in any log; every node runs" clean
node_stop_all
finish
