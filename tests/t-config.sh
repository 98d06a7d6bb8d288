# t-config.sh - cn=config: the LDIF schema, olcIlsConfig, run-time changes
. "$(dirname "$0")/lib.sh"

check "schema/ils.ldif is what scripts/schema2ldif makes of ils.schema" \
	sh -c "'$TOP/scripts/schema2ldif' | cmp - '$TOP/schema/ils.ldif'"

mkdir -p "$T/slapd.d" "$T/ils"
{ config_ldif; ils_db_ldif "$T/ils" \
		'olcAccess: to attrs=ilsOwnerAddress,ilsOwnerDN by * none' \
		'olcAccess: to * by dynacl/ils-owner write by * read' \
		'olcIlsMaxValueLength: 100' \
		'olcIlsCheckpoint: 2' \
		'olcIlsMapHighWater: 80'; } > "$T/config.ldif"
check "slapadd -n0 builds a cn=config with an ils database" \
	"$SLAPD" -Ta -n0 -F "$T/slapd.d" -l "$T/config.ldif"
start_slapd -F "$T/slapd.d" || exit 1
check "the ils database serves NetMeeting's DN" ldif_add \
	"c=-,o=Microsoft, cn=cfg@example.org, objectClass=rtPerson" "comment: $(head -c 100 /dev/zero | tr '\0' y)"
expect_rc 19 "olcIlsMaxValueLength 100 is enforced" ldif_add \
	"cn=cfg2@example.org,objectClass=rtPerson" "comment: $(head -c 101 /dev/zero | tr '\0' y)"
check "the ownership ACL reads back" sh -c \
	"ldapsearch -x -LLL -o ldif-wrap=no -H $URI -D cn=config -w config -b 'olcDatabase={1}ils,cn=config' olcAccess | grep -qx 'olcAccess: {1}to \* by dynacl/ils-owner write by \* read'"
expect_rc 50 "... and holds: another address cannot delete the registration" \
	env LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 ldapdelete -x -H "$URI" "cn=cfg@example.org,ou=Dynamic,o=Intranet"
check "the config reads back" sh -c \
	"ldapsearch -x -LLL -H $URI -D cn=config -w config -b 'olcDatabase={1}ils,cn=config' olcIlsMaxValueLength olcDbDirectory | grep -qx 'olcIlsMaxValueLength: 100'"
check "olcIlsMaxValueLength changes at run time" sh -c \
	"printf 'dn: olcDatabase={1}ils,cn=config\nchangetype: modify\nreplace: olcIlsMaxValueLength\nolcIlsMaxValueLength: 200\n' | ldapmodify -x -H $URI -D cn=config -w config"
check "... and the new limit applies at once" ldif_add \
	"cn=cfg2@example.org,objectClass=rtPerson" "comment: $(head -c 150 /dev/zero | tr '\0' y)"
expect_rc 80 "a non-positive limit is refused" sh -c \
	"printf 'dn: olcDatabase={1}ils,cn=config\nchangetype: modify\nreplace: olcIlsMaxValues\nolcIlsMaxValues: 0\n' | ldapmodify -x -H $URI -D cn=config -w config"
expect_rc 80 "the directory cannot move while open" sh -c \
	"printf 'dn: olcDatabase={1}ils,cn=config\nchangetype: modify\nreplace: olcDbDirectory\nolcDbDirectory: /tmp/elsewhere\n' | ldapmodify -x -H $URI -D cn=config -w config"
stop_slapd
start_slapd -F "$T/slapd.d" || exit 1
check "the run-time change persisted in slapd.d" sh -c \
	"ldapsearch -x -LLL -H $URI -D cn=config -w config -b 'olcDatabase={1}ils,cn=config' olcIlsMaxValueLength | grep -qx 'olcIlsMaxValueLength: 200'"
check "olcIlsCheckpoint and olcIlsMapHighWater from the LDIF persisted" sh -c \
	"ldapsearch -x -LLL -H $URI -D cn=config -w config -b 'olcDatabase={1}ils,cn=config' olcIlsCheckpoint olcIlsMapHighWater | grep -c -x -e 'olcIlsCheckpoint: 2' -e 'olcIlsMapHighWater: 80' | grep -qx 2"
check "registrations persisted too" sh -c \
	"ldapsearch -x -LLL -H $URI -b ou=Dynamic,o=Intranet -s one 1.1 | grep -c '^dn:' | grep -qx 2"
stop_slapd

# slapd.conf: bad keyword values stop slaptest with a message.  The same
# file without them passes, so a refusal is the keyword's, not any other
# failure's: slaptest must fail and name the keyword and what is wrong.
CONF=$(ils_conf "$T/conf")
check "slaptest accepts the default configuration" "$SLAPD" -Tt -f "$CONF"
# refused LINE MESSAGE: slaptest fails on the configuration with LINE, saying MESSAGE
refused() {
	{ cat "$CONF"; echo "$1"; } > "$T/bad.conf"
	"$SLAPD" -Tt -f "$T/bad.conf" > "$T/slaptest.out" 2>&1 && { echo "slaptest passed"; return 1; }
	grep -F "$2" "$T/slaptest.out" || { cat "$T/slaptest.out"; return 1; }
}
check "slaptest refuses ils-max-values -3" refused "ils-max-values -3" "<ils-max-values> must be a positive number"
check "slaptest refuses a tiny ils-mapsize" refused "ils-mapsize 10" "<ils-mapsize> must be at least 1048576"
finish
