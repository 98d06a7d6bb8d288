# t-patch.sh - stored records: a keep-alive's TTL refresh (the overlay's
# internal Modify, which back-ils applies to the stored record without
# decoding it) changes entryTtl and dynttlExpireTime and nothing else,
# keeps what it writes across a restart, and adds the two to a
# registration that lacks them; names that records leave out (the key
# gives them) and names stored whole read back as they were written.
. "$(dirname "$0")/lib.sh"
# refreshes written in the keep-alive itself (not a second later), so
# that each read below sees the record the refresh wrote; registrations
# live 5 minutes, so that the keep-alive's 10 lengthen them (a refresh that
# shortens a TTL is written at once whatever the delay)
ILS_TTL_DEFAULT=5m
export ILS_TTL_DEFAULT
sed 's/^dynttl-all on$/&\ndynttl-persist-delay 0/' "$(ils_conf "$T/d")" > "$T/slapd.conf"
CONF=$T/slapd.conf
# the same database without the overlay, which rewrites entryTtl in every
# reply from its index: what a search then reads is the stored record
grep -v -e '^overlay[[:space:]]*dynttl' -e '^dynttl-' "$CONF" > "$T/plain.conf"
start_slapd -f "$CONF" || exit 1

# read DN: the whole entry as LDIF, user and operational attributes
read_entry() { lsearch -b "$(dn "$1")" -s base -e manageDSAit '*' '+'; }
# rest FILE: the entry without the two attributes a refresh writes
# and the operational attributes every write gives it (entryCSN, modifiersName,
# modifyTimestamp)
rest() { grep -v -e '^entryTtl: ' -e '^dynttlExpireTime: ' -e '^entryCSN:' \
	-e '^modifiersName:' -e '^modifyTimestamp:' "$1"; }
value() { sed -n "s/^$2: //p" "$1"; }

u=patch@contoso.com
wire register "$u" > /dev/null
wire register "other-$u" > /dev/null
read_entry "$u" > "$T/before"
read_entry "other-$u" > "$T/other.before"
sleep 1.1
wire keepalive "$u" > "$T/ka.out"
check "the keep-alive finds the registration" grep -q '^ok - keepalive: entry DN' "$T/ka.out"
read_entry "$u" > "$T/after"
check "after the keep-alive a reader sees entryTtl 600 (10 minutes)" test "$(value "$T/after" entryTtl)" = 600
# kill -9 at once loses whatever waits to be written; then the record is
# read with the overlay out of the path
crash_slapd
start_slapd -f "$T/plain.conf" || exit 1
read_entry "$u" > "$T/stored"
check "the keep-alive stored entryTtl 600 in the record itself, at once (dynttl-persist-delay 0)" \
	test "$(value "$T/stored" entryTtl)" = 600
check "... and the expiry time a reader saw" \
	test "$(value "$T/stored" dynttlExpireTime)" = "$(value "$T/after" dynttlExpireTime)"
stop_slapd
start_slapd -f "$CONF" || exit 1
check "the keep-alive rewrites dynttlExpireTime" test \
	"$(value "$T/before" dynttlExpireTime)" != "$(value "$T/after" dynttlExpireTime)"
check "... and gives the record a later entryCSN" test \
	"$(value "$T/after" entryCSN)" \> "$(value "$T/before" entryCSN)"
check "... written by the rootdn (modifiersName), as the refresh is" test \
	"$(value "$T/after" modifiersName)" = "cn=admin,o=Intranet"
check "... which a filter matches in its normalised form (the record holds both)" sh -c \
	"ldapsearch -x -LLL -H $URI -b '$(dn "$u")' -s base '(modifiersName=CN=Admin,O=intranet)' 1.1 | grep -q '^dn:'"
rest "$T/before" > "$T/before.rest"; rest "$T/after" > "$T/after.rest"
check "every other attribute is unchanged, in the same order" cmp "$T/before.rest" "$T/after.rest"
check "the refreshed attributes keep their place in the record" sh -c \
	"grep -n -e '^entryTtl: ' -e '^dynttlExpireTime: ' '$T/before' | cut -d: -f1 > '$T/pos.before';
	 grep -n -e '^entryTtl: ' -e '^dynttlExpireTime: ' '$T/after' | cut -d: -f1 > '$T/pos.after';
	 cmp '$T/pos.before' '$T/pos.after'"
read_entry "other-$u" > "$T/other.after"
check "another registration is untouched" sh -c \
	"grep -v '^entryTtl: ' '$T/other.before' > '$T/o1'; grep -v '^entryTtl: ' '$T/other.after' > '$T/o2'; cmp '$T/o1' '$T/o2'"

# many refreshes in a row leave the record as one would
i=0; while [ $i -lt 20 ]; do wire keepalive "$u" > /dev/null; i=$((i + 1)); done
read_entry "$u" > "$T/after20"
rest "$T/after20" > "$T/after20.rest"
check "20 more keep-alives change nothing else" cmp "$T/before.rest" "$T/after20.rest"
check "... and leave one value of each" sh -c \
	"test \$(grep -c '^entryTtl: ' '$T/after20') = 1 && test \$(grep -c '^dynttlExpireTime: ' '$T/after20') = 1"

# the patched record is what slapd reads after a restart
stop_slapd
start_slapd -f "$CONF" || exit 1
read_entry "$u" > "$T/restarted"
rest "$T/restarted" > "$T/restarted.rest"
check "after a restart the refreshed registration reads the same" cmp "$T/before.rest" "$T/restarted.rest"
check "... with the refreshed expiry time" test \
	"$(value "$T/restarted" dynttlExpireTime)" = "$(value "$T/after20" dynttlExpireTime)"

# A dynamic object stored while the overlay was off has neither
# attribute: the refresh appends both.
stop_slapd
start_slapd -f "$T/plain.conf" || exit 1
v=plain@contoso.com
check "without the overlay a dynamic registration is added" ldif_add "cn=$v,objectClass=rtPerson" \
	"objectClass: rtPerson" "objectClass: dynamicObject" "cn: $v" "sipaddress: 16777343" "givenname: Plain"
read_entry "$v" > "$T/plain.before"
check "without the overlay the registration has no dynttlExpireTime" sh -c \
	"! grep -q '^dynttlExpireTime: ' '$T/plain.before'"
stop_slapd
start_slapd -f "$CONF" || exit 1
wire keepalive "$v" > /dev/null
read_entry "$v" > "$T/plain.after"
crash_slapd
start_slapd -f "$T/plain.conf" || exit 1
read_entry "$v" > "$T/plain.stored"
check "the keep-alive adds entryTtl 600 to the record" test "$(value "$T/plain.stored" entryTtl)" = 600
check "the keep-alive adds dynttlExpireTime to the record" \
	test "$(value "$T/plain.stored" dynttlExpireTime)" = "$(value "$T/plain.after" dynttlExpireTime)"
stop_slapd
start_slapd -f "$CONF" || exit 1
rest "$T/plain.before" > "$T/plain.before.rest"; rest "$T/plain.after" > "$T/plain.after.rest"
check "... and changes nothing else" cmp "$T/plain.before.rest" "$T/plain.after.rest"
stop_slapd
start_slapd -f "$CONF" || exit 1
read_entry "$v" > "$T/plain.restarted"
rest "$T/plain.restarted" > "$T/plain.restarted.rest"
check "after a restart the registration reads the same" cmp "$T/plain.after.rest" "$T/plain.restarted.rest"
check "... with the appended expiry time" test \
	"$(value "$T/plain.restarted" dynttlExpireTime)" = "$(value "$T/plain.after" dynttlExpireTime)"

# Records leave out the DNs the key gives and keep those that need escaping
check "a mixed-case name is added" ldif_add "cn=Mixed.Case@Example.ORG,ou=Dynamic,o=Intranet" "objectClass: rtPerson" "cn: Mixed.Case@Example.ORG"
check "a name that needs escaping is added" ldif_add 'cn=a\,b@x,ou=Dynamic,o=Intranet' "objectClass: rtPerson" "cn: a,b@x"
check "a conference is added" ldif_add "uid=Board Meeting,ou=Dynamic,o=Intranet" "objectClass: rtConference" "uid: Board Meeting"
wire tapi > /dev/null
names() { lsearch -b o=Intranet -s sub '(|(cn=mixed.case@example.org)(cn=a,b@x)(uid=board meeting)(cn=egruber]w2kils.testdomain.int))' 1.1 | grep '^dn:' | sort; }
names > "$T/names.before"
stop_slapd
start_slapd -f "$CONF" || exit 1
names > "$T/names.after"
check "five names stored (person, escaped person, conference, the Dialer's person and application user)" \
	test "$(wc -l < "$T/names.before")" = 5
check "after a restart every name reads back as written" cmp "$T/names.before" "$T/names.after"
check "the mixed-case registration keeps its case" grep -qx 'dn: cn=Mixed.Case@Example.ORG,ou=Dynamic,o=Intranet' "$T/names.after"
check "the name that needs escaping is intact" grep -qxF 'dn: cn=a\2Cb@x,ou=Dynamic,o=Intranet' "$T/names.after"
check "slapd is still running" alive
finish
