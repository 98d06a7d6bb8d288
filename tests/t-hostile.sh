# t-hostile.sh - one-packet attacks from anonymous clients on the default
# configuration: filters with unknown attributes and ILS wildcards, Start
# Transaction and hang up, TTL numbers that overflow, control characters
# in names, unlisted users' application entries.  Each must get a precise
# answer, leave slapd running and touch no other registration.
. "$(dirname "$0")/lib.sh"
check "the default configuration closes connections idle for 2 minutes" \
	grep -qx 'idletimeout 120' "$(ils_conf "$T/default")"
ILS_IDLE_TIMEOUT=2
export ILS_IDLE_TIMEOUT
CONF=$(ils_conf "$T/d")
# a password for the rootdn: the authenticated side of the checks
sed -i 's|^rootdn .*|&\nrootpw    secret|' "$CONF"
start_slapd -f "$CONF" || exit 1
ROOT="-D cn=admin,o=Intranet -w secret"
check "the victim registers" ldif_add "$(dn keep@x)" "givenname: Keep" "sipaddress: 16777343"

# count FILTER [BASE [SCOPE]]: entries an anonymous search returns, or
# "error N" when the search fails
count() {
	out=$(ldapsearch -x -LLL -H "$URI" -b "${2:-objectClass=rtPerson}" \
		-s "${3:-base}" "$1" 1.1 2>&1)
	rc=$?
	if [ $rc = 0 ]; then echo "$out" | grep -c '^dn:'; else echo "error $rc"; fi
}
# expect_count N FILTER [BASE [SCOPE]]
expect_count() {
	want=$1; shift
	got=$(count "$@")
	if [ "$got" = "$want" ] && alive; then ok "filter $1 under ${2:-objectClass=rtPerson}: $want entries"
	else nok "filter $1 under ${2:-objectClass=rtPerson}: got '$got', expected $want (slapd alive: $(alive && echo yes || echo no))"; fi
}

echo "# unknown attributes and options are Undefined (RFC 4511 4.5.1.7), whatever the %"
expect_count 0 '(!(xyzzy=%))'
expect_count 0 '(!(cn;binary=%%))'
expect_count 0 '(xyzzy=%)'
expect_count 0 '(!(xyzzy=a%b))'
expect_count 0 '(&(cn=%)(!(xyzzy=%)))'
expect_count 1 '(|(cn=keep@x)(xyzzy=%))'
expect_count 1 '(|(cn=keep@x)(!(nosuch;x-opt=%)))'
expect_count 0 '(!(xyzzy=%))' o=Intranet sub
expect_count 1 '(!(cn;lang-en=%))'
echo "# the ILS wildcard still works on known attributes"
expect_count 1 '(cn=%)'
expect_count 1 '(cn=ke%)'
expect_count 0 '(!(cn=%))'
expect_count 1 '(&(cn=%)(!(givenname=x%)))'
expect_count 1 '(&(cn=keep@x)(sttl=%))'

echo "# Start Transaction (RFC 5805) and hang up"
TXN="30150201017710800e$(printf '1.3.6.1.1.21.1' | od -An -tx1 | tr -d ' \n')"
r=0
while [ $r -lt 5 ] && alive; do wire hangup 200 "$TXN" | grep '^not ok'; r=$((r + 1)); done
check "slapd survives 1000 anonymous Start Transactions closed at once" alive
expect_err 53 "an ILS alone: an anonymous Start Transaction is refused" \
	ldapexop -x -H "$URI" 1.3.6.1.1.21.1
cp "$T/check.out" "$T/txn.out"
check "... with a diagnostic" grep -q "no database of this server supports transactions" "$T/txn.out"
expect_err 53 "... and so is the rootdn's" ldapexop -x -H "$URI" $ROOT 1.3.6.1.1.21.1


echo "# TTL numbers that overflow"
expect_rc 19 "an Add with sttl -153722867280912931 (overflows * 60) is refused" \
	ldif_add "cn=neg@x,objectClass=rtPerson" "sttl: -153722867280912931"
check "... and stores nothing" test -z "$(ttl "$(dn neg@x)")"
ldif_add "cn=huge@x,objectClass=rtPerson" "sttl: 99999999999999999999" >/dev/null
check "an Add with sttl 99999999999999999999 gets dynttl-max-ttl (1 d)" \
	between "$(ttl "$(dn huge@x)")" 86390 86400
ldif_add "cn=ka@x,objectClass=rtPerson" "sttl: 5" >/dev/null
check "a keep-alive with sttl 99999999999999999999 gives the longest TTL, not the shortest" sh -c \
	"ldapsearch -x -H $URI -b objectClass=rtPerson -s base '(&(objectClass=rtPerson)(cn=ka@x)(sttl=99999999999999999999))' >/dev/null"
check "... entryTtl is 1 d" between "$(ttl "$(dn ka@x)")" 86390 86400
ldif_add "cn=mod@x,objectClass=rtPerson" "sttl: 5" >/dev/null
printf 'dn: %s\nchangetype: modify\nreplace: sttl\nsttl: 9223372036854775807\n' "$(dn mod@x)" |
	ldapmodify -x -H "$URI" >/dev/null
check "a Modify of sttl to 2^63-1 minutes gives 1 d" between "$(ttl "$(dn mod@x)")" 86390 86400
expect_rc 19 "a Modify of sttl to -153722867280912931 is refused" sh -c \
	"printf 'dn: $(dn mod@x)\nchangetype: modify\nreplace: sttl\nsttl: -153722867280912931\n' | ldapmodify -x -H $URI"
check "... and leaves its TTL" between "$(ttl "$(dn mod@x)")" 86380 86400

echo "# control characters in names"
expect_rc 34 "a NUL in a name is refused (invalidDNSyntax)" \
	ldif_add 'cn=a\00b,ou=Dynamic,o=Intranet' "givenname: x"
expect_rc 34 "an ESC in a NetMeeting DN is refused" \
	ldif_add 'c=-,o=Microsoft,cn=a\1Bb,objectClass=rtPerson' "givenname: x"
expect_rc 34 "a DEL in a conference's uid is refused" \
	ldif_add 'uid=a\7Fb,ou=Dynamic,o=Intranet' "objectClass: rtConference"
check "a name with Latin-1 letters is still accepted" \
	ldif_add 'cn=j\C3\A9r\C3\B4me@x,ou=Dynamic,o=Intranet' "givenname: x"
check "no entry with a control character is listed" sh -c \
	"test \$(ldapsearch -x -LLL -H $URI -b objectClass=rtPerson -s base '(cn=a*)' 1.1 | grep -c '^dn:') = 0"

echo "# an unlisted Dialer user's application entry is unlisted too"
dialer() {	# dialer NAME SFLAGS: the Dialer's two entries (MS-TAIL T5)
	ldif_add "cn=$1,appName=MS-NetMeeting,ou=Applications,o=Intranet" \
		"objectClass: rtApplicationUser" "applicationID: ms-netmeeting" \
		"protocolID: H323" "port: 1720" >/dev/null &&
	ldif_add "cn=$1,ou=Dynamic,o=Intranet" "objectClass: rtPerson" \
		"ipAddress: 3808471232" "sFlags: $2" >/dev/null
}
check "an unlisted Dialer user registers" dialer hidden@x 0
check "a listed Dialer user registers" dialer shown@x 1
check "the rootdn sees the unlisted user's application entry" sh -c \
	"ldapsearch -x -LLL -H $URI $ROOT -b o=Intranet -s sub '(cn=hidden@x)' 1.1 | grep -qi '^dn: cn=hidden@x,appName'"
for base in o=Intranet ou=Applications,o=Intranet appName=MS-NetMeeting,ou=Applications,o=Intranet; do
	check "a listing under $base leaves the unlisted user's entries out" sh -c \
		"! ldapsearch -x -LLL -H $URI -b $base -s sub '(objectClass=*)' 1.1 | grep -qi 'cn=hidden@x'"
	check "... and shows the listed user's application entry" sh -c \
		"ldapsearch -x -LLL -H $URI -b $base -s sub '(objectClass=*)' 1.1 | grep -qi '^dn: cn=shown@x,appName'"
done
check "an exact lookup of the unlisted user still finds it" sh -c \
	"ldapsearch -x -LLL -H $URI -b o=Intranet -s sub '(cn=hidden@x)' 1.1 | grep -qi '^dn: cn=hidden@x,ou=Dynamic'"

echo "# connections left open"
# idle_closed: seconds until the server closes a connection that sent
# nothing, or "open" when it is still open after 15 s
idle_closed() {
	python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15)
t = time.time()
try:
	print(int(time.time() - t) if s.recv(1) == b"" else "data")
except socket.timeout:
	print("open")
' "$PORT"
}
got=$(idle_closed)
check "an idle connection is closed after idletimeout (2 s; closed after: $got)" between "$got" 1 10

check "slapd is still running" alive
check "the victim's registration is untouched" sh -c \
	"ldapsearch -x -LLL -H $URI -b $(dn keep@x) -s base givenName sipaddress | tr '\n' ' ' | grep -q 'givenName: Keep sipaddress: 16777343'"
finish
