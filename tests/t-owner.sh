# t-owner.sh - a registration belongs to its registrant: with the default
# configuration a client from a second address (127.0.0.2: all of
# 127.0.0.0/8 is loopback) can neither delete, change, re-register,
# refresh nor shorten it, while its owner's every flow keeps working; the
# rootdn and an identity the ACLs grant manage can; bans with stock ACLs.
. "$(dirname "$0")/lib.sh"
ILS_TTL_MIN=1
export ILS_TTL_MIN
CONF=$(ils_conf "$T/d")
sed -i 's|^rootdn .*|&\nrootpw    secret|' "$CONF"
# a moderator: root on this machine over ldapi:// (SASL EXTERNAL)
MOD="gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth"
sed -i "s|^	by dynacl/ils-owner write|	by dn.exact=\"$MOD\" manage\n&|" "$CONF"
sed -i "s|^	by \* none|	by dn.exact=\"$MOD\" read\n&|" "$CONF"
LDAPI="ldapi://$(printf '%s' "$T/ldapi" | sed 's|/|%2F|g')"
SLAPD_MORE_URLS=$LDAPI
start_slapd -f "$CONF" || exit 1
ROOT="-D cn=admin,o=Intranet -w secret"
V=$(dn victim@x)

# from2 CMD...: the command as a client on 127.0.0.2
from2() { LDAPSOCKET_BIND_ADDRESSES=127.0.0.2; export LDAPSOCKET_BIND_ADDRESSES
	"$@"; rc=$?; unset LDAPSOCKET_BIND_ADDRESSES; return $rc; }
from3() { LDAPSOCKET_BIND_ADDRESSES=127.0.0.3; export LDAPSOCKET_BIND_ADDRESSES
	"$@"; rc=$?; unset LDAPSOCKET_BIND_ADDRESSES; return $rc; }
w2() { wire -b 127.0.0.2 "$@"; }
mod() { printf 'dn: %s\nchangetype: modify\nreplace: %s\n%s: %s\n' "$2" "$3" "$3" "$4" |
	$1 ldapmodify -x -H "$URI"; }
state() {	# the victim as its owner left it: name, address, TTL near 30 min
	ldapsearch -x -LLL -o ldif-wrap=no -H "$URI" -b "$V" -s base givenName sipaddress |
		tr '\n' ' ' | grep -q 'givenName: Victim sipaddress: 16777343' &&
	between "$(ttl "$V")" 1780 1800
}

echo "# the victim registers from 127.0.0.1, as NetMeeting does"
check "the victim registers" ldif_add "$V" "givenname: Victim" "sipaddress: 16777343"
check "its owner's address is stored" sh -c \
	"ldapsearch -x -LLL -H $URI $ROOT -b $V -s base ilsOwnerAddress | grep -qx 'ilsOwnerAddress: 127.0.0.1'"
check "an anonymous reader does not see the owner's address" sh -c \
	"! ldapsearch -x -LLL -H $URI -b $V -s base + | grep -qi ilsOwner"
check "... nor find it with a filter" sh -c \
	"! ldapsearch -x -LLL -H $URI -b $V -s base '(ilsOwnerAddress=127.0.0.1)' 1.1 | grep -q '^dn:'"
check "the moderator reads it" sh -c \
	"ldapsearch -Q -Y EXTERNAL -LLL -H $LDAPI -b $V -s base ilsOwnerAddress | grep -qx 'ilsOwnerAddress: 127.0.0.1'"
expect_rc 19 "no client may write the owner's address" \
	ldif_add "$(dn forged@x)" "ilsOwnerAddress: 10.0.0.1"

echo "# a client on 127.0.0.2 attacks it"
expect_rc 50 "Delete from another address" from2 ldapdelete -x -H "$URI" "$V"
expect_rc 50 "... of NetMeeting's spelling" from2 ldapdelete -x -H "$URI" \
	"c=-,o=Microsoft, cn=victim@x, objectClass=rtPerson"
cp "$T/check.out" "$T/del.out"
check "... with a diagnostic" grep -q "no write access to this registration" "$T/del.out"
expect_rc 50 "redirecting its calls (Modify sipaddress)" mod from2 "$V" sipaddress 33554559
expect_rc 50 "renaming it (Modify givenname)" mod from2 "$V" givenname Mallory
expect_rc 68 "re-registering its name (Add)" from2 ldif_add "$V" "givenname: Mallory" "sipaddress: 33554559"
cp "$T/check.out" "$T/add.out"
check "... with a diagnostic" grep -q "registered by another address" "$T/add.out"
w2 add-expect 68 "c=-,o=Microsoft, cn=victim@x, objectClass=rtPerson" \
	givenname=Mallory sipaddress=33554559
expect_rc 50 "shortening its TTL (Modify entryTtl)" mod from2 "$V" entryTtl 1
expect_rc 50 "shortening its TTL (Modify sttl)" mod from2 "$V" sttl 1
expect_err 50 "shortening its TTL (RFC 2589 refresh)" from2 ldapexop -x -H "$URI" refresh "$V" 1
check "a listing keep-alive (cn=%)(sttl=1) from there is answered" sh -c \
	"LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapsearch -x -LLL -H $URI -b objectClass=rtPerson -s base '(&(objectClass=rtPerson)(cn=%)(sttl=1))' 1.1 | grep -q '^dn:'"
check "its keep-alive of the victim's cn is answered with the entry" sh -c \
	"LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapsearch -x -LLL -H $URI -b objectClass=rtPerson -s base '(&(objectClass=rtPerson)(cn=victim@x)(sttl=1))' 1.1 | grep -q '^dn:'"
w2 keepalive victim@x
expect_rc 68 "adding a Dialer application entry of the victim's cn (its data would join the victim's)" \
	from2 ldif_add "cn=victim@x,appName=MS-NetMeeting,ou=Applications,o=Intranet" \
	"objectClass: rtApplicationUser" "protocolID: H323" "port: 9999"
check "... which left the victim without foreign application data" sh -c \
	"! ldapsearch -x -LLL -H $URI -b $V -s base port protocolID | grep -qi '^port: 9999'"
check "the victim's entry and TTL are as its owner left them" state

echo "# the owner's own listing with sttl refreshes nothing either"
check "an sttl listing from the owner's address is answered" sh -c \
	"ldapsearch -x -LLL -H $URI -b objectClass=rtPerson -s base '(&(objectClass=rtPerson)(cn=%)(sttl=1))' 1.1 | grep -q '^dn:'"
check "... and leaves the TTL" state

echo "# the owner's own flows"
check "its keep-alive refreshes (sttl=1: 60 s)" sh -c \
	"ldapsearch -x -LLL -H $URI -b objectClass=rtPerson -s base '(&(objectClass=rtPerson)(cn=victim@x)(sttl=1))' 1.1 | grep -q '^dn:'"
check "... its TTL is 60 s" between "$(ttl "$V")" 55 60
check "its Modify works" mod "" "$V" comment "at home"
check "its RFC 2589 refresh works" ldapexop -x -H "$URI" refresh "$V" 1800
check "its re-Add works" ldif_add "$V" "givenname: Victim" "sipaddress: 16777343"
check "... and keeps it its own" sh -c \
	"ldapsearch -x -LLL -H $URI $ROOT -b $V -s base ilsOwnerAddress | grep -qx 'ilsOwnerAddress: 127.0.0.1'"
wire register nm@x
wire keepalive nm@x
wire unregister nm@x
echo "# every client's flow from the second address, on its own names"
w2 register nm3@y
w2 keepalive nm3@y
w2 browse nm3@y
w2 unregister nm3@y
w2 nm2 nm2@y
w2 tapi 'dialer]y.example'
w2 -L gnome gm@y
w2 ptlib pt@y
w2 ekiga Meeting gm@y
check "the second address owns what it registered" sh -c \
	"ldapsearch -x -LLL -H $URI $ROOT -b $(dn gm@y) -s base ilsOwnerAddress | grep -qx 'ilsOwnerAddress: 127.0.0.2'"
expect_rc 50 "... which the first address cannot delete" ldapdelete -x -H "$URI" "$(dn gm@y)"

check "an application entry from the second address" from2 ldif_add \
	"cn=squat@x,appName=MS-NetMeeting,ou=Applications,o=Intranet" \
	"objectClass: rtApplicationUser" "port: 9999"
expect_rc 68 "... makes its cn the second address's: a person of that cn from elsewhere gets 68" \
	ldif_add "$(dn squat@x)" "givenname: Squat"

echo "# NetMeeting's ssecurity token is its owner's secret"
wire register tok@x
check "its owner reads its token" sh -c \
	"ldapsearch -x -LLL -H $URI -b $(dn tok@x) -s base ssecurity | grep -qx 'ssecurity: 21912384'"
check "another address's lookup does not get it" sh -c \
	"LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapsearch -x -LLL -H $URI -b $(dn tok@x) -s base ssecurity cn | grep -qx 'cn: tok@x' &&
	! LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapsearch -x -LLL -H $URI -b $(dn tok@x) -s base ssecurity | grep -qi '^ssecurity'"
check "... nor its all-attributes listing" sh -c \
	"! LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapsearch -x -LLL -H $URI -b objectClass=rtPerson -s base '(cn=to%)' | grep -qi '^ssecurity'"
check "... and its filters cannot test it" sh -c \
	"! LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapsearch -x -LLL -H $URI -b objectClass=rtPerson -s base '(&(cn=tok@x)(ssecurity=21912384))' 1.1 | grep -q '^dn:'"
check "... which its owner's can" sh -c \
	"ldapsearch -x -LLL -H $URI -b objectClass=rtPerson -s base '(&(cn=tok@x)(ssecurity=21912384))' 1.1 | grep -q '^dn:'"

echo "# the name is free again once its owner leaves or it expires"
check "the owner deletes" ldapdelete -x -H "$URI" "$V"
check "another address may now register the name" from2 ldif_add "$V" "givenname: New"
check "a short registration" ldif_add "$(dn brief@x)" "entryTtl: 1"
sleep 2.5
check "after its expiry another address registers the name" from2 ldif_add "$(dn brief@x)" "givenname: New"

echo "# administrators"
ldif_add "$(dn spam@x)" "givenname: Spam" >/dev/null
check "the rootdn removes a registration" ldapdelete -x -H "$URI" $ROOT "$(dn spam@x)"
ldif_add "$(dn spam2@x)" "givenname: Spam" >/dev/null
check "the moderator (manage) removes one" ldapdelete -Q -Y EXTERNAL -H "$LDAPI" "$(dn spam2@x)"
check "an ldapi:// registration belongs to \"local\"" sh -c \
	"ldapadd -x -H $LDAPI <<EOF >/dev/null && ldapsearch -x -LLL -H $URI $ROOT -b $(dn sock@x) -s base ilsOwnerAddress | grep -qx 'ilsOwnerAddress: local'
dn: $(dn sock@x)
givenname: Sock
EOF"
check "slapd is still running" alive
stop_slapd
start_slapd -f "$CONF" || exit 1
check "after a restart the second address still owns its registration" sh -c \
	"ldapsearch -x -LLL -H $URI $ROOT -b $(dn gm@y) -s base ilsOwnerAddress | grep -qx 'ilsOwnerAddress: 127.0.0.2'"
expect_rc 50 "... and the first still cannot delete it" ldapdelete -x -H "$URI" "$(dn gm@y)"
stop_slapd

echo "# bans with stock ACLs: an address, a name pattern"
CONF=$(ils_conf "$T/ban")
awk '
	/^access to \*$/ {
		print "access to dn.regex=\"^cn=[^,]*spam[^,]*,ou=dynamic,o=intranet$\""
		print "\tby * none"
		print; getline
		print "\tby peername.ip=127.0.0.3 read"
	}
	{ print }' "$CONF" > "$CONF.new" && mv "$CONF.new" "$CONF"
check "the ban configuration has both clauses" sh -c \
	"grep -q 'peername.ip=127.0.0.3 read' $CONF && grep -q 'spam' $CONF"
PORT= start_slapd -f "$CONF" || exit 1
expect_rc 50 "a banned address cannot register" from3 ldif_add "$(dn b@x)" "givenname: B"
check "... but may browse" from3 \
	ldapsearch -x -H "$URI" -b objectClass=rtPerson -s base '(cn=%)'
expect_rc 50 "a banned name pattern cannot be registered" ldif_add "$(dn myspamname@x)" "givenname: S"
expect_rc 50 "... in NetMeeting's spelling either" ldif_add \
	"c=-,o=Microsoft, cn=SPAMmer@x, objectClass=rtPerson" "givenname: S"
check "other names and addresses register" ldif_add "$(dn fine@x)" "givenname: F"
finish
