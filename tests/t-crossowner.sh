# t-crossowner.sh - a person and the Dialer's application user of the same
# cn are joined (ils_app_join, the cascade in delete_entry, app_unlisted):
# with the default configuration a client on 127.0.0.2 must not be able to
# change, delete or hide a registration of 127.0.0.1 through the entry of
# the other kind that shares its cn (an Add of either over the other's
# owner gets 68, add.c).
. "$(dirname "$0")/lib.sh"
CONF=$(ils_conf "$T/d")
sed -i 's|^rootdn .*|&\nrootpw    secret|' "$CONF"
start_slapd -f "$CONF" || exit 1
ROOT="-D cn=admin,o=Intranet -w secret"
APPS="appName=MS-NetMeeting,ou=Applications,o=Intranet"
from2() { LDAPSOCKET_BIND_ADDRESSES=127.0.0.2; export LDAPSOCKET_BIND_ADDRESSES
	"$@"; rc=$?; unset LDAPSOCKET_BIND_ADDRESSES; return $rc; }
# ports DN: the entry's port values, sorted, on one line
ports() { ldapsearch -x -LLL -o ldif-wrap=no -H "$URI" $ROOT -b "$1" -s base port 2>/dev/null |
	sed -n 's/^port: //p' | sort | tr '\n' ' '; }

echo "# NetMeeting registers from 127.0.0.1"
wire register victim@x | grep '^not ok'
check "the victim has its two ports" test "$(ports "$(dn victim@x)")" = "1503 1720 "

echo "# 127.0.0.2 adds a Dialer application user of the victim's cn"
from2 ldif_add "cn=victim@x,$APPS" "port: 6666" "protocolID: evil" >/dev/null 2>&1
check "the victim's registration does not get the other address's port" \
	test "$(ports "$(dn victim@x)")" = "1503 1720 "
wire browse victim@x | grep '^not ok'
check "the victim re-registers" sh -c "'$WIRE' -H 127.0.0.1 -p $PORT register victim@x | grep -q '0 failed'"
check "... and its registration still has only its own ports" \
	test "$(ports "$(dn victim@x)")" = "1503 1720 "

echo "# a Dialer application user of 127.0.0.1 without its person"
check "the Dialer's application user registers" \
	ldif_add "cn=dialer]x,$APPS" "port: 1720" "ipAddress: 16777343"
from2 ldif_add "$(dn 'dialer]x')" "givenname: Mallory" "sflags: 0" >/dev/null 2>&1
check "an unlisted person of 127.0.0.2 of its cn does not hide it from listings" sh -c \
	"ldapsearch -x -LLL -H $URI -b ou=Applications,o=Intranet -s sub '(cn=*)' 1.1 | grep -qi '^dn: cn=dialer]x,'"
from2 ldapdelete -x -H "$URI" "$(dn 'dialer]x')" >/dev/null 2>&1
check "127.0.0.2 deleting that person leaves 127.0.0.1's application user" \
	test -n "$(ports "cn=dialer]x,$APPS")"
check "slapd is still running" alive
finish
