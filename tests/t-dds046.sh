# t-dds046.sh - OpenLDAP's own RFC 2589 test, tests/scripts/test046-dds of
# the openldap source package, ported step for step to slapo-dynttl on
# back-mdb.  Its data are tests/data/test046-ordered.ldif (the source's
# tests/data/test-ordered.ldif) and test046-dds.out (its data/dds.out);
# its configuration is data/slapd-dds.conf with the dds keywords mapped:
#   dds-max-ttl 1d -> dynttl-max-ttl 1d, dds-min-ttl 10s -> dynttl-min-ttl
#   10s, dds-default-ttl 1h -> dynttl-default-ttl 1h, index
#   entryExpireTimestamp -> index dynttlExpireTime.  dds-interval and
#   dds-tolerance have no counterpart: dynttl deletes an entry when its
#   TTL lapses, not at the next scan (slapo-dynttl(5), DIFFERENCES FROM
#   SLAPO-DDS).
# Every step of test046 that checks something is one check here, in its
# order; its final comparison of the searches with dds.out and its
# "entryTtl decreases" test are one check per search.  The steps sleep
# as test046's do, with margins for a loaded machine.  The subset that
# applies to back-ils is t-dds046-ils.sh.
. "$(dirname "$0")/lib.sh"
DATA=$TOP/tests/data
BASEDN="dc=example,dc=com"
MANAGERDN="cn=Manager,$BASEDN"
PASSWD=secret
BABSDN="cn=Barbara Jensen,ou=Information Technology DivisioN,ou=People,$BASEDN"
BJORNSDN="cn=Bjorn Jensen,ou=Information Technology DivisioN,ou=People,$BASEDN"
JAJDN="cn=James A Jones 1,ou=Alumni Association,ou=People,$BASEDN"
JOHNDDN="cn=John Doe,ou=Information Technology Division,ou=People,$BASEDN"
MELLIOTDN="cn=Mark Elliot,ou=Alumni Association,ou=People,$BASEDN"
SLEEP0=1
mkdir -p "$T/db.1.a"
cat > "$T/slapd.conf" <<CONF
include $SCHEMADIR/core.schema
include $SCHEMADIR/cosine.schema
include $SCHEMADIR/inetorgperson.schema
include $SCHEMADIR/openldap.schema
include $SCHEMADIR/nis.schema
pidfile $T/slapd.1.pid
moduleload back_mdb
moduleload back_monitor
moduleload $BUILD/dynttl.la

database mdb
suffix "$BASEDN"
rootdn "$MANAGERDN"
rootpw $PASSWD
directory $T/db.1.a
index objectClass eq
index cn,sn,uid pres,eq,sub
index dynttlExpireTime eq
add_content_acl on

overlay dynttl
dynttl-max-ttl 1d
dynttl-min-ttl 10s
dynttl-default-ttl 1h

# This is to test the meeting feature
access to attrs=userPassword
	by self write
	by * read

access to dn.base="ou=Groups,$BASEDN"
		attrs=children
	by users write

access to dn.onelevel="ou=Groups,$BASEDN"
		attrs=entryTtl
	by dnattr=member manage
	by * read

access to dn.onelevel="ou=Groups,$BASEDN"
	by dnattr=creatorsName write
	by * break

access to dn.onelevel="ou=Groups,$BASEDN"
		attrs=entry
	by * read

access to dn.onelevel="ou=Groups,$BASEDN"
		attrs=member
	by users selfwrite
	by * read

access to *
	by * read

database monitor
CONF

check "slapadd builds the database (test-ordered.ldif)" \
	slapadd -f "$T/slapd.conf" -l "$DATA/test046-ordered.ldif"
check "slapindex indexes it (dynttlExpireTime among the indices)" \
	slapindex -f "$T/slapd.conf"
# stats: the expiry task logs its deferral of a parent
SLAPD_DEBUG=256 start_slapd -f "$T/slapd.conf" || exit 1
check "slapd answers a search of cn=Monitor" \
	ldapsearch -x -H "$URI" -s base -b cn=Monitor '(objectclass=*)'

mgr() { "$@" -x -H "$URI" -D "$MANAGERDN" -w "$PASSWD"; }
as() { dn=$1 pw=$2; shift 2; "$@" -x -H "$URI" -D "$dn" -w "$pw"; }
: > "$T/search.out"
SEARCH=0
# search: test046's "Searching the dynamic portion of the database", then
# its final comparison for this search: the entries of dds.out's section,
# attributes sorted (ldif-filter -s a), entryTtl aside; and each entryTtl
# at least SLEEP0 below the one dds.out saved (test046 reads the TTLs
# after sleeping SLEEP0 since the operation that set them)
search() {
	SEARCH=$((SEARCH + 1))
	sleep $SLEEP0
	echo "# [$SEARCH] Searching the dynamic portion of the database..." > "$T/s$SEARCH.out"
	check "[$SEARCH] search of the dynamic portion of the database" sh -c \
		"ldapsearch -x -LLL -o ldif-wrap=no -S '' -b '$BASEDN' -H '$URI' '(objectClass=dynamicObject)' '*' entryTtl >> '$T/s$SEARCH.out'"
	cat "$T/s$SEARCH.out" >> "$T/search.out"
	check "[$SEARCH] ... finds the entries of dds.out" \
		python3 "$TOP/tests/ldifcmp.py" entries "$T/s$SEARCH.out" "$DATA/test046-dds.out" $SEARCH
	check "[$SEARCH] ... each entryTtl at least $SLEEP0 s below dds.out's" \
		python3 "$TOP/tests/ldifcmp.py" ttls "$T/s$SEARCH.out" "$DATA/test046-dds.out" $SEARCH $SLEEP0
}

check "creating a dynamic entry" sh -c "ldapadd -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' <<EOF
dn: cn=Dynamic Object,$BASEDN
objectClass: inetOrgPerson
objectClass: dynamicObject
cn: Dynamic Object
sn: Object
EOF"
check "refreshing the newly created dynamic entry (120 s)" sh -c \
	"ldapexop -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' refresh 'cn=Dynamic Object,$BASEDN' 120 | grep -qx newttl=120"
check "modifying the newly created dynamic entry (add userPassword)" sh -c "ldapmodify -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' <<EOF
dn: cn=Dynamic Object,$BASEDN
changetype: modify
add: userPassword
userPassword: dynamic
EOF"
check "binding as the newly created dynamic entry" sh -c \
	"ldapwhoami -x -H '$URI' -D 'cn=Dynamic Object,$BASEDN' -w dynamic | grep -qix 'dn:cn=Dynamic Object,$BASEDN'"
check "creating a dynamic entry subordinate to another" sh -c "ldapadd -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' <<EOF
dn: cn=Subordinate Dynamic Object,cn=Dynamic Object,$BASEDN
objectClass: inetOrgPerson
objectClass: dynamicObject
cn: Subordinate Dynamic Object
sn: Object
userPassword: dynamic
EOF"
search	# [1]

expect_rc 19 "creating a static entry subordinate to a dynamic one fails" sh -c "ldapadd -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' <<EOF
dn: cn=Subordinate Static Object,cn=Dynamic Object,$BASEDN
objectClass: inetOrgPerson
cn: Subordinate Static Object
sn: Object
userPassword: static
EOF"
cp "$T/check.out" "$T/static.out"
check "... with slapo-dds's diagnostic" \
	grep -q "no static subordinate entries allowed for dynamicObject" "$T/static.out"
expect_rc 65 "turning a static into a dynamic entry fails" sh -c "ldapmodify -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' <<EOF
dn: ou=People,$BASEDN
changetype: modify
add: objectClass
objectClass: dynamicObject
EOF"
expect_rc 65 "turning a dynamic into a static entry fails" sh -c "ldapmodify -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' <<EOF
dn: cn=Dynamic Object,$BASEDN
changetype: modify
delete: objectClass
objectClass: dynamicObject
EOF"
check "renaming a dynamic entry" sh -c "ldapmodify -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' <<EOF
dn: cn=Subordinate Dynamic Object,cn=Dynamic Object,$BASEDN
changetype: modrdn
newrdn: cn=Renamed Dynamic Object
deleteoldrdn: 1
EOF"
search	# [2]

check "refreshing the initial dynamic entry to make it expire earlier than the subordinate" sh -c \
	"ldapexop -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' refresh 'cn=Dynamic Object,$BASEDN' 1 | grep -qx newttl=10"
# test046 waits 10 s for the parent's 10 s to lapse; here the conflict
# must have happened too (up to 10 s more on a loaded machine): the
# parent's Delete met its child
sleep 10
i=0
while [ $i -lt 100 ] && ! grep -q 'dynttl: "cn=dynamic object,dc=example,dc=com" has subordinates' "$T/slapd.log"; do
	sleep 0.1; i=$((i + 1))
done
check "a subordinate/superior expiration conflict: the parent was deferred, not deleted" \
	grep -q 'dynttl: "cn=dynamic object,dc=example,dc=com" has subordinates; deferred' "$T/slapd.log"
check "re-vitalizing the initial dynamic entry (120 s)" sh -c \
	"ldapexop -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' refresh 'cn=Dynamic Object,$BASEDN' 120 | grep -qx newttl=120"
check "re-renaming the subordinate dynamic entry (new superior)" sh -c "ldapmodify -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' <<EOF
dn: cn=Renamed Dynamic Object,cn=Dynamic Object,$BASEDN
changetype: modrdn
newrdn: cn=Renamed Dynamic Object
deleteoldrdn: 1
newsuperior: $BASEDN
EOF"
search	# [3]

check "deleting a dynamic entry" sh -c "ldapmodify -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' <<EOF
dn: cn=Dynamic Object,$BASEDN
changetype: delete
EOF"
search	# [4]

check "refreshing the remaining dynamic entry (1 s: dynttl-min-ttl gives 10)" sh -c \
	"ldapexop -x -H '$URI' -D '$MANAGERDN' -w '$PASSWD' refresh 'cn=Renamed Dynamic Object,$BASEDN' 1 | grep -qx newttl=10"
search	# [5]

# test046 waits 15 s for the remaining 10 s to lapse
sleep 15
search	# [6]: nothing left
check "the renamed entry is deleted, not only hidden" sh -c \
	"! ldapsearch -x -LLL -H '$URI' -D '$MANAGERDN' -w '$PASSWD' -e manageDSAit -b '$BASEDN' '(cn=Renamed Dynamic Object)' 1.1 | grep -q ^dn:"

# Meeting
MEETINGDN="cn=Meeting,ou=Groups,$BASEDN"
check "creating a meeting as $BJORNSDN" sh -c "ldapmodify -x -H '$URI' -D '$BJORNSDN' -w bjorn <<EOF
dn: $MEETINGDN
changetype: add
objectClass: groupOfNames
objectClass: dynamicObject
cn: Meeting
member: $BJORNSDN

dn: $MEETINGDN
changetype: modify
add: member
member: $JOHNDDN
EOF"
check "refreshing the meeting as $BJORNSDN" sh -c \
	"ldapexop -x -H '$URI' -D '$BJORNSDN' -w bjorn refresh '$MEETINGDN' 120 | grep -qx newttl=120"
check "joining the meeting as $BABSDN" sh -c "ldapmodify -x -H '$URI' -D '$BABSDN' -w bjensen <<EOF
dn: $MEETINGDN
changetype: modify
add: member
member: $BABSDN
EOF"
expect_rc 50 "adding a member as $BABSDN fails" sh -c "ldapmodify -x -H '$URI' -D '$BABSDN' -w bjensen <<EOF
dn: $MEETINGDN
changetype: modify
add: member
member: $MELLIOTDN
EOF"
check "refreshing the meeting as $BABSDN (a member: manage on entryTtl)" sh -c \
	"ldapexop -x -H '$URI' -D '$BABSDN' -w bjensen refresh '$MEETINGDN' 180 | grep -qx newttl=180"
# test046 asks only for a failure; ldapexop exits 1 on any error
expect_err 8 "refreshing the meeting anonymously fails (a write: slapd wants a bind)" \
	ldapexop -x -H "$URI" refresh "$MEETINGDN" 240
expect_err 50 "refreshing the meeting as $JAJDN (no member) fails" \
	ldapexop -x -H "$URI" -D "$JAJDN" -w jaj refresh "$MEETINGDN" 240
check "... and neither refreshed it (entryTtl at most 180)" \
	between "$(ttl "$MEETINGDN")" 1 180
expect_rc 50 "deleting the meeting as $BABSDN fails" sh -c "ldapmodify -x -H '$URI' -D '$BABSDN' -w bjensen <<EOF
dn: $MEETINGDN
changetype: delete
EOF"
check "deleting the meeting as $BJORNSDN" sh -c "ldapmodify -x -H '$URI' -D '$BJORNSDN' -w bjorn <<EOF
dn: $MEETINGDN
changetype: delete
EOF"
check "slapd is still running" alive
finish
