# t-attack.sh - hostile input against today's features: PTLib's list
# splitting (sport, sprotid) with odd values, and ils-cnconfig with paths
# that slapd's cn=config would split into words (blanks)
. "$(dirname "$0")/lib.sh"

# ---- list splitting: every odd value gets its own result, slapd lives ----
CONF=$(ils_conf "$T/d")
uncapped "$CONF"
start_slapd -f "$CONF" || exit 1
vals() {
	lsearch -b "$(dn "$1")" -s base "$2" > "$T/vals.out" || return 1
	sed -n "s/^$2:: *//p; s/^$2: //p" "$T/vals.out" | tr '\n' ,
}
b64() { printf "$1" | base64 -w0; }
spaces=$(head -c 3000 /dev/zero | tr '\0' ' ')
expect_rc 19 "sport \"1503<3000 blanks>1720\": longer than ils-max-value-length" ldif_add \
	"$(dn blanks@x)" "objectClass: rtPerson" "cn: blanks@x" "sport: 1503${spaces}1720"
check "sport with NUL bytes \"1503\\\\0 1720 \\\\0\"" ldif_add "$(dn nul@x)" "objectClass: rtPerson" \
	"cn: nul@x" "sport:: $(b64 '1503\000 1720 \000')"
check "... is split on the blanks only, NULs kept" test "$(vals nul@x sport)" = \
	"$(b64 '1503\000'),1720,$(b64 '\000'),"
{ printf 'dn: %s\nobjectClass: rtPerson\ncn: lists@x\n' "$(dn lists@x)"
  for i in $(seq 1 40); do printf 'sport: %d %d\n' "$i" $((i + 1000)); done; } > "$T/lists.ldif"
expect_rc 11 "40 sport values of two ports each: more than ils-max-values after the split" \
	ldapadd -x -H "$URI" -f "$T/lists.ldif"
check "sprotid \"t120h323h323t120\" and \"T120\"" ldif_add "$(dn dup@x)" "objectClass: rtPerson" \
	"cn: dup@x" "sprotid: t120h323h323t120" "sprotid: T120"
check "... collapses to two protocols, as first written" test "$(vals dup@x sprotid)" = "t120,h323,"
expect_rc 21 "sport with a non-ASCII byte is invalidSyntax" ldif_add "$(dn na@x)" \
	"objectClass: rtPerson" "cn: na@x" "sport:: $(b64 '1503 17\351')"
check "slapd still runs" alive
stop_slapd

# ---- ils-cnconfig: paths with blanks and quotes ----
mkdir -p "$T/cfg"
cat > "$T/c.ldif" <<LDIF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $T/cn.pid

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file://$SCHEMADIR/core.ldif

include: file://$SCHEMADIR/cosine.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: to * by dn.exact=gidNumber=$(id -g)+uidNumber=$(id -u),cn=peercred,cn=external,cn=auth manage by * none
LDIF
check "a cn=config for ils-cnconfig (slapadd)" slapadd -n0 -F "$T/cfg" -l "$T/c.ldif"
LDAPI="ldapi://$(printf %s "$T/ldapi" | sed 's|/|%2F|g')"
PORT= SLAPD_MORE_URLS=$LDAPI start_slapd -F "$T/cfg" || exit 1
W="$T/my ils dir"
mkdir -p "$W/mod" "$W/schema"
cp "$BUILD/.libs/back_ils.so" "$BUILD/.libs/dynttl.so" "$W/mod/"
cp "$TOP/schema/ils.ldif" "$W/schema/"
cnconfig() { "$TOP/scripts/ils-cnconfig" -H "$LDAPI" -d "$W/data" -u "$(id -un)" -m "$W/mod" -s "$W/schema"; }
check "ils-cnconfig with blanks in -d and -m" cnconfig
check "... the database opened in that folder" test -f "$W/data/data.mdb"
check "... and takes a registration" ldif_add "$(dn cnc@x)" "objectClass: rtPerson" "cn: cnc@x" "sflags: 1"
cnconfig > "$T/cnc2.out" 2>&1
check "a second run has nothing to change" grep -qx 'ils-cnconfig: nothing to change' "$T/cnc2.out"
expect_rc 1 "a -d path with a quote is refused" "$TOP/scripts/ils-cnconfig" -H "$LDAPI" \
	-d "$T/a\"b" -u "$(id -un)" -m "$W/mod" -s "$W/schema"
expect_rc 1 "a -d path with a line break is refused" "$TOP/scripts/ils-cnconfig" -H "$LDAPI" \
	-d "$T/a
olcAccess: to * by * manage" -u "$(id -un)" -m "$W/mod" -s "$W/schema"
finish
