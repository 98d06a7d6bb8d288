# t-dynttl-repl.sh - slapo-dynttl on replicas (slapo-dynttl(5), REPLICATION)
#
# On back-mdb, whose entries carry entryUUID and entryCSN:
# 1. a consumer of one provider takes each entry's time as the provider
#    wrote it, refers refreshes to the provider, never deletes: a lapsed
#    entry is hidden there until the provider's Delete arrives;
# 2. two multi-provider nodes: each deletes on time what it wrote last; an
#    entry the other node wrote last waits dynttl-replica-grace past its
#    time, so a keep-alive on one node is never undone by the other
#    node's expiry, and a node that is down does not leave its entries
#    forever; no Delete fails on either node.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repl.sh"
ADM="-D cn=admin,dc=example,dc=com -w secret"
E=dc=example,dc=com

# conf NAME SID [PROVIDER...]: node NAME's slapd.conf, back-mdb + dynttl +
# syncprov; a syncrepl from each PROVIDER (multi-provider when SID is
# not 0, else a consumer referring writes to its provider)
conf() {
	name=$1 sid=$2; shift 2
	[ -f "$T/$name/port" ] || node_new "$name" || return 1
	{
		repl_head back_mdb dynttl syncprov
		[ "$sid" = 0 ] || repl_serverid "$sid"
		cat <<CONF
database mdb
suffix "$E"
rootdn "cn=admin,$E"
rootpw secret
directory $(node_dir "$name")
index entryUUID,entryCSN eq
CONF
		k=0
		for p in "$@"; do
			k=$((k + 1))
			repl_syncrepl $((sid * 10 + k)) "$p" "$E" "cn=admin,$E" secret
		done
		[ "$sid" != 0 ] && [ $# -gt 0 ] && repl_multiprovider
		[ "$sid" = 0 ] && [ $# -gt 0 ] && echo "updateref $(node_uri "$1")"
		printf 'overlay dynttl\ndynttl-min-ttl 1\ndynttl-replica-grace %s\n' "${GRACE:-5}"
		repl_syncprov
	} > "$(node_dir "$name")/slapd.conf"
}
# attr URI DN ATTR [-e manageDSAit]: the value of ATTR (empty: no entry)
attr() {
	u=$1 d=$2 a=$3; shift 3
	ldapsearch -x -LLL -o ldif-wrap=no -H "$u" $ADM -b "$d" -s base "$@" "$a" 2>/dev/null |
		sed -n "s/^$a: //p"
}
stored() { test -n "$(attr "$1" "$2" entryDN -e manageDSAit)"; }
visible() { test -n "$(attr "$1" "$2" entryDN)"; }
dynamic() {	# dynamic URI CN TTL
	printf 'dn: cn=%s,dc=example,dc=com\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: %s\nsn: S\nentryTtl: %s\n' \
		"$2" "$2" "$3" | ldapadd -x -H "$1" $ADM
}

echo "# 1. one provider, one consumer"
conf prov 0 && conf cons 0 prov || exit 1
P=$(node_uri prov) C=$(node_uri cons)
check "the provider starts" node_start prov
check "the consumer starts" node_start cons
check "base entry on the provider" sh -c \
	"printf 'dn: $E\nobjectClass: domain\ndc: example\n' | ldapadd -x -H $P $ADM"
check "a dynamic object with a TTL of 6 s on the provider" dynamic "$P" a 6
wait_until prov 10 "... reaches the consumer" stored "$C" "cn=a,$E"
check "... with the provider's expiry time, not one of its own" \
	test "$(attr "$C" "cn=a,$E" dynttlExpireTime)" = "$(attr "$P" "cn=a,$E" dynttlExpireTime)"
ldapexop -x -H "$C" $ADM refresh "cn=a,$E" 60 > "$T/ref.out" 2>&1
check "a refresh on the consumer is referred to the provider (10)" \
	grep -q "Referral (10)" "$T/ref.out"
check "... named in the referral" grep -q "$P/cn=a,$E" "$T/ref.out"
check "a refresh to 8 s on the provider" sh -c \
	"ldapexop -x -H $P $ADM refresh cn=a,$E 8 | grep -qx newttl=8"
T0=$(attr "$P" "cn=a,$E" dynttlExpireTime)
same() { test "$(attr "$C" "cn=a,$E" dynttlExpireTime)" = "$(attr "$P" "cn=a,$E" dynttlExpireTime)" &&
	test "$(attr "$P" "cn=a,$E" dynttlExpireTime)" != "$T0"; }
wait_until prov 5 "... is written and reaches the consumer" same
check "the provider stops" node_stop prov
wait_until prov 12 "past its time the consumer hides the entry" sh -c \
	"! ldapsearch -x -LLL -H $C $ADM -b cn=a,$E -s base 1.1 2>/dev/null | grep -q '^dn:'"
sleep 2
check "... and keeps it stored: it does not delete (manageDSAit)" stored "$C" "cn=a,$E"
check "the provider starts again" node_start prov
wait_until prov 15 "... deletes the lapsed entry, and its Delete reaches the consumer" \
	sh -c "! ldapsearch -x -LLL -H $C $ADM -b cn=a,$E -s base -e manageDSAit 1.1 2>/dev/null | grep -q '^dn:'"
node_stop cons; node_stop prov

echo "# 2. two multi-provider nodes, dynttl-replica-grace 5 s"
node_new one && node_new two && conf one 1 two && conf two 2 one || exit 1
A=$(node_uri one) B=$(node_uri two)
check "node 1 starts" node_start one
check "node 2 starts" node_start two
check "base entry on node 1" sh -c \
	"printf 'dn: $E\nobjectClass: domain\ndc: example\n' | ldapadd -x -H $A $ADM"
wait_until one 10 "... reaches node 2" stored "$B" "$E"

check "node 1 adds k with a TTL of 4 s" dynamic "$A" k 4
wait_until one 5 "... node 2 has it" stored "$B" "cn=k,$E"
check "a keep-alive on node 2 gives it 60 s" sh -c \
	"ldapexop -x -H $B $ADM refresh cn=k,$E 60 | grep -qx newttl=60"
sleep 6
check "past its first time k is alive on node 1: node 2's keep-alive reached it" visible "$A" "cn=k,$E"
check "... and on node 2" visible "$B" "cn=k,$E"

check "node 1 adds own with a TTL of 3 s" dynamic "$A" own 3
wait_until one 5 "... node 2 has it" stored "$B" "cn=own,$E"
S=$(date +%s)
wait_until one 10 "node 1 deletes it on time, and node 2 has it no more" sh -c \
	"! ldapsearch -x -LLL -H $B $ADM -b cn=own,$E -s base -e manageDSAit 1.1 2>/dev/null | grep -q '^dn:'"
check "... within 3 s of its time, not after the grace" test $(( $(date +%s) - S )) -le 6

check "node 1 adds orphan with a TTL of 3 s" dynamic "$A" orphan 3
wait_until one 5 "... node 2 has it" stored "$B" "cn=orphan,$E"
check "node 1 stops" node_stop one
S=$(date +%s)
wait_until one 8 "node 2 hides orphan once its time has passed" sh -c \
	"! ldapsearch -x -LLL -H $B $ADM -b cn=orphan,$E -s base 1.1 2>/dev/null | grep -q '^dn:'"
check "... keeps it within the grace" stored "$B" "cn=orphan,$E"
wait_until one 15 "... and deletes it after the grace (node 1 is down)" sh -c \
	"! ldapsearch -x -LLL -H $B $ADM -b cn=orphan,$E -s base -e manageDSAit 1.1 2>/dev/null | grep -q '^dn:'"
check "... at its time + 5 s at the earliest" test $(( $(date +%s) - S )) -ge 6
check "node 1 starts again" node_start one
wait_until one 15 "node 1 catches up: orphan is gone there too" sh -c \
	"! ldapsearch -x -LLL -H $A $ADM -b cn=orphan,$E -s base -e manageDSAit 1.1 2>/dev/null | grep -q '^dn:'"
check "k, kept alive on node 2, is still there on both nodes" sh -c \
	"ldapsearch -x -LLL -H $A $ADM -b cn=k,$E -s base 1.1 | grep -q '^dn:' && ldapsearch -x -LLL -H $B $ADM -b cn=k,$E -s base 1.1 | grep -q '^dn:'"
check "no Delete failed on either node" sh -c \
	"test -f '$T/one/slapd.log' && test -f '$T/two/slapd.log' && ! grep -i 'cannot delete\|delete failed\|not deleted' '$T/one/slapd.log' '$T/two/slapd.log'"
node_stop one; node_stop two
finish
