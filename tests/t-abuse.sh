# t-abuse.sh - what one address may do: live registrations per owner
# address (ils-max-per-address), new names a minute (ils-max-per-minute),
# the size of one registration (ils-max-entry-size, sockbuf_max_incoming),
# each refused with 11 and a stats log line; the address policy
# (ils-address-policy) in slapd.conf and cn=config.  127.0.0.2 floods,
# 127.0.0.3 is a neighbour, 127.0.0.1 an ordinary NetMeeting user.
. "$(dirname "$0")/lib.sh"
ILS_TTL_MIN=1
export ILS_TTL_MIN
SLAPD_DEBUG=256		# stats: the refusals' log lines
ROOT="-D cn=admin,o=Intranet -w secret"

# conf DIR [KEYWORD LINE...]: the default configuration with a rootpw and
# the given database lines
conf() {
	c=$(ils_conf "$1"); shift
	sed -i 's|^rootdn .*|&\nrootpw    secret|' "$c"
	for l in "$@"; do sed -i "s|^directory .*|&\n$l|" "$c"; done
	echo "$c"
}
from() { a=$1; shift; LDAPSOCKET_BIND_ADDRESSES=$a; export LDAPSOCKET_BIND_ADDRESSES
	"$@"; rc=$?; unset LDAPSOCKET_BIND_ADDRESSES; return $rc; }
w2() { wire -b 127.0.0.2 "$@"; }
# flood ADDR N PREFIX: N new names in one ldapadd -c stream from ADDR
flood() {
	awk -v n="$2" -v p="$3" 'BEGIN { for ( i = 1; i <= n; i++ )
		printf "dn: cn=%s-%d,ou=Dynamic,o=Intranet\ngivenname: Flood\nsipaddress: 16777343\n\n", p, i }' |
		from "$1" ldapadd -c -x -H "$URI" > "$T/flood.out" 2>&1
	return 0
}
refused() { grep -c 'Administrative limit exceeded (11)' "$T/flood.out"; }
# owned ADDR [KIND-FILTER]: how many registrations ADDR owns
owned() { ldapsearch -x -LLL -H "$URI" $ROOT -b o=Intranet -s sub \
	"(&(ilsOwnerAddress=$1)${2:-(objectClass=rtPerson)})" 1.1 | grep -c '^dn:'; }
is() { [ "$1" = "$2" ] || { echo "got $1, expected $2"; return 1; }; }
logged() { grep -q "back-ils: $1: refused from $2" "$T/slapd.log"; }
reg() { ldif_add "$(dn "$1")" "givenname: R"; }
# root_add DN [LINE...]: ldif_add as the rootdn
root_add() { dn=$1; shift; { printf 'dn: %s\n' "$dn"; for l in "$@"; do printf '%s\n' "$l"; done; } |
	ldapadd -x -H "$URI" $ROOT; }
ip_of() { ldapsearch -x -LLL -H "$URI" -b "$1" -s base sipaddress | sed -n 's/^sIPAddress: //Ip'; }

echo "# the default configuration: 1,000 registrations from one address"
start_slapd -f "$(conf "$T/def")" || exit 1
t0=$(date +%s)
flood 127.0.0.2 1000 flood
t1=$(date +%s)
n=$(owned 127.0.0.2)
# the first minute's 20 pass at once, then one every 3 s the flood lasted
check "20 of them are stored ($n; the flood took $((t1 - t0)) s)" \
	between "$n" 20 $((20 + (t1 - t0 + 1) / 3))
check "the rest get 11" is "$(refused)" $((1000 - n))
check "... naming ils-max-per-minute" grep -q "additional info: ils-max-per-minute" "$T/flood.out"
check "... logged at stats level with the address" logged ils-max-per-minute 127.0.0.2
check "a neighbour (127.0.0.3) still registers" from 127.0.0.3 reg neighbour@x
echo "# NetMeeting from the flooding address, on a name it holds"
w2 register flood-1
w2 keepalive flood-1
w2 browse flood-1
w2 unregister flood-1
echo "# NetMeeting from 127.0.0.1"
wire register nm@x
wire keepalive nm@x
wire browse nm@x
wire unregister nm@x
echo "# peer-if-private, the default, with a loopback peer: loopback is not public"
check "a private address sent from 127.0.0.5 is stored as sent" \
	from 127.0.0.5 ldif_add "$(dn nat@x)" "sipaddress: 167880896"
check "... 167880896 (192.168.1.10)" is "$(ip_of "$(dn nat@x)")" 167880896
echo "# the Dialer's largest registration passes, larger ones do not"
head -c 65536 /dev/urandom > "$T/blob"
head -c 65536 /dev/urandom > "$T/sd"
check "a conference with a 64 KiB SDP blob and a 64 KiB security descriptor" \
	from 127.0.0.4 ldif_add "uid=big conf,ou=Dynamic,o=Intranet" "objectClass: rtConference" \
	"conferenceBlob:< file://$T/blob" "ntSecurityDescriptor:< file://$T/sd"
# vals ATTR N: N distinct values of 1000 bytes
vals() { awk -v a="$1" -v n="$2" 'BEGIN { s = sprintf("%996s", ""); gsub(/ /, "x", s)
	for ( i = 0; i < n; i++ ) printf "%s: %04d%s\n", a, i, s }'; }
big() { { printf 'dn: %s\n' "$(dn "$1")"; shift; for a in "$@"; do vals ${a%:*} ${a#*:}; done; } >"$T/big.ldif"; }
big heavy@x comment:64 userObject:64 generalDescription:40
expect_rc 11 "an Add of 168,000 bytes of values (ils-max-entry-size 163840)" \
	from 127.0.0.4 ldapadd -x -H "$URI" -f "$T/big.ldif"
cp "$T/check.out" "$T/size.out"
check "... naming ils-max-entry-size" grep -q "additional info: ils-max-entry-size" "$T/size.out"
check "... logged with the address" logged ils-max-entry-size 127.0.0.4
big grow@x comment:64 userObject:64
check "an Add of 128,000 bytes passes" from 127.0.0.4 ldapadd -x -H "$URI" -f "$T/big.ldif"
{ printf 'dn: %s\nchangetype: modify\nadd: generalDescription\n' "$(dn grow@x)"
	vals generalDescription 40; } > "$T/grow.ldif"
expect_rc 11 "a Modify that would make it 168,000 bytes" \
	from 127.0.0.4 ldapmodify -x -H "$URI" -f "$T/grow.ldif"
check "... leaves it as it was" sh -c \
	"! ldapsearch -x -LLL -H $URI -b '$(dn grow@x)' -s base generalDescription | grep -q '^generalDescription'"
check "the rootdn is exempt" ldapmodify -x -H "$URI" $ROOT -f "$T/grow.ldif"
big huge@x comment:64 userObject:64 generalDescription:64 friendlyName:10
# 203 KB: slapd's own anonymous limit (256 KiB) would read it and get 11
expect_err -1 "an anonymous 203 KB request is cut off by sockbuf_max_incoming" \
	ldapadd -x -H "$URI" -f "$T/big.ldif"
check "... and nothing is stored" sh -c \
	"! ldapsearch -x -LLL -H $URI -b '$(dn huge@x)' -s base 1.1 | grep -q '^dn:'"
check "slapd is still running" alive
stop_slapd

echo "# ils-max-per-address 50 (the default), without the rate"
start_slapd -f "$(conf "$T/cap" "ils-max-per-minute 0")" || exit 1
flood 127.0.0.2 1000 flood
check "exactly 50 of 1,000 are stored" is "$(owned 127.0.0.2)" 50
check "the other 950 get 11" is "$(refused)" 950
check "... naming ils-max-per-address" grep -q "additional info: ils-max-per-address" "$T/flood.out"
check "... logged with the address" logged ils-max-per-address 127.0.0.2
check "127.0.0.3 still registers" from 127.0.0.3 reg other@x
expect_rc 11 "the 51st person from 127.0.0.2" from 127.0.0.2 reg one-more@x
check "the owner's re-Add of its name is no new registration" \
	from 127.0.0.2 ldif_add "$(dn flood-7)" "givenname: Again"
w2 register flood-1
w2 keepalive flood-1
w2 browse flood-1
check "conferences are counted apart from people" \
	from 127.0.0.2 ldif_add "uid=conf-1,ou=Dynamic,o=Intranet" "objectClass: rtConference"
check "the rootdn is exempt" from 127.0.0.2 root_add "$(dn by-root)" "givenname: Root"
ldapdelete -x -H "$URI" $ROOT "$(dn by-root)"
w2 unregister flood-1
check "a Delete frees a slot" from 127.0.0.2 reg fresh-1@x
expect_rc 11 "... one" from 127.0.0.2 reg fresh-2@x
check "a short registration takes the slot a Delete frees" sh -c \
	"LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapdelete -x -H $URI '$(dn flood-2)' &&
	 LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapadd -x -H $URI <<EOF
dn: $(dn brief@x)
entryTtl: 1
EOF"
expect_rc 11 "... so the address is full" from 127.0.0.2 reg fresh-3@x
sleep 2.5
check "its expiry frees the slot" from 127.0.0.2 reg fresh-3@x
expect_rc 11 "... one" from 127.0.0.2 reg fresh-4@x
stop_slapd
start_slapd -f "$T/cap/slapd.conf" || exit 1
check "after a restart 127.0.0.2 still owns 50" is "$(owned 127.0.0.2)" 50
expect_rc 11 "... and may register no more" from 127.0.0.2 reg fresh-5@x
check "a Delete after the restart frees a slot" sh -c \
	"LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapdelete -x -H $URI '$(dn flood-3)'"
check "... which a new name takes" from 127.0.0.2 reg fresh-5@x
expect_rc 11 "... one" from 127.0.0.2 reg fresh-6@x
stop_slapd

echo "# ils-max-per-minute 12: a burst of 12, then one every 5 s"
start_slapd -f "$(conf "$T/rate" "ils-max-per-minute 12")" || exit 1
flood 127.0.0.2 13 r
check "12 of 13 new names in a burst are stored" is "$(owned 127.0.0.2)" 12
check "the 13th gets 11" is "$(refused)" 1
check "... naming ils-max-per-minute" grep -q "additional info: ils-max-per-minute" "$T/flood.out"
check "... logged with the address" logged ils-max-per-minute 127.0.0.2
check "127.0.0.3 still registers" from 127.0.0.3 reg other@x
check "the owner's re-Add of its name is no new name" \
	from 127.0.0.2 ldif_add "$(dn r-1)" "givenname: Again"
check "a Delete gives no name back" from 127.0.0.2 ldapdelete -x -H "$URI" "$(dn r-2)"
expect_rc 11 "... the next new name still waits" from 127.0.0.2 reg r-new@x
flood 127.0.0.6 13 s
check "another burst from 127.0.0.6 stores 12" is "$(owned 127.0.0.6)" 12
sleep 5.5
check "5 s later one more passes" from 127.0.0.6 reg s-new@x
expect_rc 11 "... one" from 127.0.0.6 reg s-new2@x
stop_slapd

echo "# ils-address-policy peer"
SLAPD_MORE_URLS="ldapi://$(printf '%s' "$T/ldapi" | sed 's|/|%2F|g')"
start_slapd -f "$(conf "$T/peer" "ils-address-policy peer")" || exit 1
check "an Add from 127.0.0.2 of 192.168.1.10" \
	from 127.0.0.2 ldif_add "$(dn p1@x)" "sipaddress: 167880896"
check "... stores 127.0.0.2, 33554559" is "$(ip_of "$(dn p1@x)")" 33554559
check "a Modify of sipaddress from 127.0.0.2" sh -c \
	"printf 'dn: $(dn p1@x)\nchangetype: modify\nreplace: sipaddress\nsipaddress: 16777226\n' |
	LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapmodify -x -H $URI"
check "... stores 33554559 too" is "$(ip_of "$(dn p1@x)")" 33554559
check "the Dialer's ipAddress spelling" \
	from 127.0.0.2 ldif_add "$(dn p2@x)" "ipAddress: 3808471232"
check "... is the same attribute" is "$(ip_of "$(dn p2@x)")" 33554559
check "a registration without an address gets none" from 127.0.0.2 reg p3@x
check "... none" is "$(ip_of "$(dn p3@x)")" ""
check "the rootdn's value is stored as sent" \
	from 127.0.0.2 root_add "$(dn p4@x)" "sipaddress: 167880896"
check "... 167880896" is "$(ip_of "$(dn p4@x)")" 167880896
check "an ldapi:// client (no IPv4 peer) keeps its value" sh -c \
	"ldapadd -x -H '$SLAPD_MORE_URLS' <<EOF
dn: $(dn p5@x)
sipaddress: 167880896
EOF"
check "... 167880896" is "$(ip_of "$(dn p5@x)")" 167880896
stop_slapd
SLAPD_MORE_URLS=
check "slaptest refuses ils-address-policy nat" sh -c \
	"! '$SLAPD' -Tt -f '$(conf "$T/bad" "ils-address-policy nat")' >/dev/null 2>&1"
check "slaptest refuses ils-max-per-address -1" sh -c \
	"! '$SLAPD' -Tt -f '$(conf "$T/bad2" "ils-max-per-address -1")' >/dev/null 2>&1"

echo "# cn=config: olcIlsMaxPerAddress, olcIlsAddressPolicy"
mkdir -p "$T/slapd.d" "$T/ils"
{ config_ldif; ils_db_ldif "$T/ils" \
		'olcAccess: to * by dynacl/ils-owner write by * read' \
		'olcIlsMaxPerAddress: 2' \
		'olcIlsAddressPolicy: peer'; } > "$T/config.ldif"
check "slapadd -n0 takes the new attributes" "$SLAPD" -Ta -n0 -F "$T/slapd.d" -l "$T/config.ldif"
start_slapd -F "$T/slapd.d" || exit 1
cfg() { printf 'dn: olcDatabase={1}ils,cn=config\nchangetype: modify\n%s\n' "$1" |
	ldapmodify -x -H "$URI" -D cn=config -w config; }
check "olcIlsMaxPerAddress 2: two pass" sh -c \
	"LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapadd -x -H $URI <<EOF
dn: $(dn c1@x)
sipaddress: 167880896

dn: $(dn c2@x)
givenname: C
EOF"
expect_rc 11 "... the third gets 11" from 127.0.0.2 reg c3@x
check "olcIlsAddressPolicy peer applies" is "$(ip_of "$(dn c1@x)")" 33554559
check "the attributes read back" sh -c \
	"ldapsearch -x -LLL -H $URI -D cn=config -w config -b 'olcDatabase={1}ils,cn=config' olcIlsAddressPolicy olcIlsMaxPerAddress | tr '\n' ' ' | grep -q 'olcIlsMaxPerAddress: 2 olcIlsAddressPolicy: peer'"
check "deleting olcIlsMaxPerAddress restores the default (50)" cfg "delete: olcIlsMaxPerAddress"
check "... the third passes" from 127.0.0.2 reg c3@x
check "olcIlsAddressPolicy changes at run time" cfg "replace: olcIlsAddressPolicy
olcIlsAddressPolicy: as-sent"
check "... as-sent stores what was sent" \
	from 127.0.0.2 ldif_add "$(dn c4@x)" "sipaddress: 167880896"
check "... 167880896" is "$(ip_of "$(dn c4@x)")" 167880896
expect_rc 80 "an unknown policy is refused" cfg "replace: olcIlsAddressPolicy
olcIlsAddressPolicy: nat"
check "slapd is still running" alive
finish
