# t-dialects.sh - every ILS client dialect against one directory, at the
# wire level: the TAPI 3 Dialer (MS-TAIL T5-T10, Sicily bind first),
# NetMeeting 2.x, GnomeMeeting's XDAP sequence, Ekiga's filters, PTLib, and
# what each sees of the others.
. "$(dirname "$0")/lib.sh"
ILS_TTL_MIN=1
export ILS_TTL_MIN
CONF=$(ils_conf "$T/d")
start_slapd -f "$CONF" || exit 1
DIALER='egruber]w2kils.testdomain.int'

echo "# TAPI 3 Dialer"
wire tapi "$DIALER"
wire -L tapi-conf "Demo Conference"
wire register nm@contoso.com
wire tapi-find "$DIALER" nm@contoso.com
wire tapi-find-prefix egruber "$DIALER"
echo "# cross-visibility"
wire nm-find "$DIALER" 3808471232
wire nm-find nm@contoso.com 3758139584

echo "# NetMeeting 2.x, GnomeMeeting, Ekiga, PTLib"
wire nm2 nm2@example.org
wire -L gnome gm@example.org
wire nm-find gm@example.org 3232235786
wire ptlib-lookup gm@example.org 3232235786
wire ekiga Meeting gm@example.org
wire ptlib pt@example.org
wire modop mod@example.org
echo "# hidden users: PTLib registers with sflags=0"
wire nm-hidden pt@example.org
check "an LDAPv3 listing leaves the unlisted user out" sh -c \
	"ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s one '(cn=*)' cn > '$T/list.out' &&
	 grep -qx 'cn: nm@contoso.com' '$T/list.out' && ! grep -qx 'cn: pt@example.org' '$T/list.out'"
check "an exact lookup over LDAPv3 finds the unlisted user" sh -c \
	"ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s one '(cn=pt@example.org)' cn | grep -qx 'cn: pt@example.org'"

echo "# one entry per cn whichever DN form registered it"
check "an LDAPv3 Add of gm@example.org under PTLib's DN form" \
	ldif_add "cn=gm@example.org, objectClass=RTPerson" "cn: gm@example.org" "sipaddress: 16777343"
wire ptlib-lookup gm@example.org 16777343

echo "# T4 for the Dialer: the person's Delete takes the application user along"
APPUSER="cn=$DIALER,appName=MS-NetMeeting,ou=Applications,o=Intranet"
check "the Dialer's application user is there before" test "$(nentries -b "$APPUSER" -s base)" = 1
check "Delete of the Dialer's person" ldapdelete -x -H "$URI" "cn=$DIALER,ou=dynamic,o=Intranet"
check "its application user is gone too" gone "$APPUSER"

echo "# T10: the Dialer never leaves; its entries expire"
# 3 s: time enough, on a loaded machine, to see them before they lapse
check "the Dialer adds a conference with entryTtl 3" ldif_add "uid=brief,ou=dynamic,o=Intranet" \
	"objectClass: rtConference" "objectClass: dynamicObject" "entryTtl: 3"
check "... and a person with entryTtl 3" ldif_add "cn=brief]host,ou=dynamic,o=Intranet" \
	"objectClass: rtPerson" "objectClass: dynamicObject" "entryTtl: 3"
check "both are listed before their TTL lapses" test \
	"$(nentries -b ou=dynamic,o=Intranet -s one '(|(cn=brief]host)(uid=brief))')" = 2
sleep 4.2
check "an unrefreshed Dialer person has expired" test \
	"$(nentries -b ou=dynamic,o=Intranet -s one '(cn=brief]host)')" = 0
check "an unrefreshed conference has expired" test \
	"$(nentries -b ou=dynamic,o=Intranet -s one '(uid=brief)')" = 0
check "the root DSE lists the refresh extended operation" sh -c \
	"ldapsearch -x -LLL -H $URI -b '' -s base supportedExtension namingContexts | grep -q 1.3.6.1.4.1.1466.101.119.1"
check "slapd is still running" alive
finish
