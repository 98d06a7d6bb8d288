# t-mapfull.sh - a full map never stops expiry: a flood is refused at
# ils-map-highwater with adminLimitExceeded while Deletes, refreshes and
# expiry go on; every lapsed entry goes, honest clients register again and
# a restart changes nothing.  An expiry Delete that fails is tried again
# until it succeeds; the map of a running server can grow.
. "$(dirname "$0")/lib.sh"
ILS_TTL_DEFAULT=15 ILS_TTL_MIN=1 ILS_TTL_MAX=1h
export ILS_TTL_DEFAULT ILS_TTL_MIN ILS_TTL_MAX
MAP=4194304			# 4 MiB: about 3,500 registrations of 1 kB
SLAPD_DEBUG=stats		# the refusals' log lines
export SLAPD_DEBUG

# conf DIR HIGHWATER: the default configuration with a small map and a
# writable cn=config (rootpw "config")
conf() {
	c=$(ils_conf "$1")
	uncapped "$c"	# the flood comes from 127.0.0.1
	cat >> "$c" <<EOF
ils-mapsize $MAP
ils-map-highwater $2

database config
rootpw config
EOF
	echo "$c"
}
# records N PREFIX: the LDIF of N registrations of 1 kB each
records() {
	awk -v n="$1" -v p="$2" 'BEGIN {
		c = sprintf("%1000s", ""); gsub(/ /, "x", c)
		for (i = 0; i < n; i++)
			printf "dn: cn=%s%d@x,ou=Dynamic,o=Intranet\ncn: %s%d@x\nsipaddress: 16777343\ncomment: %s\n\n", p, i, p, i, c
	}'
}
# flood N PREFIX: those registrations from one client, on past errors;
# the client's output in $T/flood.out
flood() { records "$1" "$2" | ldapadd -c -x -H "$URI" > "$T/flood.out" 2>&1; }
# failures [CODE]: how many Adds of the flood failed (with CODE); the
# client's stdout and stderr may share a line
failures() { grep -o "ldap_add: [A-Za-z ]*(${1:-[0-9]*})" "$T/flood.out" | wc -l; }
# stored PREFIX: how many registrations of PREFIX the database holds,
# lapsed or not (ManageDsaIT shows entries that are due but not gone)
stored() {
	ldapsearch -x -LLL -H "$URI" -b ou=Dynamic,o=Intranet -s one -e manageDSAit \
		"(cn=$1*)" 1.1 2>/dev/null | grep -c '^dn:'
}
# at_most N PREFIX: the database holds no more than N of PREFIX
at_most() { [ "$(stored "$2")" -le "$1" ]; }
# until_ok SECS COMMAND...: true as soon as COMMAND is, within SECS seconds
until_ok() {
	_u=$(( $1 * 10 )); shift
	while [ "$_u" -gt 0 ]; do "$@" && return 0; sleep 0.1; _u=$((_u - 1)); done
	"$@"
}
cfmod() {
	printf 'dn: olcDatabase={1}ils,cn=config\nchangetype: modify\nreplace: %s\n%s: %s\n' "$1" "$1" "$2" |
		ldapmodify -x -H "$URI" -D cn=config -w config
}
honest() { ldif_add "$(dn "$1")" "cn: $1" "sipaddress: 16777343"; }

# 1. the mark (the default 90 %)
CONF=$(conf "$T/a" 90)
start_slapd -f "$CONF" || exit 1
flood 3000 f
refused=$(failures)
check "the flood is refused at the mark ($refused of 3000 Adds)" test "$refused" -gt 0
check "... every refusal is adminLimitExceeded (11)" \
	test "$(failures 11)" = "$refused"
check "... with a diagnostic that says why" grep -q 'additional info: the directory is full' "$T/flood.out"
check "... and a stats log line naming the client" \
	grep -q 'back-ils: refused a write to "cn=f[0-9]*@x,ou=Dynamic,o=Intranet" from IP=127.0.0.1:' "$T/slapd.log"
n=$(stored f)
size=$(du -B1 "$T/a/ils/data.mdb" | cut -f1)	# allocated: the file may be sparse
check "the flood filled the map to the mark: $n registrations stored, data.mdb $size of $MAP bytes" \
	test "$n" -eq $((3000 - refused)) -a "$size" -ge $((MAP * 85 / 100))
check "... and left the rest of the map for Deletes" test "$size" -le $((MAP * 95 / 100))
expect_rc 11 "an honest registration is refused too while the store is full" honest honest1@x
expect_rc 0 "a client's Delete finds room in the full map" ldapdelete -x -H "$URI" "$(dn f0@x)"
check "a refresh finds room" sh -c \
	"ldapexop -x -H $URI refresh '$(dn f1@x)' 3600 | grep -qx newttl=3600"
records 3 f | sed -n '/^dn: cn=f2@x/,$p' > "$T/f2.ldif"
expect_rc 0 "a re-registration of the same size (GnomeMeeting's refresh) is not refused" \
	ldapadd -x -H "$URI" -f "$T/f2.ldif"

# a restart in the middle: the state is the store's, so it is the same
stop_slapd
start_slapd -f "$CONF" || exit 1
check "after a restart the same registrations are there ($(stored f))" test "$(stored f)" -eq $((n - 1))
expect_rc 11 "... and a new one is still refused" honest honest1@x

# past the TTL (15 s from the flood): every lapsed entry goes
check "every lapsed registration is deleted (left: f1, refreshed, and f2, added again)" \
	until_ok 25 at_most 2 f
check "... f1, refreshed to an hour, is kept" test -n "$(ttl "$(dn f1@x)")"
expect_rc 0 "an honest client registers again once the space is back" honest honest1@x
check "... and f2 goes at its own time" until_ok 15 at_most 1 f
left=$(stored "")
stop_slapd
start_slapd -f "$CONF" || exit 1
check "a restart changes nothing: $left registrations before, $(stored "") after" test "$(stored "")" -eq "$left"
expect_rc 0 "... and registering still works" honest honest2@x
stop_slapd

# 2. an expiry Delete that fails (here: the ACL refuses it, there being no
# rootdn) is tried again, not forgotten, and succeeds once it can
CONF=$(conf "$T/b" 90)
start_slapd -f "$CONF" || exit 1
for u in r1 r2 r3; do ldif_add "$(dn $u@x)" "cn: $u@x" "entryTtl: 2" > /dev/null; done
printf 'dn: olcDatabase={1}ils,cn=config\nchangetype: modify\ndelete: olcRootDN\n-\nreplace: olcAccess\nolcAccess: to * by * read\n' |
	ldapmodify -x -H "$URI" -D cn=config -w config > /dev/null
check "expiry Deletes that fail are logged" \
	until_ok 10 grep -q 'dynttl: [0-9]* expired entr[a-z]* not deleted (result 50)' "$T/slapd.log"
check "... and their entries stay, lapsed: hidden, not gone" \
	sh -c "test -z \"\$(ldapsearch -x -LLL -H $URI -b '$(dn r1@x)' -s base 1.1 2>/dev/null)\" && test $(stored r) -eq 3"
cfmod olcAccess "to * by * write" > /dev/null
check "once the Delete can succeed, the next try deletes every one" until_ok 20 at_most 0 r

# 3. the mark and the map at run time
flood 3000 g
expect_rc 11 "a second flood fills the store to the mark" honest honest3@x
expect_rc 80 "ils-map-highwater below 10 is refused" cfmod olcIlsMapHighWater 5
expect_rc 80 "... and above 100" cfmod olcIlsMapHighWater 101
expect_rc 80 "the open map cannot shrink" cfmod olcIlsMapSize $((MAP / 2))
expect_rc 0 "olcIlsMapSize grows the open map" cfmod olcIlsMapSize $((MAP * 2))
expect_rc 0 "... and registering works again at once" honest honest3@x
expect_rc 0 "olcIlsMapHighWater changes at run time" cfmod olcIlsMapHighWater 30
expect_rc 11 "... and applies at once" honest honest4@x
check "olcIlsMapHighWater reads back" sh -c \
	"ldapsearch -x -LLL -H $URI -D cn=config -w config -b 'olcDatabase={1}ils,cn=config' olcIlsMapHighWater | grep -qx 'olcIlsMapHighWater: 30'"
stop_slapd
sed -i 's/^ils-map-highwater 90$/ils-map-highwater 9/' "$CONF"
check "slaptest refuses ils-map-highwater 9" sh -c "! '$SLAPD' -Tt -f '$CONF' >/dev/null 2>&1"
finish
