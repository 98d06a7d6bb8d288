# t-ptlib.sh - what the real PTLib client (PILSSession) showed, at the wire
# level: the ILS class comes first among objectClass values, so the DN
# PTLib builds from a record it read names the registration; sport and
# sprotid lists written as one value are split, so NetMeeting's browse sees
# two ports and two protocols; sTTL is in all-attribute replies of
# registrations whose client wrote it (doc/conformance.md, P1-P3).
. "$(dirname "$0")/lib.sh"
CONF=$(ils_conf "$T/d")
start_slapd -f "$CONF" || exit 1
# vals NAME ATTR [BASE]: the values of ATTR of NAME's registration, each
# followed by a comma; nothing when the search fails
vals() {
	lsearch -b "${3:-$(dn "$1")}" -s base "$2" > "$T/vals.out" || return 1
	sed -n "s/^$2: //p" "$T/vals.out" | tr '\n' ,
}
# all NAME: the registration with all its attributes (fails when the search does)
all() { lsearch -b "$(dn "$1")" -s base > "$T/all.out" && cat "$T/all.out"; }
modify() { printf 'dn: %s\nchangetype: modify\n%s\n' "$1" "$2" | lmodify >/dev/null; }

echo "# PTLib registers: AddPerson and ModifyPerson with sport \"1503 1720\", sprotid \"t120h323\""
wire ptlib-listed pt@example.org
echo "# NetMeeting's browse sees two ports and two protocols"
wire nm-lists pt@example.org 1503,1720 t120,h323
check "an LDAPv3 reader sees two sport values" test "$(vals pt@example.org sport)" = 1503,1720,
check "... and two sprotid values" test "$(vals pt@example.org sprotid)" = t120,h323,
echo "# PTLib reads the record (first objectClass rtPerson, sttl), changes and deletes it by the DN it builds"
wire ptlib-update pt@example.org

echo "# the same for a NetMeeting registration, whose classes the server adds"
wire register nm@example.org
check "the NetMeeting registration lists rtPerson first" test "$(vals nm@example.org objectClass)" = rtPerson,dynamicObject,
wire ptlib-update-other nm@example.org
check "... and it is gone" gone "$(dn nm@example.org)"

echo "# the other kinds: the Dialer's application user and conferences"
wire tapi >/dev/null
check "the Dialer's application user lists rtApplicationUser first" sh -c \
	"test \"\$(ldapsearch -x -LLL -H $URI -b 'cn=egruber]w2kils.testdomain.int,appName=MS-NetMeeting,ou=Applications,o=Intranet' -s base objectClass | sed -n 's/^objectClass: //p' | head -1)\" = rtApplicationUser"
check "an LDAPv3 Add of a conference with dynamicObject before rtConference" ldif_add \
	"uid=dyn first,ou=Dynamic,o=Intranet" "objectClass: dynamicObject" "objectClass: rtConference" "uid: dyn first"
check "... lists rtConference first, the other classes in their order" \
	test "$(vals x objectClass 'uid=dyn first,ou=Dynamic,o=Intranet')" = rtConference,dynamicObject,

echo "# splitting: on Add and Modify, known names only, duplicates collapse"
check "an LDAPv3 Add of sport \"1503  1720 1503\" and sprotid \"H323t120\"" ldif_add \
	"$(dn split@x)" "objectClass: rtPerson" "cn: split@x" "sflags: 1" \
	"sport: 1503  1720 1503" "sprotid: H323t120"
check "... stores two ports, each once" test "$(vals split@x sport)" = 1503,1720,
check "... and two protocols, as written" test "$(vals split@x sprotid)" = H323,t120,
check "a Modify replace of sprotid \"t120h323\", \"sip\" and \"h323x\"" modify "$(dn split@x)" \
	"$(printf 'replace: sprotid\nsprotid: t120h323\nsprotid: sip\nsprotid: h323x')"
check "... splits the known names and keeps the others as written" test "$(vals split@x sprotid)" = t120,h323,sip,h323x,
check "a Modify add of sport \"1720 5060\"" modify "$(dn split@x)" "$(printf 'add: sport\nsport: 1720 5060')"
check "... adds only the new port" test "$(vals split@x sport)" = 1503,1720,5060,
expect_rc 11 "a list of more than ils-max-values (64) ports is adminLimitExceeded" ldif_add \
	"$(dn many@x)" "objectClass: rtPerson" "cn: many@x" "sport: $(seq 100 164 | tr '\n' ' ')"
check "a list of 64 ports" ldif_add "$(dn 64@x)" "objectClass: rtPerson" "cn: 64@x" "sport: $(seq 101 164 | tr '\n' ' ')"
check "... is stored as 64 values" test "$(vals 64@x sport)" = "$(seq 101 164 | tr '\n' ,)"
check "a value that is no list of known protocols stays as written" ldif_add \
	"$(dn odd@x)" "objectClass: rtPerson" "cn: odd@x" "sprotid: h323 t120"
check "... (\"h323 t120\")" test "$(vals odd@x sprotid)" = "h323 t120,"

echo "# sttl in all-attribute replies: minutes remaining, rounded up"
check "an Add with sttl 2" ldif_add "$(dn ttl@x)" "objectClass: rtPerson" "cn: ttl@x" "sttl: 2"
all ttl@x > /dev/null
check "... lists sttl: 2 among all attributes" grep -qx 'sttl: 2' "$T/all.out"
sleep 1.2
all ttl@x > /dev/null
check "... still 2 a second later (rounded up: never 0 while live)" grep -qx 'sttl: 2' "$T/all.out"
check "... and once in a reply that asks for * and sttl" sh -c \
	"test \$(ldapsearch -x -LLL -H $URI -b '$(dn ttl@x)' -s base '*' sttl | grep -ci '^sttl: ') = 1"
check "an Add with STTL 2" ldif_add "$(dn ttl2@x)" "objectClass: rtPerson" "cn: ttl2@x" "STTL: 2"
all ttl2@x > /dev/null
check "... lists it under the spelling written" grep -qx "STTL: 2" "$T/all.out"
check "an Add with entryTtl, not sttl" ldif_add "$(dn secs@x)" "objectClass: rtPerson" "cn: secs@x" "entryTtl: 120"
all secs@x > /dev/null
check "... lists no sttl among all attributes" sh -c "grep -q '^cn: secs@x' '$T/all.out' && ! grep -qi '^sttl:' '$T/all.out'"
wire register nm3@example.org
all nm3@example.org > /dev/null
check "nor does a NetMeeting 3 registration (no sttl in its Add)" sh -c \
	"grep -q '^cn: nm3@example.org' '$T/all.out' && ! grep -qi '^sttl:' '$T/all.out'"
check "slapd is still running" alive
finish
