# t-web.sh - ils-web in a real browser: headless Chromium loads the page
# served against a live back-ils with registrations from NetMeeting, the
# Dialer, GnomeMeeting and PTLib, hidden and hostile ones; the DOM, the
# JSON API, /healthz, and a directory that is down or never answers.
. "$(dirname "$0")/lib.sh"
WEB=${ILS_WEB:-$BUILD/web/ils-web}
DOM=$TOP/tests/webdom.py
ART=${ILS_ARTIFACTS:-$BUILD/artifacts}
CHROME=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
WPID= HPID= LPID= RPID=
trap 'for p in $WPID $HPID $LPID $RPID; do kill "$p" 2>/dev/null; done; stop_slapd; rm -rf "$T"' EXIT

if [ ! -x "$WEB" ] || [ -z "$CHROME" ]; then
	nok "ils-web built ($WEB) and chromium installed ($CHROME): scripts/setup.sh installs libmicrohttpd-dev, libjansson-dev, chromium"
	exit 1
fi

# start_web VAR URI ARGS...: ils-web on a free loopback port, its PID in
# VAR and its base address in WEBURL; waits until it answers
start_web() {
	var=$1 uri=$2; shift 2
	WPORT=$(free_port)
	WEBURL=http://127.0.0.1:$WPORT
	"$WEB" -H "$uri" -l "127.0.0.1:$WPORT" "$@" >> "$T/web.log" 2>&1 &
	eval "$var=$!"
	i=0
	while [ $i -lt 100 ]; do
		curl -s -o /dev/null --max-time 20 "$WEBURL/nothing" && return 0
		sleep 0.1; i=$((i + 1))
	done
	nok "ils-web started"; sed 's/^/#   /' "$T/web.log" | tail -10
	return 1
}

# browse NAME PATH: Chromium's DOM of the page at PATH, read by webdom.py
# into $T/NAME.json; more arguments go to chromium (a screenshot)
browse() {
	name=$1 path=$2; shift 2
	rm -rf "$T/chrome"
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu \
		--no-first-run --disable-extensions --user-data-dir="$T/chrome" \
		"$@" --dump-dom "$WEBURL$path" > "$T/$name.html" 2> "$T/chrome.log" &&
		python3 "$DOM" "$T/$name.html" > "$T/$name.json"
}

# q NAME JQ [JQ-OPTIONS...]: the jq expression is true of $T/NAME.json
q() { f=$1 e=$2; shift 2; jq -e "$@" "$e" "$T/$f.json" > /dev/null; }

# http_is CODE PATH: a GET of PATH answers CODE, its body in $T/body
http_is() { [ "$(curl -s -o "$T/body" -w '%{http_code}' --max-time 60 "$WEBURL$2")" = "$1" ]; }
# body_has JQ: $T/body is JSON that satisfies JQ
body_has() { jq -e "$1" "$T/body" > /dev/null; }

CONF=$(ils_conf "$T/d")
uncapped "$CONF"
# the server lists sflags=0 people too, so that leaving them out is
# ils-web's own doing, as it must be against any ILS server
sed -i 's|^directory .*|&\nils-hide-unlisted off|' "$CONF"
start_slapd -f "$CONF" || exit 1

echo "# registrations: NetMeeting, the Dialer, GnomeMeeting, PTLib"
check "NetMeeting registers (T1)" wire register nm@contoso.com
check "the Dialer registers (T5)" wire tapi 'egruber]w2kils.testdomain.int'
check "GnomeMeeting registers" wire gnome gm@example.org
check "PTLib registers, unlisted (sflags=0)" wire ptlib pt@example.org
check "a PTLib application registers listed, sport as one value" \
	wire add-expect 0 "cn=openphone@example.org, objectClass=RTPerson" \
	objectClass=RTPerson cn=openphone@example.org givenName=Open surname=Phone \
	rfc822Mailbox=openphone@example.org sipAddress=167880896 'sport=1503 1820' \
	sflags=1 sappid=openphone sappguid=none sprotid=h323
check "a NetMeeting user in a call" wire add-expect 0 \
	"c=-,o=Microsoft, cn=busy@example.org, objectClass=rtPerson" \
	cn=busy@example.org givenname=Busy surname=Caller rfc822mailbox=busy@example.org \
	sipaddress=16777343 sflags=1 ilsA26214430=1 sappid=ms-netmeeting sport=1503 sport=1720
check "a NetMeeting user with ISO-8859-1 names (LDAPv2)" wire add-expect 0 \
	"c=-,o=Microsoft, cn=rene@example.org, objectClass=rtPerson" \
	cn=rene@example.org 'givenname=Ren\xe9' 'surname=M\xfcller' \
	rfc822mailbox=rene@example.org 'location=K\xf6ln' sipaddress=16777226 sflags=1 \
	sappid=ms-netmeeting
check "an unlisted NetMeeting user" wire add-expect 0 \
	"c=-,o=Microsoft, cn=hidden@example.org, objectClass=rtPerson" \
	cn=hidden@example.org givenname=Hidden surname=Person sipaddress=16777343 \
	sflags=0 sappid=ms-netmeeting
echo "# hostile values"
LONG=$(python3 -c 'print("L" * 1000 + "-end")')
check "a user whose names are markup" ldif_add \
	'cn=evil\"\<b\>x\</b\>'"'"'@example.org,ou=Dynamic,o=Intranet' \
	"objectClass: rtPerson" "cn: evil\"<b>x</b>'@example.org" \
	"givenName: <script>alert(1)</script>" "sn: \"><img src=x onerror=alert(2)>" \
	"rfc822mailbox: evil@example.org" "comment: it's \"quoted\" & <i>marked</i>" \
	"location: $LONG" "sipaddress: 16777343" "sflags: 1" "sappid: ms-netmeeting"
check "the directory lists them all" sh -c \
	"[ \$(ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s one '(cn=*)' 1.1 | grep -c '^dn:') -ge 8 ]"

start_web WPID "$URI" -r 5 -i 1 -t 3 || exit 1

echo "# the page in Chromium"
mkdir -p "$ART"
check "Chromium loads /" browse all /
for cn in nm@contoso.com 'egruber]w2kils.testdomain.int' gm@example.org \
	openphone@example.org busy@example.org rene@example.org \
	"evil\"<b>x</b>'@example.org"; do
	check "$cn is listed" q all 'any(.rows[]; .cn == $cn)' --arg cn "$cn"
done
for cn in pt@example.org hidden@example.org; do
	check "$cn (sflags=0) is in the directory" sh -c \
		"ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s one '(cn=*)' cn | grep -qx 'cn: $cn'"
	check "$cn (sflags=0) is not on the page" q all 'all(.rows[]; .cn != $cn)' --arg cn "$cn"
done
check "the count says 7 users" q all '.count == "7" and (.rows | length) == 7'

echo "# hostile values are text"
# the page's own elements, and nothing else
PAGE_TAGS='["html","head","meta","title","style","body","h1","p","span","code",
 "form","input","button","a","table","thead","tr","th","tbody","td","time",
 "small","figure","svg","rect","text","path","figcaption"]'
check "no element came from a value: only the page's own" \
	q all "(.tags | keys) - $PAGE_TAGS == [] and .tags.b == null"
EVIL="evil\"<b>x</b>'@example.org"
check "a name with <script> shows as text" q all \
	'any(.rows[]; .cn == $cn and .cells.name == "<script>alert(1)</script> \"><img src=x onerror=alert(2)>")' --arg cn "$EVIL"
check "a comment with quotes and markup shows as text" q all \
	'any(.rows[]; .cn == $cn and .cells.comment == "it'"'"'s \"quoted\" & <i>marked</i>")' --arg cn "$EVIL"
check "a 1 KiB location is cut to 80 characters, whole in its title" q all \
	'any(.rows[]; .cn == $cn and .cells.location == ("L" * 80 + "…") and .titles.location == $long)' \
	--arg cn "$EVIL" --arg long "$LONG"
check "its links are percent-encoded" q all \
	'any(.rows[]; .cn == $cn and .links.callto == "callto://127.0.0.1/evil%22%3Cb%3Ex%3C%2Fb%3E%27@example.org" and .links.h323 == "h323:evil%22%3Cb%3Ex%3C%2Fb%3E%27%40example.org@127.0.0.1")' --arg cn "$EVIL"
check "ISO-8859-1 names from LDAPv2 show as René Müller, Köln" q all \
	'any(.rows[]; .cn == "rene@example.org" and .cells.name == "René Müller" and .cells.location == "Köln")'

echo "# what each row says"
# row CN JQ: the row of CN satisfies JQ (with . the row)
row() { q all "any(.rows[]; .cn == \$cn and ($2))" --arg cn "$1"; }
check "NetMeeting: client, name, free, address and ports" row nm@contoso.com \
	'.cells.client == "NetMeeting" and .cells.name == "Eric Gruber" and .cells.call == "free" and .cells.address == "192.168.0.224 port 1503 1720" and .cells.location == "Seattle" and .cells.comment == "Participant"'
check "NetMeeting: callto: through the directory, h323: to the address" row nm@contoso.com \
	'.links.callto == "callto://127.0.0.1/nm@contoso.com" and .links.h323 == "h323:nm%40contoso.com@192.168.0.224"'
check "the Dialer: client, ipAddress, the port of its application entry" row 'egruber]w2kils.testdomain.int' \
	'.cells.client == "Phone Dialer" and .cells.address == "192.168.0.227 port 1720" and .cells.name == "eric gruber" and .links.callto == "callto://127.0.0.1/egruber%5Dw2kils.testdomain.int"'
check "GnomeMeeting: client and address" row gm@example.org \
	'.cells.client == "GnomeMeeting" and .cells.address == "10.1.168.192 port 1720" and .cells.name == "Gnome Meeting"'
check "PTLib: client, both ports of its one sport value, h323: to the port" row openphone@example.org \
	'.cells.client == "PTLib (openphone)" and .cells.address == "192.168.1.10 port 1503 1820" and .links.h323 == "h323:openphone%40example.org@192.168.1.10:1820"'
check "in a call (ilsA26214430=1)" row busy@example.org '.cells.call == "in a call"'
check "online since: a time" row nm@contoso.com '.cells.since | test("^[0-9]{2}:[0-9]{2} \\([0-9]+ min\\)$")'

echo "# search, sorting"
check "Chromium loads /?q=gruber" browse gruber '/?q=gruber'
check "the search finds the NetMeeting and the Dialer Gruber, nobody else" q gruber \
	'[.rows[].cn] | sort == ["egruber]w2kils.testdomain.int", "nm@contoso.com"]'
check "Chromium loads /?q=M%C3%BCller" browse muller '/?q=M%C3%BCller'
check "the search finds Müller" q muller '[.rows[].cn] == ["rene@example.org"]'
check "Chromium loads a search that is a filter" browse inject '/?q=*)(cn%3D*'
check "a search for *)(cn=* finds nobody: it cannot change the filter" q inject \
	'(.rows | length) == 0 and (.none | test("Nobody matches"))'
check "Chromium loads /?q=*" browse star '/?q=*'
check "a search for * finds nobody" q star '(.rows | length) == 0'
check "Chromium loads /?sort=address" browse byaddr '/?sort=address'
check "sorted by address" q byaddr \
	'[.rows[].cn] | first == "rene@example.org" and last == "openphone@example.org"'
check "Chromium loads /?sort=address&desc=1" browse byaddr2 '/?sort=address&desc=1'
check "sorted by address, descending" q byaddr2 \
	'[.rows[].cn] | first == "openphone@example.org" and last == "rene@example.org"'

echo "# the chart"
sleep 2
check "Chromium loads / again and takes a screenshot" browse again / \
	--window-size=1400,900 --hide-scrollbars --screenshot="$ART/ils-web.png"
check "the screenshot is a PNG" sh -c "head -c 8 '$ART/ils-web.png' | od -An -tx1 | grep -q '89 50 4e 47'"
check "the chart has samples and says how many are online" q again \
	'(.chart | test("^M[0-9.]+ [0-9.]+ ")) and (.caption | test("\\(7 now"))'

echo "# /api/online and /healthz"
check "/api/online answers 200" http_is 200 /api/online
cp "$T/body" "$T/online.json"
check "it is JSON (python3)" python3 -c "import json,sys; json.load(open('$T/online.json'))"
check "it lists the 7 users, not the hidden ones" q online \
	'.ok and .count == 7 and ([.users[].cn] | index("hidden@example.org") == null and index("pt@example.org") == null)'
check "it has each address and port" q online \
	'[.users[] | select(.cn == "nm@contoso.com" or .cn == "openphone@example.org" or .cn == "egruber]w2kils.testdomain.int") | [.cn, .address, .port]] | sort == [["egruber]w2kils.testdomain.int", "192.168.0.227", 1720], ["nm@contoso.com", "192.168.0.224", 1720], ["openphone@example.org", "192.168.1.10", 1820]]'
check "it has the hostile values as they are" q online \
	'any(.users[]; .givenName == "<script>alert(1)</script>" and .location == $long)' --arg long "$LONG"
check "it has the Latin-1 name as UTF-8" q online 'any(.users[]; .givenName == "René" and .surname == "Müller")'
check "it has ports, client and inCall" q online \
	'any(.users[]; .cn == "openphone@example.org" and .ports == [1503, 1820] and .client == "PTLib") and any(.users[]; .cn == "busy@example.org" and .inCall == true)'
check "a search over the API" sh -c "curl -s --max-time 60 '$WEBURL/api/online?q=contoso' | jq -e '[.users[].cn] == [\"nm@contoso.com\"]'"
check "/healthz answers 200" http_is 200 /healthz
check "every request and sample went over one reused connection" sh -c "[ \$(ss -Htnp state established '( dport = :$PORT )' | grep -c 'pid=$WPID,') = 1 ]"
check "/healthz: ok" body_has '.ok == true'
check "the page forbids scripts (Content-Security-Policy)" sh -c \
	"curl -s -D - -o /dev/null --max-time 60 $WEBURL/ | grep -qi \"^content-security-policy: default-src 'none'\""
check "an unknown path is 404" http_is 404 /nope
check "POST is 405" sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 -d x $WEBURL/) = 405 ]"
check "a search longer than 256 bytes is 400" http_is 400 "/?q=$(python3 -c 'print("a" * 300)')"

echo "# a user registered by ilswire appears within the refresh period"
check "the page refreshes itself every 5 s" sh -c "grep -q '<meta http-equiv=\"refresh\" content=\"5\">' '$T/all.html'"
check "ilswire register late@example.org" wire register late@example.org
check "Chromium loads / within the refresh period" browse late /
check "late@example.org is listed" q late 'any(.rows[]; .cn == "late@example.org" and .cells.address == "192.168.0.224 port 1503 1720")'
check "/api/online returns its address" sh -c \
	"curl -s --max-time 60 $WEBURL/api/online | jq -e 'any(.users[]; .cn == \"late@example.org\" and .address == \"192.168.0.224\")'"

echo "# the directory stops, and comes back"
# a second ils-web that samples once: its next request after the restart
# finds its reused connection closed by the server, and must reconnect
WEB1=$WEBURL
start_web RPID "$URI" -i 3600 || exit 1
WEB2=$WEBURL
check "the second ils-web lists the users" http_is 200 /api/online
WEBURL=$WEB1
stop_slapd
check "/healthz: 503 when the directory is down" http_is 503 /healthz
check "/healthz: not ok, and why" body_has '.ok == false and (.error | test("cannot reach the directory"))'
check "/api/online: 503 with the error" http_is 503 /api/online
check "/api/online: not ok" body_has '.ok == false and (.error | test("cannot reach"))'
check "Chromium loads / with the directory down" browse down /
check "the page says the directory does not answer" q down \
	'(.error | test("The directory does not answer.*cannot reach the directory")) and (.rows | length) == 0'
check "the page is a 503" http_is 503 /
start_slapd -f "$CONF" || exit 1
WEBURL=$WEB2
check "after the restart, the first request over the closed connection is answered" http_is 200 /api/online
check "it lists the users" body_has 'any(.users[]; .cn == "nm@contoso.com")'
kill "$RPID"; RPID=
WEBURL=$WEB1
check "/healthz: ok again once the directory is back" http_is 200 /healthz
check "the page lists the users again" sh -c "curl -s --max-time 60 $WEBURL/api/online | jq -e 'any(.users[]; .cn == \"nm@contoso.com\")'"

echo "# a directory that accepts connections and never answers"
HPORT=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
s.settimeout(1)
held, end = [], time.time() + 300
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
' "$HPORT" &
LPID=$!
# listening before ils-web's first request: a refused connection is
# another error than a directory that does not answer
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $HPORT), 1).close()" 2>/dev/null; do
	[ $i -lt 100 ] || break
	sleep 0.1; i=$((i + 1))
done
start_web HPID "ldap://127.0.0.1:$HPORT" -t 2 -i 3600 || exit 1
check "/ answers 503 within the time-out" http_is 503 /
check "the page says the directory did not answer within 2 seconds" \
	grep -q "did not answer within 2 seconds" "$T/body"
check "/healthz answers 503" http_is 503 /healthz
check "/healthz says so" body_has '.ok == false and (.error | test("did not answer within 2 seconds"))'
check "ils-web still runs" kill -0 "$HPID"
kill "$LPID"; LPID=
kill "$HPID"; HPID=
WEBURL=$WEB1

echo "# text: UTF-8, ISO-8859-1, escaping"
"$BUILD/tests/unit/webtext" || nok "the unit tests of web/text.c exited $?"
check "ils-web still runs" kill -0 "$WPID"
check "slapd is still running" alive
finish
