# t-reclaim.sh - a NetMeeting whose address changes takes its name back
# with its ssecurity token; other tokens, tokens that prove nothing and
# tokens two registrations share do not; guessing meets the rate cap; a
# client bound with a DN owns its registrations by that DN from anywhere.
. "$(dirname "$0")/lib.sh"
CONF=$(ils_conf "$T/d")
sed -i 's|^rootdn .*|&\nrootpw    secret|' "$CONF"
sed -i 's|^ils-max-per-minute .*||; s|^directory .*|&\nils-max-per-minute 6|' "$CONF"
# a directory beside the ILS with a user who binds with a DN and password
mkdir -p "$T/mdb"
cat >> "$CONF" <<EOF

database  mdb
suffix    "dc=example,dc=com"
rootdn    "cn=admin,dc=example,dc=com"
rootpw    secret
directory $T/mdb
EOF
sed -i "s|^moduleload .*back_ils.la|moduleload back_mdb\n&|" "$CONF"
start_slapd -f "$CONF" || exit 1
ROOT="-D cn=admin,o=Intranet -w secret"
check "the user's entry is added" sh -c "printf 'dn: dc=example,dc=com\nobjectClass: domain\ndc: example\n\ndn: cn=u,dc=example,dc=com\nobjectClass: person\ncn: u\nsn: U\nuserPassword: pw\n' |
	ldapadd -x -H $URI -D cn=admin,dc=example,dc=com -w secret"

on() { a=$1; shift; LDAPSOCKET_BIND_ADDRESSES=$a; export LDAPSOCKET_BIND_ADDRESSES
	"$@"; rc=$?; unset LDAPSOCKET_BIND_ADDRESSES; return $rc; }
wb() { a=$1; shift; wire -b "$a" "$@"; }
owner() { ldapsearch -x -LLL -H "$URI" $ROOT -b "$(dn "$1")" -s base ilsOwnerAddress |
	sed -n 's/^ilsOwnerAddress: //p'; }
mod() { printf 'dn: %s\nchangetype: modify\nreplace: comment\ncomment: %s\n' "$(dn "$2")" "$3" |
	on "$1" ldapmodify -x -H "$URI"; }

echo "# NetMeeting (token 21912384) moves from 127.0.0.1 to 127.0.0.2"
wb 127.0.0.1 register mv@x
check "its owner is 127.0.0.1" test "$(owner mv@x)" = 127.0.0.1
wb 127.0.0.2 register mv@x
check "re-registered from 127.0.0.2 with its token, it belongs to 127.0.0.2" \
	test "$(owner mv@x)" = 127.0.0.2
expect_rc 50 "the old address can no longer change it" mod 127.0.0.1 mv@x old
check "the new one can" mod 127.0.0.2 mv@x new

echo "# tokens that prove nothing"
check "a registration with another token" on 127.0.0.1 ldif_add "$(dn other@x)" "ssecurity: 11111"
expect_rc 68 "... is not taken with a wrong token" on 127.0.0.3 ldif_add "$(dn other@x)" "ssecurity: 22222"
expect_rc 68 "... nor without one" on 127.0.0.3 ldif_add "$(dn other@x)" "givenname: x"
check "a Dialer registration (token 1508109)" on 127.0.0.1 ldif_add "$(dn dialer@x)" "ssecurity: 1508109"
expect_rc 68 "... is not taken with the Dialer's constant" on 127.0.0.3 ldif_add "$(dn dialer@x)" "ssecurity: 1508109"
check "a PTLib registration (token 0)" on 127.0.0.1 ldif_add "$(dn pt@x)" "ssecurity: 0"
expect_rc 68 "... is not taken with 0" on 127.0.0.3 ldif_add "$(dn pt@x)" "ssecurity: 0"
check "two registrations that share a token" sh -c \
	"LDAPSOCKET_BIND_ADDRESSES=127.0.0.1 ldapadd -x -H $URI <<EOF
dn: $(dn twin1@x)
ssecurity: 4242

dn: $(dn twin2@x)
ssecurity: 4242
EOF"
expect_rc 68 "... are not taken with it" on 127.0.0.4 ldif_add "$(dn twin1@x)" "ssecurity: 4242"
check "none of them changed owner" sh -c \
	"test '$(owner other@x)$(owner dialer@x)$(owner pt@x)$(owner twin1@x)' = 127.0.0.1127.0.0.1127.0.0.1127.0.0.1"

echo "# guessing costs the rate of new names (ils-max-per-minute 6)"
n=0 refused=
while [ $n -lt 10 ]; do
	on 127.0.0.5 ldif_add "$(dn other@x)" "ssecurity: $((30000 + n))" > "$T/guess.out" 2>&1
	rc=$?
	[ $rc = 11 ] && { refused=$n; break; }
	[ $rc = 68 ] || break
	n=$((n + 1))
done
check "six wrong tokens get 68, the seventh 11 (refused at try $refused)" test "$refused" = 6
check "... with the keyword in the diagnostic" grep -q ils-max-per-minute "$T/guess.out"
check "the registration is still its owner's" test "$(owner other@x)" = 127.0.0.1

echo "# a client bound with a DN owns by that DN, from any address"
U="-D cn=u,dc=example,dc=com -w pw"
check "the user registers from 127.0.0.6" on 127.0.0.6 sh -c \
	"printf 'dn: $(dn dnuser@x)\ngivenname: U\n' | ldapadd -x -H $URI $U"
check "its registration belongs to its DN" sh -c \
	"ldapsearch -x -LLL -H $URI $ROOT -b $(dn dnuser@x) -s base ilsOwnerDN | grep -qix 'ilsOwnerDN: cn=u,dc=example,dc=com'"
check "the user changes it from 127.0.0.2" on 127.0.0.2 sh -c \
	"printf 'dn: $(dn dnuser@x)\nchangetype: modify\nreplace: comment\ncomment: moved\n' | ldapmodify -x -H $URI $U"
expect_rc 50 "an anonymous client on the address it came from cannot" mod 127.0.0.6 dnuser@x anon
check "slapd is still running" alive
finish
