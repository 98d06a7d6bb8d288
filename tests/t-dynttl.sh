# t-dynttl.sh - slapo-dynttl on the ILS database: TTL at creation, the five
# refresh paths, countdown, expiry on time, restarts, limits, bad input.
. "$(dirname "$0")/lib.sh"
ILS_TTL_DEFAULT=3 ILS_TTL_MIN=1 ILS_TTL_MAX=1h
export ILS_TTL_DEFAULT ILS_TTL_MIN ILS_TTL_MAX
CONF=$(ils_conf "$T/d")
uncapped "$CONF"	# thousands of registrations from 127.0.0.1
start_slapd -f "$CONF" || exit 1

now() { date +%s.%N; }
# until_after T0 SECONDS: sleep until SECONDS after T0 (a now value)
until_after() { sleep "$(awk -v a="$1" -v s="$2" -v b="$(now)" 'BEGIN { d = a + s - b; print (d > 0 ? d : 0) }')"; }
# reg NAME [LINE...]: register NAME; a failed Add is a failure of its own
reg() {
	u=$1; shift
	ldif_add "c=-,o=Microsoft, cn=$u, objectClass=rtPerson" "cn: $u" "sipaddress: 16777343" "$@" \
		> "$T/reg.out" 2>&1 || { nok "registering $u"; sed 's/^/#   /' "$T/reg.out"; }
}
modify() { printf "dn: %s\nchangetype: modify\nreplace: %s\n%s: %s\n" "$1" "$2" "$2" "$3" | ldapmodify -x -H "$URI"; }

# creation
reg plain@x
check "an Add without TTL gets dynttl-default-ttl (3 s)" between "$(ttl "$(dn plain@x)")" 2 3
check "the registration is a dynamicObject" sh -c \
	"ldapsearch -x -LLL -H $URI -b '$(dn plain@x)' -s base objectClass | grep -qx 'objectClass: dynamicObject'"
reg minutes@x "sttl: 2"
check "sttl in the Add is minutes (NetMeeting 2, PTLib)" between "$(ttl "$(dn minutes@x)")" 115 120
reg seconds@x "entryTtl: 50"
check "entryTtl in the Add is seconds" between "$(ttl "$(dn seconds@x)")" 45 50
reg clamp@x "sttl: 3600"
check "PTLib's sttl 3600 (60 h) is clamped to dynttl-max-ttl (1 h)" between "$(ttl "$(dn clamp@x)")" 3590 3600
check "sttl reads back in minutes" sh -c \
	"ldapsearch -x -LLL -H $URI -b '$(dn minutes@x)' -s base sttl | grep -qx 'sttl: 2'"

# countdown
a=$(ttl "$(dn seconds@x)"); sleep 1.2; b=$(ttl "$(dn seconds@x)")
check "entryTtl counts down between two reads ($a then $b)" test "$b" -lt "$a"

# expiry on time: present before its TTL, gone within 1 s after it
t0=$(now); reg expire@x
sleep 2.3
check "an entry is still there before its TTL lapses" test -n "$(ttl "$(dn expire@x)")"
gone=
i=0
while [ $i -lt 60 ]; do
	gone "$(dn expire@x)" && { gone=$(now); break; }
	sleep 0.05; i=$((i + 1))
done
check "an unrefreshed entry is gone within 1 s after its TTL (3 s)" \
	awk -v a="$t0" -v b="${gone:-0}" 'BEGIN { exit !(b > 0 && b - a <= 4.0) }'
# hidden at once; the Delete itself follows (allow for a loaded machine)
# deleted DN: the entry is not in the database, due or not (noSuchObject
# even with manageDSAit); no when the search fails otherwise
deleted() {
	ldapsearch -x -LLL -H "$URI" -b "$1" -s base -e manageDSAit 1.1 > "$T/deleted.out" 2>&1
	test $? = 32
}
i=0; while [ $i -lt 40 ] && ! deleted "$(dn expire@x)"; do sleep 0.1; i=$((i + 1)); done
check "the expired entry is deleted, not just hidden" deleted "$(dn expire@x)"

# a refresh that puts the time later: kept past its first time, gone after
# its new one (the index moves the entry when the first time comes)
reg later@x "entryTtl: 2"; ldapexop -x -H "$URI" refresh "$(dn later@x)" 4 >/dev/null
sleep 3
check "an entry refreshed from 2 to 4 s is there after 3 s" test -n "$(ttl "$(dn later@x)")"
i=0; while [ $i -lt 40 ] && ! gone "$(dn later@x)"; do sleep 0.05; i=$((i + 1)); done
check "... and gone within 1 s after its new TTL" test $i -lt 40
i=0; while [ $i -lt 40 ] && ! deleted "$(dn later@x)"; do sleep 0.05; i=$((i + 1)); done
check "... deleted, not just hidden" test $i -lt 40

# the five refresh paths, each on a fresh 3-second entry
reg ka@x; wire keepalive ka@x > "$T/ka.out"
check "keep-alive search (sttl=10) returns the entry" grep -q '^ok - keepalive: entry DN' "$T/ka.out"
check "keep-alive search refreshes to 10 minutes" between "$(ttl "$(dn ka@x)")" 595 600
reg tapi@x; modify "$(dn tapi@x)" entryTTL 1800 >/dev/null
check "TAPI Modify replace entryTTL 1800 refreshes in seconds" between "$(ttl "$(dn tapi@x)")" 1795 1800
reg sttlmod@x; modify "cn=sttlmod@x, objectClass=rtPerson" sttl 5 >/dev/null
check "Modify of sttl 5 refreshes in minutes" between "$(ttl "$(dn sttlmod@x)")" 295 300
reg exop@x
check "RFC 2589 refresh with ldapexop answers newttl=100" sh -c \
	"ldapexop -x -H $URI refresh '$(dn exop@x)' 100 | grep -qx 'newttl=100'"
check "... and the entry's TTL is 100" between "$(ttl "$(dn exop@x)")" 95 100
check "refresh through NetMeeting's DN spelling" sh -c \
	"ldapexop -x -H $URI refresh 'cn=exop@x, OBJECTCLASS=rtperson' 200 | grep -qx 'newttl=200'"
reg readd@x; sleep 2; reg readd@x
sleep 1.5
check "a repeated Add (GnomeMeeting) refreshes: alive 3.5 s after the first Add" \
	test -n "$(ttl "$(dn readd@x)")"
modify "$(dn tapi@x)" entryTTL 999999 >/dev/null
check "a Modify TTL above the maximum is clamped" between "$(ttl "$(dn tapi@x)")" 3590 3600
check "refreshed entries outlive the default TTL" sh -c \
	"sleep 3; test -n \"\$(ldapsearch -x -LLL -H $URI -b '$(dn ka@x)' -s base 1.1)\""

# bad input
expect_err 32 "refresh of a missing entry" ldapexop -x -H "$URI" refresh "$(dn nobody@x)" 100
expect_err 4 "refresh above dynttl-max-ttl (RFC 2589 sizeLimitExceeded)" \
	ldapexop -x -H "$URI" refresh "$(dn ka@x)" 7200
expect_err 2 "refresh with TTL 0" ldapexop -x -H "$URI" refresh "$(dn ka@x)" 0
expect_err 2 "a malformed refresh request value" ldapexop -x -H "$URI" "1.3.6.1.4.1.1466.101.119.1::AAAA"
expect_rc 19 "Modify entryTTL to a negative number" modify "$(dn ka@x)" entryTTL -5
expect_rc 21 "Modify entryTTL to a word" modify "$(dn ka@x)" entryTTL soon
expect_rc 32 "Modify entryTTL of a missing entry" modify "$(dn nobody@x)" entryTTL 100
expect_rc 19 "sttl 0 in an Add" ldif_add "cn=zero@x,objectClass=rtPerson" "sttl: 0"
check "the refresh extended operation is advertised" sh -c \
	"ldapsearch -x -LLL -H $URI -b '' -s base supportedExtension | grep -q 1.3.6.1.4.1.1466.101.119.1"
check "slapd is still running" alive

# restarts: remaining TTL kept; lapsed entries gone before the first search
# (3 s: time enough, on a loaded machine, to see them before they lapse)
t0=$(now); reg long@x "entryTtl: 60"; reg short@x "entryTtl: 3"
check "an entry with 3 s to live is there before the restart" test -n "$(ttl "$(dn short@x)")"
stop_slapd
until_after "$t0" 3.5
start_slapd -f "$CONF" || exit 1
check "after a clean restart a live entry keeps its remaining TTL" between "$(ttl "$(dn long@x)")" 50 60
check "an entry that lapsed during the restart is gone" gone "$(dn short@x)"
t0=$(now); reg crash@x "entryTtl: 40"; reg brief@x "entryTtl: 3"
check "an entry with 3 s to live is there before kill -9" test -n "$(ttl "$(dn brief@x)")"
crash_slapd
until_after "$t0" 3.5
start_slapd -f "$CONF" || exit 1
check "after kill -9 a lapsed entry is gone at the first search" gone "$(dn brief@x)"
check "after kill -9 a live entry keeps its remaining TTL" between "$(ttl "$(dn crash@x)")" 30 38

# Mass expiry: 3000 registrations lapse together; every one is deleted
# (the Delete's assertion compares expiry times as slapd orders them).
# 30 s: time enough to add and count them all on a loaded machine.
for i in $(seq 3000); do printf 'dn: cn=mass%d@x,objectClass=rtPerson\ncn: mass%d@x\nentryTtl: 30\n\n' $i $i; done > "$T/mass.ldif"
t0=$(now)
check "3000 registrations with entryTtl 30 are added" sh -c "ldapadd -x -H $URI -f '$T/mass.ldif' >/dev/null"
# stored_mass: how many are in the database, due or not (nothing when the search fails)
stored_mass() { nentries -b ou=Dynamic,o=Intranet -s one -e manageDSAit '(cn=mass*)'; }
n=$(stored_mass)
check "... all 3000 are stored ($n, counted $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s after the first Add)" test "$n" = 3000
until_after "$t0" 30
i=0; while [ $i -lt 300 ] && [ "$(stored_mass)" != 0 ]; do sleep 0.1; i=$((i + 1)); done
check "3000 registrations that lapse together are all deleted" test "$(stored_mass)" = 0

# After an outage every NetMeeting client re-registers at once, while the
# registrations that lapsed during the outage are being expired: each
# re-registration must survive (the expiry Delete asserts "still expired").
for i in $(seq 2000); do printf 'dn: cn=race%d@x,objectClass=rtPerson\ncn: race%d@x\nentryTtl: 1\n\n' $i $i; done > "$T/race1.ldif"
sed 's/^entryTtl: 1$/entryTtl: 60/' "$T/race1.ldif" > "$T/race60.ldif"
check "2000 registrations with entryTtl 1 are added" sh -c "ldapadd -x -H $URI -f '$T/race1.ldif' >/dev/null"
stop_slapd
sleep 1.5
start_slapd -f "$CONF" || exit 1
check "... and added again with entryTtl 60 after the restart" sh -c "ldapadd -x -H $URI -f '$T/race60.ldif' >/dev/null"
sleep 2
check "registrations made again while the lapsed ones expire all survive" sh -c \
	"test \$(ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s one '(cn=race*)' 1.1 | grep -c '^dn:') = 2000"
# Write-behind: a keep-alive changes the index at once and the entry within
# dynttl-persist-delay (1 s by default); a clean stop writes what waits.
reg wb@x "entryTtl: 40"; wire keepalive wb@x >/dev/null
sleep 2
crash_slapd
start_slapd -f "$CONF" || exit 1
check "a keep-alive is written within dynttl-persist-delay: kill -9 2 s later keeps its 10 minutes" \
	between "$(ttl "$(dn wb@x)")" 585 600
stop_slapd
sed "s/^dynttl-all on$/&\\ndynttl-persist-delay 30/" "$CONF" > "$T/slow.conf"
mkdir "$T/slow.d"
check "slapd reads dynttl-persist-delay 30 from this part's configuration" sh -c \
	"'$SLAPD' -Tt -f '$T/slow.conf' -F '$T/slow.d' >/dev/null 2>&1 && grep -rqx 'olcDynTTLPersistDelay: 30s' '$T/slow.d'"
start_slapd -f "$T/slow.conf" || exit 1
# stored_exp DN: the expiry time in the entry, to the second
stored_exp() { ldapsearch -x -LLL -H "$URI" -b "$1" -s base -e manageDSAit dynttlExpireTime 2>/dev/null | sed -n 's/^dynttlExpireTime: \(..............\).*/\1/p'; }
reg lag@x "entryTtl: 2"; wire keepalive lag@x >/dev/null
ldapexop -x -H "$URI" refresh "$(dn lag@x)" 500 >/dev/null
sleep 3
check "with dynttl-persist-delay 30 the entry still holds its first expiry time 3 s later" \
	awk -v s="$(stored_exp "$(dn lag@x)")" -v n="$(date -u +%Y%m%d%H%M%S)" 'BEGIN { exit !(s != "" && s < n) }'
check "... yet the refreshed entry is neither hidden nor deleted, and shows its new TTL" \
	between "$(ttl "$(dn lag@x)")" 490 500
reg shorten@x "entryTtl: 1800"; wire keepalive shorten@x >/dev/null
check "a keep-alive that shortens a TTL (30 to 10 minutes) reads 10 minutes at once" \
	between "$(ttl "$(dn shorten@x)")" 595 600
check "... and is written at once: an entry's time is never later than the index's" \
	awk -v s="$(stored_exp "$(dn shorten@x)")" -v n="$(date -u -d '+700 seconds' +%Y%m%d%H%M%S)" 'BEGIN { exit !(s != "" && s < n) }'
reg lost@x "entryTtl: 40"; wire keepalive lost@x >/dev/null
stop_slapd
start_slapd -f "$T/slow.conf" || exit 1
check "a clean stop writes the waiting refreshes (RFC 2589 refresh to 500 s)" \
	between "$(ttl "$(dn lag@x)")" 485 500
check "... and the waiting keep-alives (10 minutes)" between "$(ttl "$(dn lost@x)")" 585 600
reg crash2@x "entryTtl: 40"; wire keepalive crash2@x >/dev/null
crash_slapd
start_slapd -f "$T/slow.conf" || exit 1
check "kill -9 loses a keep-alive younger than dynttl-persist-delay: the entry keeps its earlier TTL" \
	between "$(ttl "$(dn crash2@x)")" 30 40
stop_slapd
start_slapd -f "$CONF" || exit 1
finish
