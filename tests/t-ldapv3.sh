# t-ldapv3.sh - one directory for every DN spelling, seen with ldap-utils
# (LDAPv3) under ou=Dynamic,o=Intranet; registrations survive restarts.
. "$(dirname "$0")/lib.sh"
CONF=$(ils_conf "$T/d")
start_slapd -f "$CONF" || exit 1

# NetMeeting 3 form, LDAPv3 client
check "NetMeeting DN accepted over LDAPv3" ldif_add \
	"c=-,o=Microsoft, cn=alice@example.org, objectClass=rtPerson" \
	"cn: alice@example.org" "givenname: Alice" "sipaddress: 16777343" "c: -"
# NetMeeting 2 form: capitals, a real country, objectClass in lower case
check "NetMeeting 2 DN in capitals accepted" ldif_add \
	"C=US, O=Microsoft, CN=Bob@Example.org, OBJECTCLASS=rtperson" \
	"cn: Bob@Example.org" "sn: Builder" "c: US"
# PTLib form: no c, no o, RTPerson
check "PTLib DN without c and o accepted" ldif_add \
	"cn=carol@example.org, objectClass=RTPerson" \
	"objectClass: RTPerson" "cn: carol@example.org" "sipaddress: 3758139584"
# the canonical tree, written by an LDAPv3 client
check "canonical DN accepted" ldif_add "cn=dave@example.org,ou=Dynamic,o=Intranet" \
	"objectClass: rtPerson" "cn: dave@example.org" "surname: Dee"

lsearch -b ou=Dynamic,o=Intranet -s one '(objectClass=rtPerson)' cn > "$T/list"
for u in alice@example.org Bob@Example.org carol@example.org dave@example.org; do
	check "$u listed under ou=Dynamic,o=Intranet (one level)" \
		grep -qx "dn: cn=$u,ou=Dynamic,o=Intranet" "$T/list"
done
check "exactly four registrations listed" test "$(grep -c '^dn:' "$T/list")" = 4
check "objectClass rtPerson added for NetMeeting's Add" sh -c \
	"ldapsearch -x -LLL -H $URI -b 'cn=alice@example.org,ou=Dynamic,o=Intranet' -s base objectClass | grep -qx 'objectClass: rtPerson'"
check "subtree search from o=Intranet finds them too" sh -c \
	"ldapsearch -x -LLL -H $URI -b o=Intranet '(cn=*example.org)' dn | grep -c '^dn:' | grep -qx 4"
check "base search of a registration by any spelling" sh -c \
	"ldapsearch -x -LLL -H $URI -b 'CN=ALICE@EXAMPLE.ORG, objectclass=RTPERSON' -s base 1.1 | grep -qi '^dn: cn=alice@example.org,ou=Dynamic'"
check "cn matching is case-insensitive" sh -c \
	"ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet '(cn=BOB@example.ORG)' dn | grep -q '^dn:'"
check "a second Add of the same cn in another spelling replaces it" ldif_add \
	"cn=ALICE@example.org,ou=Dynamic,o=Intranet" "givenname: Alicia"
check "still one entry for alice, with the new data" sh -c \
	"test \$(ldapsearch -x -LLL -H $URI -b o=Intranet '(cn=alice@example.org)' givenName | grep -c '^givenName: Alicia') = 1"
check "the root DSE names both ILS naming contexts" sh -c \
	"ldapsearch -x -LLL -H $URI -b '' -s base namingContexts | grep -q 'namingContexts: objectClass=rtPerson'"
check "o=Intranet and ou=Dynamic exist as containers" sh -c \
	"ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s base objectClass | grep -q organizationalUnit"
check "compare works through the entry reader" sh -c \
	"ldapcompare -x -H $URI cn=dave@example.org,ou=Dynamic,o=Intranet sn:Dee | grep -q TRUE"
check "ldapmodify replace on the canonical DN" sh -c "printf 'dn: cn=dave@example.org,ou=Dynamic,o=Intranet\nchangetype: modify\nreplace: comment\ncomment: hello\n' | ldapmodify -x -H $URI"

# persistence: clean restart and kill -9
stop_slapd
start_slapd -f "$CONF" || exit 1
check "registrations survive a restart" sh -c \
	"ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s one dn | grep -c '^dn:' | grep -qx 4"
check "the modified value survived the restart" sh -c \
	"ldapsearch -x -LLL -H $URI -b cn=dave@example.org,ou=Dynamic,o=Intranet -s base comment | grep -qx 'comment: hello'"
ldapdelete -x -H "$URI" "cn=carol@example.org, objectClass=RTPerson" >/dev/null 2>&1
crash_slapd
start_slapd -f "$CONF" || exit 1
check "a delete made just before kill -9 persists" sh -c \
	"ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s one dn | grep -c '^dn:' | grep -qx 3"
finish
