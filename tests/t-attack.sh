# t-attack.sh - hostile input against today's features: PTLib's list
# splitting (sport, sprotid) with odd values; cn=Monitor read by anonymous
# clients while cn=config deletes what registered its counters; ils-web
# and one address holding many idle connections; and ils-cnconfig with paths that slapd's cn=config would split into words
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
modify() { printf 'dn: %s\nchangetype: modify\n%s\n' "$1" "$2" | lmodify > /dev/null; }
check "a registration with sport \"1503 1720 5060\" and sprotid \"t120h323\"" ldif_add "$(dn del@x)" \
	"objectClass: rtPerson" "cn: del@x" "sport: 1503 1720 5060" "sprotid: t120h323"
check "a Modify delete of sport \"1503 1720\", the list as written" modify "$(dn del@x)" \
	"$(printf 'delete: sport\nsport: 1503 1720')"
check "... deletes both ports, 5060 stays" test "$(vals del@x sport)" = 5060,
check "a Modify delete of sprotid \"t120h323\" and of sport \"9 5060\"" modify "$(dn del@x)" \
	"$(printf 'delete: sprotid\nsprotid: t120h323\n-\ndelete: sport\nsport: 9 5060')"
check "... leaves neither" test "$(vals del@x sprotid)$(vals del@x sport)" = ""
check "slapd still runs" alive
stop_slapd

# ---- cn=Monitor read by anonymous clients while cn=config deletes the
# overlay and the database that register its counters ----
mkdir -p "$T/m/ils" "$T/m/slapd.d"
{
	config_ldif | sed "s|^olcModuleLoad: .*|&\nolcModuleLoad: $BUILD/dynttl.la|"
	ils_db_ldif "$T/m/ils" \
		'olcRootDN: cn=admin,o=Intranet' \
		'olcAccess: to * by dynacl/ils-owner write by * read' \
		'olcIlsMaxPerAddress: 0' \
		'olcIlsMaxPerMinute: 0'
	echo; dynttl_ovl_ldif
	echo
	cat <<LDIF
dn: olcDatabase={2}monitor,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {2}monitor
olcAccess: to * by * read
LDIF
} > "$T/m/config.ldif"
"$SLAPD" -VVV 2>&1 | sed -n '/static backends/,/^$/p' | grep -qw monitor ||
	sed -i "s|^olcModuleLoad: .*dynttl.la|&\nolcModuleLoad: back_monitor|" "$T/m/config.ldif"
check "a cn=config with back-ils, dynttl and the monitor database" \
	slapadd -n0 -F "$T/m/slapd.d" -l "$T/m/config.ldif"
PORT= start_slapd -F "$T/m/slapd.d" || exit 1
CFG="-D cn=config -w config"
for i in $(seq 1 200); do echo "dn: $(dn m$i@x)"; echo "objectClass: rtPerson"; echo "cn: m$i@x"; echo; done > "$T/m/users.ldif"
check "200 registrations" ldapadd -x -H "$URI" -f "$T/m/users.ldif"
readers=
for r in 1 2 3 4; do
	( i=0; while [ $i -lt 150 ]; do
		ldapsearch -x -H "$URI" -b cn=Monitor '(objectClass=*)' + > /dev/null 2>&1
		i=$((i + 1)); done ) &
	readers="$readers $!"
done
( i=0; while [ $i -lt 150 ]; do
	ldapsearch -x -H "$URI" -b "$(dn m$((i % 200 + 1))@x)" -s base > /dev/null 2>&1
	i=$((i + 1)); done ) &
readers="$readers $!"
sleep 1
check "cn=config deletes the overlay while cn=Monitor is read" \
	ldapdelete -x -H "$URI" $CFG "olcOverlay={0}dynttl,olcDatabase={1}ils,cn=config"
check "... and then the ILS database" ldapdelete -x -H "$URI" $CFG "olcDatabase={1}ils,cn=config"
wait $readers
check "slapd is alive and cn=Monitor answers" eval \
	"kill -0 $SPID && ldapsearch -x -H $URI -b cn=Databases,cn=Monitor -s sub '(objectClass=*)' + >/dev/null"
check "no olmIls or olmDynTTL counter is left" eval \
	"! ldapsearch -x -LLL -H $URI -b cn=Monitor '(objectClass=*)' + | grep -q '^olm\(Ils\|DynTTL\)'"
p=$SPID; SPID=
kill "$p"
check "slapd stops with exit status 0" wait "$p"

# ---- ils-web: one address that opens many connections and sends
# nothing locks nobody else out ----
if [ -x "$BUILD/web/ils-web" ]; then
	CONF=$(ils_conf "$T/w")
	PORT= start_slapd -f "$CONF" || exit 1
	WPORT=$(free_port)
	"$BUILD/web/ils-web" -H "$URI" -l "127.0.0.1:$WPORT" > "$T/web.log" 2>&1 &
	WP=$!
	i=0
	while [ $i -lt 100 ] && ! curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$WPORT/x"; do
		sleep 0.1; i=$((i + 1))
	done
	python3 - "$WPORT" > "$T/hold.out" <<'PY'
import socket, subprocess, sys, time
port = int(sys.argv[1])
held = []
for i in range(100):
    try:
        held.append(socket.create_connection(('127.0.0.1', port), timeout=2,
            source_address=('127.0.0.2', 0)))
    except OSError:
        break
time.sleep(1)
open_ = 0
for s in held:
    s.setblocking(False)
    try:
        open_ += s.recv(1) != b''
    except BlockingIOError:
        open_ += 1
    except OSError:
        pass
print(open_)
for i in range(5):
    r = subprocess.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}',
        '--max-time', '10', 'http://127.0.0.1:%d/healthz' % port],
        capture_output=True, text=True)
    print(r.stdout)
PY
	check "one address that opens 100 idle connections keeps at most 8" \
		test "$(head -1 "$T/hold.out")" -le 8
	check "... and another address is served meanwhile" \
		test "$(sed 1d "$T/hold.out" | sort -u)" = 200
	kill "$WP"
	check "ils-web stops with exit status 0" wait "$WP"
	stop_slapd
else
	nok "ils-web built ($BUILD/web/ils-web)"
fi

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
