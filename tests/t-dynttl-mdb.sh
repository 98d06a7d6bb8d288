# t-dynttl-mdb.sh - slapo-dynttl on an ordinary back-mdb database (RFC 2589
# without ILS), configured through cn=config and changed at run time
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/mdb" "$T/slapd.d"
{ mdb_conf_head; cat <<CONF
moduleload auditlog
database mdb
suffix "dc=example,dc=com"
rootdn "cn=admin,dc=example,dc=com"
rootpw secret
directory $T/mdb
access to attrs=entryTtl by dn.exact="cn=admin,dc=example,dc=com" write by * read
access to * by users write by * read
overlay auditlog
auditlog $T/audit.ldif
overlay dynttl
dynttl-default-ttl 3
dynttl-min-ttl 2
dynttl-max-ttl 1h
dynttl-max-entries 3
database config
rootpw config
CONF
} > "$T/slapd.conf"
# -f with -F: slapd converts slapd.conf into slapd.d and runs from it
start_slapd -f "$T/slapd.conf" -F "$T/slapd.d" || exit 1
check "slapd.conf was converted to cn=config" test -f "$T/slapd.d/cn=config.ldif"
ADM="-D cn=admin,dc=example,dc=com -w secret"
madd() { ldapadd -x -H "$URI" $ADM; }
dyn() { printf 'dn: cn=%s,dc=example,dc=com\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: %s\nsn: D\n' "$1" "$1" | madd >/dev/null; }

check "static base entries" sh -c "printf 'dn: dc=example,dc=com\nobjectClass: domain\ndc: example\n\ndn: cn=static,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: static\nsn: S\nuserPassword: pw\n' | ldapadd -x -H $URI $ADM"
check "an Add with dynamicObject is accepted" dyn d1
check "it gets the default TTL and an entryTtl" between "$(ttl cn=d1,dc=example,dc=com)" 2 3
check "a static entry has no entryTtl" test -z "$(ttl cn=static,dc=example,dc=com)"
check "ldapexop refresh works on back-mdb" sh -c \
	"ldapexop -x -H $URI $ADM refresh cn=d1,dc=example,dc=com 60 | grep -qx newttl=60"
check "a refresh below dynttl-min-ttl is raised to it" sh -c \
	"ldapexop -x -H $URI $ADM refresh cn=d1,dc=example,dc=com 1 | grep -qx newttl=2"
ldapexop -x -H "$URI" $ADM refresh cn=d1,dc=example,dc=com 600 >/dev/null
expect_err 65 "refresh of a static entry (objectClassViolation)" \
	ldapexop -x -H "$URI" $ADM refresh cn=static,dc=example,dc=com 60
expect_err 8 "anonymous refresh (a write: slapd wants a bind)" \
	ldapexop -x -H "$URI" refresh cn=d1,dc=example,dc=com 60
expect_err 50 "refresh by a user without write access to entryTtl" \
	ldapexop -x -H "$URI" -D cn=static,dc=example,dc=com -w pw refresh cn=d1,dc=example,dc=com 60
expect_rc 65 "Modify entryTtl of a static entry" sh -c \
	"printf 'dn: cn=static,dc=example,dc=com\nchangetype: modify\nreplace: entryTtl\nentryTtl: 100\n' | ldapmodify -x -H $URI $ADM"
dyn d2
i=0; while [ $i -lt 60 ] && [ -n "$(ttl cn=d2,dc=example,dc=com)" ]; do sleep 0.1; i=$((i + 1)); done
check "an unrefreshed back-mdb entry expires (3 s)" test $i -lt 45
# hidden at once; the Delete itself follows (allow for a loaded machine)
i=0
while [ $i -lt 40 ] && ldapsearch -x -LLL -H "$URI" $ADM -b cn=d2,dc=example,dc=com -s base \
	-e manageDSAit 1.1 2>/dev/null | grep -q dn:; do sleep 0.1; i=$((i + 1)); done
check "... and is deleted from back-mdb" sh -c \
	"! ldapsearch -x -LLL -H $URI $ADM -b cn=d2,dc=example,dc=com -s base -e manageDSAit 1.1 2>/dev/null | grep -q dn:"
check "the expiry was an ordinary Delete: auditlog recorded it" sh -c \
	"grep -A1 '^dn: cn=d2,dc=example,dc=com' '$T/audit.ldif' | grep -qx 'changetype: delete'"
dyn d3; dyn d4
check "three dynamic objects now (d1, d3, d4)" sh -c "ldapsearch -x -LLL -H $URI -b dc=example,dc=com '(objectClass=dynamicObject)' 1.1 | grep -c ^dn: | grep -qx 3"
expect_rc 11 "dynttl-max-entries 3 refuses a fourth dynamic object" dyn d5
check "static entries are not counted" sh -c \
	"printf 'dn: cn=static2,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: static2\nsn: S\n' | ldapadd -x -H $URI $ADM"
check "olcDynTTLMaxEntries changes at run time" sh -c \
	"printf 'dn: olcOverlay={1}dynttl,olcDatabase={1}mdb,cn=config\nchangetype: modify\nreplace: olcDynTTLMaxEntries\nolcDynTTLMaxEntries: 10\n-\nreplace: olcDynTTLDefault\nolcDynTTLDefault: 10m\n' | ldapmodify -x -H $URI -D cn=config -w config"
check "... the new cap admits a fourth" dyn d5
check "... and the new default TTL (10m) applies" between "$(ttl cn=d5,dc=example,dc=com)" 595 600
expect_rc 80 "a TTL keyword with a bad value is refused" sh -c \
	"printf 'dn: olcOverlay={1}dynttl,olcDatabase={1}mdb,cn=config\nchangetype: modify\nreplace: olcDynTTLMax\nolcDynTTLMax: forever\n' | ldapmodify -x -H $URI -D cn=config -w config"
check "the config reads back in time units" sh -c \
	"ldapsearch -x -LLL -H $URI -D cn=config -w config -b 'olcOverlay={1}dynttl,olcDatabase={1}mdb,cn=config' olcDynTTLDefault | grep -qx 'olcDynTTLDefault: 10m'"
OVL='olcOverlay={1}dynttl,olcDatabase={1}mdb,cn=config'
check "olcDynTTLPersistDelay reads back as 1s by default" sh -c \
	"ldapsearch -x -LLL -H $URI -D cn=config -w config -b '$OVL' olcDynTTLPersistDelay | grep -qx 'olcDynTTLPersistDelay: 1s'"
check "olcDynTTLPersistDelay set to 0 at run time: refreshes are written at once" sh -c \
	"printf 'dn: $OVL\nchangetype: modify\nreplace: olcDynTTLPersistDelay\nolcDynTTLPersistDelay: 0\n' | ldapmodify -x -H $URI -D cn=config -w config"
expect_rc 80 "olcDynTTLPersistDelay above 1h is refused" sh -c \
	"printf 'dn: $OVL\nchangetype: modify\nreplace: olcDynTTLPersistDelay\nolcDynTTLPersistDelay: 2h\n' | ldapmodify -x -H $URI -D cn=config -w config"
ldapexop -x -H "$URI" $ADM refresh cn=d5,dc=example,dc=com 900 >/dev/null
crash_slapd
start_slapd -F "$T/slapd.d" || exit 1
check "with delay 0 a refresh survives kill -9 right after it" between "$(ttl cn=d5,dc=example,dc=com)" 890 900
check "slapd is still running" alive
finish
