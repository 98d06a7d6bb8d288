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
ADM="-D cn=admin,dc=example,dc=com -w secret"
NPIDS=

# node NAME PORT CONF: a slapd of its own (PID in PID_NAME), answering
node() {
	"$SLAPD" -d "${SLAPD_DEBUG:-0}" -h "ldap://127.0.0.1:$2/" -f "$3" >> "$T/$1.log" 2>&1 &
	eval "PID_$1=$!"
	NPIDS="$NPIDS $!"
	i=0
	while [ $i -lt 100 ]; do
		ldapsearch -x -H "ldap://127.0.0.1:$2" -b "" -s base >/dev/null 2>&1 && return 0
		sleep 0.1; i=$((i + 1))
	done
	sed 's/^/#   /' "$T/$1.log" | tail -20
	return 1
}
# halt NAME: stop that slapd by its PID
halt() {
	eval "p=\$PID_$1"
	[ -n "$p" ] || return 0
	kill "$p" 2>/dev/null
	i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$p" 2>/dev/null
	eval "PID_$1="
}
trap 'for p in $NPIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# conf NAME SID SYNCREPL...: back-mdb + dynttl + syncprov; with a
# provider URI, a syncrepl from it (multi-provider when SID is not 0)
conf() {
	name=$1 sid=$2; shift 2
	mkdir -p "$T/$name"
	{
		mdb_conf_head | sed "s|^pidfile .*|pidfile $T/$name.pid|"
		echo "moduleload syncprov"
		[ "$sid" = 0 ] || echo "serverID $sid"
		cat <<CONF
database mdb
suffix "dc=example,dc=com"
rootdn "cn=admin,dc=example,dc=com"
rootpw secret
directory $T/$name
index entryUUID,entryCSN eq
CONF
		k=0
		for p in "$@"; do
			k=$((k + 1))
			cat <<CONF
syncrepl rid=$(printf %03d $((sid * 10 + k))) provider=$p bindmethod=simple
  binddn="cn=admin,dc=example,dc=com" credentials=secret
  searchbase="dc=example,dc=com" type=refreshAndPersist retry="1 +"
CONF
		done
		[ "$sid" != 0 ] && [ $# -gt 0 ] && echo "multiprovider on"
		[ "$sid" = 0 ] && [ $# -gt 0 ] && echo "updateref $1"
		cat <<CONF
overlay dynttl
dynttl-min-ttl 1
dynttl-replica-grace ${GRACE:-5}
overlay syncprov
CONF
	} > "$T/$name.conf"
	echo "$T/$name.conf"
}
# attr URI DN ATTR [-e manageDSAit]: the value of ATTR (empty: no entry)
attr() {
	u=$1 d=$2 a=$3; shift 3
	ldapsearch -x -LLL -o ldif-wrap=no -H "$u" $ADM -b "$d" -s base "$@" "$a" 2>/dev/null |
		sed -n "s/^$a: //p"
}
stored() { test -n "$(attr "$1" "$2" entryDN -e manageDSAit)"; }
visible() { test -n "$(attr "$1" "$2" entryDN)"; }
# until TENTHS COMMAND...: poll COMMAND until it succeeds
until_ok() {
	n=$1; shift; i=0
	while [ $i -lt "$n" ]; do "$@" && return 0; sleep 0.1; i=$((i + 1)); done
	"$@"
}
dynamic() {	# dynamic URI CN TTL
	printf 'dn: cn=%s,dc=example,dc=com\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: %s\nsn: S\nentryTtl: %s\n' \
		"$2" "$2" "$3" | ldapadd -x -H "$1" $ADM
}
E=dc=example,dc=com

echo "# 1. one provider, one consumer"
P=ldap://127.0.0.1:$(free_port) C=ldap://127.0.0.1:$(free_port)
check "the provider starts" node prov "${P##*:}" "$(conf prov 0)"
check "the consumer starts" node cons "${C##*:}" "$(conf cons 0 "$P")"
check "base entry on the provider" sh -c \
	"printf 'dn: $E\nobjectClass: domain\ndc: example\n' | ldapadd -x -H $P $ADM"
check "a dynamic object with a TTL of 6 s on the provider" dynamic "$P" a 6
check "... reaches the consumer" until_ok 100 stored "$C" "cn=a,$E"
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
check "... is written and reaches the consumer" until_ok 50 same
check "the provider stops" halt prov
check "past its time the consumer hides the entry" until_ok 120 sh -c \
	"! ldapsearch -x -LLL -H $C $ADM -b cn=a,$E -s base 1.1 2>/dev/null | grep -q '^dn:'"
sleep 2
check "... and keeps it stored: it does not delete (manageDSAit)" stored "$C" "cn=a,$E"
check "the provider starts again" node prov "${P##*:}" "$T/prov.conf"
check "... deletes the lapsed entry, and its Delete reaches the consumer" \
	until_ok 150 sh -c "! ldapsearch -x -LLL -H $C $ADM -b cn=a,$E -s base -e manageDSAit 1.1 2>/dev/null | grep -q '^dn:'"
halt cons; halt prov

echo "# 2. two multi-provider nodes, dynttl-replica-grace 5 s"
A=ldap://127.0.0.1:$(free_port) B=ldap://127.0.0.1:$(free_port)
check "node 1 starts" node one "${A##*:}" "$(conf one 1 "$B")"
check "node 2 starts" node two "${B##*:}" "$(conf two 2 "$A")"
check "base entry on node 1" sh -c \
	"printf 'dn: $E\nobjectClass: domain\ndc: example\n' | ldapadd -x -H $A $ADM"
check "... reaches node 2" until_ok 100 stored "$B" "$E"

check "node 1 adds k with a TTL of 4 s" dynamic "$A" k 4
check "... node 2 has it" until_ok 50 stored "$B" "cn=k,$E"
check "a keep-alive on node 2 gives it 60 s" sh -c \
	"ldapexop -x -H $B $ADM refresh cn=k,$E 60 | grep -qx newttl=60"
sleep 6
check "past its first time k is alive on node 1: node 2's keep-alive reached it" visible "$A" "cn=k,$E"
check "... and on node 2" visible "$B" "cn=k,$E"

check "node 1 adds own with a TTL of 3 s" dynamic "$A" own 3
check "... node 2 has it" until_ok 50 stored "$B" "cn=own,$E"
S=$(date +%s)
check "node 1 deletes it on time, and node 2 has it no more" until_ok 100 sh -c \
	"! ldapsearch -x -LLL -H $B $ADM -b cn=own,$E -s base -e manageDSAit 1.1 2>/dev/null | grep -q '^dn:'"
check "... within 3 s of its time, not after the grace" test $(( $(date +%s) - S )) -le 6

check "node 1 adds orphan with a TTL of 3 s" dynamic "$A" orphan 3
check "... node 2 has it" until_ok 50 stored "$B" "cn=orphan,$E"
check "node 1 stops" halt one
S=$(date +%s)
check "node 2 hides orphan once its time has passed" until_ok 80 sh -c \
	"! ldapsearch -x -LLL -H $B $ADM -b cn=orphan,$E -s base 1.1 2>/dev/null | grep -q '^dn:'"
check "... keeps it within the grace" stored "$B" "cn=orphan,$E"
check "... and deletes it after the grace (node 1 is down)" until_ok 150 sh -c \
	"! ldapsearch -x -LLL -H $B $ADM -b cn=orphan,$E -s base -e manageDSAit 1.1 2>/dev/null | grep -q '^dn:'"
check "... at its time + 5 s at the earliest" test $(( $(date +%s) - S )) -ge 6
check "node 1 starts again" node one "${A##*:}" "$T/one.conf"
check "node 1 catches up: orphan is gone there too" until_ok 150 sh -c \
	"! ldapsearch -x -LLL -H $A $ADM -b cn=orphan,$E -s base -e manageDSAit 1.1 2>/dev/null | grep -q '^dn:'"
check "k, kept alive on node 2, is still there on both nodes" sh -c \
	"ldapsearch -x -LLL -H $A $ADM -b cn=k,$E -s base 1.1 | grep -q '^dn:' && ldapsearch -x -LLL -H $B $ADM -b cn=k,$E -s base 1.1 | grep -q '^dn:'"
check "no Delete failed on either node" sh -c \
	"! grep -i 'cannot delete\|delete failed\|not deleted' '$T/one.log' '$T/two.log'"
halt one; halt two
finish
