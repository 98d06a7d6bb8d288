# t-dds046-ils.sh - the part of OpenLDAP's test046-dds (t-dds046.sh) that
# applies to back-ils, in test046's order, with its TTL policy (default
# 1h, minimum 10s, maximum 1d).  What does not apply, and why:
#   - binding as the dynamic entry: ILS registrations have no passwords;
#   - subordinates of dynamic entries, dynamic or static, and the
#     subordinate/superior expiry conflict: ILS names are leaves under
#     fixed containers, so back-ils refuses an Add below a registration
#     (unwillingToPerform) before any rule of RFC 2589 3.1 is reached;
#   - renaming: back-ils refuses every ModRDN (MS-TAIL 2.2.6:
#     unwillingToPerform), and the entry keeps its name and TTL;
#   - the meeting: its rules are slapd ACLs on groupOfNames members;
#     back-ils's owner rule is tested in t-owner.sh.
# Then the start-up load of a database with two suffixes (o=Intranet and
# NetMeeting's objectClass=rtPerson): each registration is read once.
. "$(dirname "$0")/lib.sh"
ILS_TTL_DEFAULT=1h ILS_TTL_MIN=10s ILS_TTL_MAX=1d
export ILS_TTL_DEFAULT ILS_TTL_MIN ILS_TTL_MAX
CONF=$(ils_conf "$T/d")
SLAPD_DEBUG=256 start_slapd -f "$CONF" || exit 1
DYN="cn=dynamic@example.com,ou=Dynamic,o=Intranet"
lmod() { printf "$@" | ldapmodify -x -H "$URI"; }

check "creating a dynamic entry" ldif_add "$DYN" \
	"objectClass: rtPerson" "objectClass: dynamicObject" "cn: dynamic@example.com" "sn: Object"
check "refreshing the newly created dynamic entry (120 s)" sh -c \
	"ldapexop -x -H $URI refresh '$DYN' 120 | grep -qx newttl=120"
check "modifying the newly created dynamic entry (add comment)" \
	lmod "dn: $DYN\nchangetype: modify\nadd: comment\ncomment: dynamic\n"
expect_rc 53 "creating a dynamic entry subordinate to another: no ILS name is below a registration" \
	ldif_add "cn=sub@example.com,$DYN" "objectClass: rtPerson" "objectClass: dynamicObject" "cn: sub@example.com"
sleep 1
check "[1] the dynamic entry is found, with its new data" sh -c \
	"ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet '(objectClass=dynamicObject)' comment | grep -qx 'comment: dynamic'"
check "[1] ... its entryTtl at least 1 s below 120" between "$(ttl "$DYN")" 1 119
expect_rc 53 "creating a static entry subordinate to a dynamic one fails" \
	ldif_add "cn=static@example.com,$DYN" "objectClass: rtPerson" "cn: static@example.com"
expect_rc 65 "turning a static into a dynamic entry (the ou=Dynamic container) fails" \
	lmod "dn: ou=Dynamic,o=Intranet\nchangetype: modify\nadd: objectClass\nobjectClass: dynamicObject\n"
expect_rc 65 "turning a dynamic into a static entry fails" \
	lmod "dn: $DYN\nchangetype: modify\ndelete: objectClass\nobjectClass: dynamicObject\n"
check "... the registration is still a dynamicObject" sh -c \
	"ldapsearch -x -LLL -H $URI -b '$DYN' -s base objectClass | grep -qx 'objectClass: dynamicObject'"
expect_rc 53 "renaming a dynamic entry: back-ils renames nothing" \
	lmod "dn: $DYN\nchangetype: modrdn\nnewrdn: cn=renamed@example.com\ndeleteoldrdn: 1\n"
check "... it keeps its name and TTL" between "$(ttl "$DYN")" 1 119
check "refreshing the dynamic entry with 1 s: dynttl-min-ttl gives 10" sh -c \
	"ldapexop -x -H $URI refresh '$DYN' 1 | grep -qx newttl=10"
check "deleting a dynamic entry" lmod "dn: $DYN\nchangetype: delete\n"
check "[4] ... it is gone" test -z "$(ttl "$DYN")"

# the remaining entry, refreshed to 10 s, is gone 15 s later; in
# between, a restart loads each registration once
REM="cn=remaining@example.com,ou=Dynamic,o=Intranet"
check "a second dynamic entry (NetMeeting's DN)" ldif_add \
	"c=-,o=Microsoft, cn=remaining@example.com, objectClass=rtPerson" "cn: remaining@example.com" "sipaddress: 16777343"
check "a third, the Dialer's conference kind" ldif_add \
	"uid=conf,ou=Dynamic,o=Intranet" "objectClass: rtConference"
NMDN="c=-,o=Microsoft, cn=remaining@example.com, objectClass=rtPerson"
expect_rc 65 "turning it into a static entry by its NetMeeting DN fails too" \
	lmod "dn: $NMDN\nchangetype: modify\ndelete: objectClass\nobjectClass: dynamicObject\n"
expect_rc 53 "renaming it by its NetMeeting DN: unwillingToPerform" \
	lmod "dn: $NMDN\nchangetype: modrdn\nnewrdn: cn=other@example.com\ndeleteoldrdn: 1\n"
check "refreshing the remaining entry with 1 s (10 s)" sh -c \
	"ldapexop -x -H $URI refresh '$REM' 1 | grep -qx newttl=10"
sleep 1
check "[5] ... its entryTtl at least 1 s below 10" between "$(ttl "$REM")" 1 9
n=$(ldapsearch -x -LLL -H "$URI" -b o=Intranet '(objectClass=dynamicObject)' 1.1 | grep -c '^dn:')
check "two registrations stored" test "$n" = 2
stop_slapd
: > "$T/slapd.log"
SLAPD_DEBUG=256 start_slapd -f "$CONF" || exit 1
check "the restart loads each of the 2 registrations once, over two suffixes" \
	grep -q "dynttl: 2 dynamic objects loaded" "$T/slapd.log"
sleep 15
check "[6] the remaining entry has expired" test -z "$(ttl "$REM")"
check "... and is deleted, not only hidden" sh -c \
	"! ldapsearch -x -LLL -H $URI -D cn=admin,o=Intranet -b '$REM' -s base -e manageDSAit 1.1 2>/dev/null | grep -q ^dn:"
check "the conference lives on (1 h)" between "$(ttl uid=conf,ou=Dynamic,o=Intranet)" 3500 3600
check "slapd is still running" alive
finish
