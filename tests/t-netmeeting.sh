# t-netmeeting.sh - MS-TAIL T1-T4 (and D4, D5) at the wire level, as
# NetMeeting 3.01 sends them: LDAPv2, one connection per action, attribute
# names and order checked byte for byte; once with minimal BER lengths and
# once with the 4-byte long form Windows uses.
. "$(dirname "$0")/lib.sh"
CONF=$(ils_conf "$T/d")
start_slapd -f "$CONF" || exit 1

for form in minimal long; do
	L=; [ $form = long ] && L=-L
	u=egruber-$form@contoso.com
	echo "# BER lengths: $form"
	wire $L register "$u"
	wire $L keepalive "$u"
	wire $L browse "$u"
	wire $L order "$u"
	wire $L lookup "$u"
	check "($form) the registration is under ou=Dynamic,o=Intranet for LDAPv3" sh -c \
		"ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s one '(cn=$u)' sipaddress | grep -qx 'sipaddress: 3758139584'"
	wire $L unregister "$u"
	wire $L keepalive-absent "$u"
	wire $L latin1 "latin-$form@contoso.com"
	wire $L register-replace "r-$form@contoso.com"
	wire $L browse "r-$form@contoso.com"
done
check "slapd is still running" alive
finish
