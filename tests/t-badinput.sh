# t-badinput.sh - bad input gets a precise result code and a diagnostic,
# never a crash, and touches no other registration
. "$(dirname "$0")/lib.sh"
CONF=$(ils_conf "$T/d")
start_slapd -f "$CONF" || exit 1
ldif_add "cn=keep@example.org,ou=Dynamic,o=Intranet" "givenname: Keep" \
	"sipaddress: 16777343" >/dev/null
long() { head -c "$1" /dev/zero | tr '\0' x; }

expect_rc 64 "ILS DN without cn" ldif_add "c=-,o=Microsoft,objectClass=rtPerson" "givenname: x"
expect_rc 34 "ILS DN with an empty cn (slapd's DN check)" ldif_add "c=-,o=Microsoft,cn=,objectClass=rtPerson" "givenname: x"
expect_rc 64 "ILS DN with two cn" ldif_add "cn=a@x,cn=b@x,objectClass=rtPerson" "givenname: x"
expect_rc 34 "unknown pseudo-class (slapd's DN check)" ldif_add "cn=a@x,objectClass=rtNoSuchClass" "givenname: x"
expect_rc 53 "a DN below o=Intranet that is no registration" ldif_add "cn=a@x,ou=Static,o=Intranet" "givenname: x"
expect_rc 68 "adding a built-in container" ldif_add "ou=Dynamic,o=Intranet" "ou: Dynamic"
expect_rc 64 "cn over 500 bytes" ldif_add "cn=$(long 600),objectClass=rtPerson" "sflags: 1"
expect_rc 19 "value over ils-max-value-length (1024)" ldif_add "cn=v@x,objectClass=rtPerson" "comment: $(long 1025)"
check "a 127-byte location (MS ILS limit) is accepted" ldif_add "cn=w@x,objectClass=rtPerson" "location: $(long 127)"
seq -f "sport: %g" 1 65 > "$T/ports"
expect_rc 11 "more values than ils-max-values (64)" sh -c \
	"{ echo 'dn: cn=m@x,objectClass=rtPerson'; cat $T/ports; } | ldapadd -x -H $URI"
expect_rc 21 "sipaddress that is not a number" ldif_add "cn=i@x,objectClass=rtPerson" "sipaddress: 1.2.3.4"
expect_rc 21 "sipaddress above 2^32" ldif_add "cn=i@x,objectClass=rtPerson" "sipaddress: 4294967296"
check "sipaddress printed signed is stored unsigned" ldif_add "cn=s@x,objectClass=rtPerson" "sipaddress: -1"
check "... and reads back as 4294967295" sh -c \
	"ldapsearch -x -LLL -H $URI -b 'cn=s@x,objectClass=rtPerson' -s base sipaddress | grep -qx 'sipaddress: 4294967295'"
expect_rc 21 "sttl that is not a number" ldif_add "cn=t@x,objectClass=rtPerson" "sttl: ten"
expect_rc 17 "undefined attribute type" ldif_add "cn=u@x,objectClass=rtPerson" "nosuchattr: 1"
expect_rc 11 "a search asking for more than 128 attributes" \
	ldapsearch -x -H "$URI" -b objectClass=rtPerson -s base "(cn=%)" $(seq -f "a%g" 1 200)
check "a search asking for 100 attributes is served" \
	ldapsearch -x -H "$URI" -b objectClass=rtPerson -s base "(cn=%)" $(seq -f "a%g" 1 100)
expect_rc 53 "ModifyDN is refused" ldapmodrdn -x -H "$URI" "cn=keep@example.org,ou=Dynamic,o=Intranet" cn=other
expect_rc 32 "Delete of a missing registration" ldapdelete -x -H "$URI" "cn=nobody@x, objectClass=rtPerson"
expect_rc 32 "Modify of a missing registration" sh -c \
	"printf 'dn: cn=nobody@x,objectClass=rtPerson\nchangetype: modify\nreplace: sflags\nsflags: 1\n' | ldapmodify -x -H $URI"
expect_rc 67 "changing a registration's cn" sh -c \
	"printf 'dn: cn=keep@example.org,ou=Dynamic,o=Intranet\nchangetype: modify\nreplace: cn\ncn: other\n' | ldapmodify -x -H $URI"
expect_rc 53 "deleting a container" ldapdelete -x -H "$URI" "ou=Dynamic,o=Intranet"
expect_rc 32 "search below a registration's unknown sibling" \
	ldapsearch -x -H "$URI" -b "cn=zz,ou=Other,o=Intranet" -s base
check "diagnostic message names the problem" sh -c \
	"printf 'dn: cn=i@x,objectClass=rtPerson\nsipaddress: x\n' | ldapadd -x -H $URI 2>&1 | grep -q 'not an IPv4 address'"

expect_rc 122 "a Delete whose assertion (RFC 4528) fails" \
	ldapdelete -x -H "$URI" -e 'assert=(givenName=Other)' "cn=keep@example.org,ou=Dynamic,o=Intranet"
expect_rc 122 "a Modify whose assertion fails" sh -c \
	"printf 'dn: cn=keep@example.org,ou=Dynamic,o=Intranet\nchangetype: modify\nreplace: comment\ncomment: x\n' | ldapmodify -x -H $URI -e 'assert=(givenName=Other)'"
expect_rc 122 "a search whose assertion about its base fails" \
	ldapsearch -x -H "$URI" -e 'assert=(givenName=Other)' -b "cn=keep@example.org,ou=Dynamic,o=Intranet" -s base
check "a search whose assertion holds" \
	ldapsearch -x -H "$URI" -e 'assert=(givenName=Keep)' -b "cn=keep@example.org,ou=Dynamic,o=Intranet" -s base
expect_rc 122 "... and one about a container" \
	ldapsearch -x -H "$URI" -e 'assert=(ou=Static)' -b "ou=Dynamic,o=Intranet" -s one '(cn=*)'
check "a Modify whose assertion holds" sh -c \
	"printf 'dn: cn=keep@example.org,ou=Dynamic,o=Intranet\nchangetype: modify\nreplace: comment\ncomment: x\n' | ldapmodify -x -H $URI -e 'assert=(givenName=Keep)'"
check "slapd is still running" alive
check "the other registration is untouched" sh -c \
	"ldapsearch -x -LLL -H $URI -b cn=keep@example.org,ou=Dynamic,o=Intranet -s base givenName sipaddress | tr '\n' ' ' | grep -q 'givenName: Keep sipaddress: 16777343'"
check "no failed Add left an entry behind" sh -c \
	"test \$(ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s one 1.1 | grep -c '^dn:') = 3"
finish
