# t-shared.sh - an ILS database next to an ordinary back-mdb database in one
# slapd: both work, and the server-wide effects documented in slapd-ils(5)
# (SHARED SERVERS) are exactly what happens.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/mdb" "$T/ils"
mdb_conf() {
	cat <<CONF
include $SCHEMADIR/core.schema
include $SCHEMADIR/cosine.schema
include $SCHEMADIR/inetorgperson.schema
include $TOP/schema/ils.schema
pidfile $T/slapd.pid
moduleload back_mdb
CONF
	[ "$1" = ils ] && echo "moduleload $BUILD/back_ils.la"
	cat <<CONF
allow bind_v2 bind_anon_dn update_anon
database mdb
suffix "dc=example,dc=com"
rootdn "cn=admin,dc=example,dc=com"
rootpw secret
directory $T/mdb
index objectClass eq
index cn eq,sub
CONF
	[ "$1" = ils ] && cat <<CONF
database ils
suffix "o=Intranet"
suffix "objectClass=rtPerson"
directory $T/ils
access to * by * write
CONF
	true
}
madd() { ldapadd -x -H "$URI" -D cn=admin,dc=example,dc=com -w secret; }

# 1. back-mdb alone, before back-ils was ever loaded
mdb_conf plain > "$T/plain.conf"
start_slapd -f "$T/plain.conf" || exit 1
check "back-mdb alone: base entries" sh -c "printf 'dn: dc=example,dc=com\nobjectClass: domain\ndc: example\n\ndn: cn=Old Entry,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Old Entry\nsn: Entry\n' | ldapadd -x -H $URI -D cn=admin,dc=example,dc=com -w secret"
expect_rc 34 "back-mdb alone: c=- is an invalid DN" sh -c "printf 'dn: c=-,dc=example,dc=com\nobjectClass: country\nc: -\n' | ldapadd -x -H $URI -D cn=admin,dc=example,dc=com -w secret"
stop_slapd

# 2. the same server with back-ils loaded
mdb_conf ils > "$T/shared.conf"
start_slapd -f "$T/shared.conf" || exit 1
check "shared: NetMeeting registers in the ILS database" ldif_add \
	"c=-,o=Microsoft, cn=nm@example.org, objectClass=rtPerson" "givenname: Nm"
check "shared: the ILS database lists it" sh -c \
	"ldapsearch -x -LLL -H $URI -b objectClass=rtPerson -s base '(cn=%)' cn | grep -qx 'cn: nm@example.org'"
check "shared: back-mdb still finds its old entry by objectClass (indexed)" sh -c \
	"ldapsearch -x -LLL -H $URI -b dc=example,dc=com '(objectClass=inetOrgPerson)' cn | grep -qx 'cn: Old Entry'"
check "shared: objectClass added to an entry stored before back-ils was loaded" sh -c \
	"printf 'dn: cn=Old Entry,dc=example,dc=com\nchangetype: modify\nadd: objectClass\nobjectClass: extensibleObject\n' | ldapmodify -x -H $URI -D cn=admin,dc=example,dc=com -w secret"
check "shared: slapd survived that modify" alive
check "shared: back-mdb adds and finds a new entry" sh -c "printf 'dn: cn=New Entry,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: New Entry\nsn: Entry\ngivenName: J\303\274rgen\n' | ldapadd -x -H $URI -D cn=admin,dc=example,dc=com -w secret && ldapsearch -x -LLL -H $URI -b dc=example,dc=com '(objectclass=INETORGPERSON)' cn | grep -c '^cn:' | grep -qx 2"
check "shared: objectClass DN values match case-insensitively everywhere" sh -c \
	"ldapsearch -x -LLL -H $URI -b 'OBJECTCLASS=RTPERSON' -s base '(cn=nm@example.org)' cn | grep -q '^cn:'"
# documented side effects
check "shared (documented): c: - is now valid in back-mdb too" sh -c \
	"printf 'dn: c=-,dc=example,dc=com\nobjectClass: country\nc: -\n' | ldapadd -x -H $URI -D cn=admin,dc=example,dc=com -w secret"
check "shared (documented): Latin-1 givenName in back-mdb is stored as UTF-8" sh -c \
	"printf 'dn: cn=Latin,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Latin\nsn: L\ngivenName: Ren\351\n' | ldapadd -x -H $URI -D cn=admin,dc=example,dc=com -w secret && ldapsearch -x -LLL -H $URI -b cn=Latin,dc=example,dc=com -s base givenName | grep -qx 'givenName:: UmVuw6k='"
expect_rc 21 "shared: other Directory String types stay strict (description)" sh -c \
	"printf 'dn: cn=Strict,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Strict\nsn: S\ndescription: Ren\351\n' | ldapadd -x -H $URI -D cn=admin,dc=example,dc=com -w secret"
expect_err 8 "shared (documented): an anonymous Start Transaction is refused" \
	ldapexop -x -H "$URI" 1.3.6.1.1.21.1
TXN="30150201017710800e$(printf '1.3.6.1.1.21.1' | od -An -tx1 | tr -d ' \n')"
r=0
while [ $r -lt 5 ] && alive; do wire hangup 200 "$TXN" | grep '^not ok'; r=$((r + 1)); done
check "shared: slapd survives 1000 anonymous Start Transactions closed at once" alive
check "shared (documented): back-mdb's users still start transactions" \
	ldapexop -x -H "$URI" -D cn=admin,dc=example,dc=com -w secret 1.3.6.1.1.21.1
stop_slapd
finish
