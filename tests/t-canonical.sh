# t-canonical.sh - every write reaches the overlays of the ils database
# under its canonical DN, whatever spelling the client used: NetMeeting's
# reversed pseudo-DN, PTLib's, GnomeMeeting's and the Dialer's, read back
# from an auditlog and an accesslog (into a back-mdb log database) stacked
# above slapo-dynttl; the Dialer's cascades (its application user's Delete
# after the person's, the join of the application data into the person)
# are operations of their own there, run as the requester (they remove no
# application user the requester may not write), and slapo-dynttl's index
# keeps no node of an entry that is gone.  Then the same with an auditlog that
# cn=config adds at run time, on top of the stack.
. "$(dirname "$0")/lib.sh"
DIALER='egruber]w2kils.testdomain.int'
APPDN="cn=$DIALER,appName=MS-NetMeeting,ou=Applications,o=Intranet"
PDN="cn=$DIALER,ou=Dynamic,o=Intranet"
AUDIT=$T/audit.ldif

# the monitor backend is built into Debian's slapd; load it where not
monitor_module() {
	"$SLAPD" -VVV 2>&1 | sed -n '/static backends/,/^$/p' | grep -qw monitor ||
		echo "moduleload back_monitor"
}

# records FILE: one line per auditlog record, "changetype<TAB>dn<TAB>the
# attribute types its changes name"
records() {
	awk 'BEGIN { OFS = "\t" }
		/^dn: / { dn = substr( $0, 5 ); ct = ""; mods = "" }
		/^changetype: / { ct = $2 }
		/^(add|delete|replace): / { mods = mods " " tolower( $2 ) }
		/^# end / { print ct, dn, mods }' "$1"
}
# not_canonical FILE: the DNs of FILE's records that are no canonical
# registration name, as written or normalised (slapo-dynttl writes its
# refreshes under the normalised one), printed; the status says whether
# there are any
not_canonical() {
	records "$1" | cut -f2 |
		grep -Evi '^(cn|uid)=[^,]*,(ou=Dynamic,o=Intranet|appName=MS-NetMeeting,ou=Applications,o=Intranet)$'
}
# has FILE TYPE DN [ATTR]: a record of TYPE on DN (naming ATTR)
has() {
	records "$1" | awk -F '\t' -v t="$2" -v d="$3" -v a="${4:-}" '
		$1 == t && $2 == d && ( a == "" || index( $3, " " tolower( a ) ) ) { n++ }
		END { exit !n }'
}
# count FILE TYPE DN: how many records of TYPE on DN
count() { records "$1" | awk -F '\t' -v t="$2" -v d="$3" '$1 == t && $2 == d { n++ } END { print n + 0 }'; }

# live: olmIlsLive and olmDynTTLLive of the ILS database, "N M"
live() {
	lsearch -b cn=Databases,cn=Monitor -s sub \
		'(|(objectClass=olmIlsDatabase)(objectClass=olmDynTTLOverlay))' olmIlsLive olmDynTTLLive |
		awk '/^olmIlsLive: / { s = $2 } /^olmDynTTLLive: / { d = $2 } END { print s, d }'
}

echo "# 1. slapd.conf: dynttl, then accesslog and auditlog configured above it"
CONF=$(ILS_TTL_MIN=1s ils_conf "$T/a")
uncapped "$CONF"
sed -i 's|^rootdn .*|&\nrootpw    secret|' "$CONF"
mkdir "$T/log"
{
	monitor_module
	echo "moduleload back_mdb"
	echo "moduleload accesslog"
	echo "moduleload auditlog"
	printf 'database mdb\nsuffix cn=accesslog\ndirectory %s\nrootdn cn=admin,cn=accesslog\n' "$T/log"
	printf 'access to * by * read\n'
} > "$T/pre.conf"
# the modules and the log database before the ILS database
python3 - "$CONF" "$T/pre.conf" <<'PY'
import sys
conf, pre = open(sys.argv[1]).read(), open(sys.argv[2]).read()
i = conf.index('\ndatabase  ils')
open(sys.argv[1], 'w').write(conf[:i] + '\n' + pre + conf[i:])
PY
cat >> "$CONF" <<CONF
overlay accesslog
logdb cn=accesslog
logops writes
logsuccess TRUE
overlay auditlog
auditlog $AUDIT
database monitor
access to * by * read
CONF
check "slapd.conf holds the log database before the ILS database" sh -c \
	"grep -n '^database' '$CONF' | tr '\n' ' ' | grep -q 'mdb.*ils.*monitor'"
start_slapd -f "$CONF" || exit 1

echo "# NetMeeting: register, keep-alive, leave, by its reversed DN"
wire register nm1@example.org
wire keepalive nm1@example.org
wire unregister nm1@example.org
echo "# PTLib and GnomeMeeting"
wire ptlib pt@example.org
wire -L gnome gm@example.org
check "an LDAPv3 Add under PTLib's DN form" \
	ldif_add "cn=v3@example.org, objectClass=RTPerson" "cn: v3@example.org" "sipaddress: 16777343"
echo "# the Dialer; its application user again, with a port its person lacks; the person's Delete"
wire tapi "$DIALER"
check "an Add of the application user with port 1731 (the person exists)" \
	ldif_add "cn=$DIALER,appName=MS-NetMeeting,ou=applications,o=intranet" \
	"objectClass: rtApplicationUser" "applicationID: ms-netmeeting" "port: 1731"
check "the person shows the port" sh -c \
	"ldapsearch -x -LLL -H '$URI' -b '$PDN' -s base port | grep -qx 'port: 1731'"
check "Delete of the Dialer's person, in lower case" \
	ldapdelete -x -H "$URI" "cn=$DIALER,ou=dynamic,o=intranet"
check "its application user is gone too" gone "$APPDN"

check "the auditlog has records" test -s "$AUDIT"
if bad=$(not_canonical "$AUDIT"); then
	nok "every DN in the auditlog is canonical: not $(echo "$bad" | sort -u | tr '\n' ';')"
else
	ok "every DN in the auditlog is canonical"
fi
check "NetMeeting's Add is logged under cn=nm1@example.org,ou=Dynamic,o=Intranet" \
	has "$AUDIT" add "cn=nm1@example.org,ou=Dynamic,o=Intranet"
check "... its Add carries its cn as its naming attribute" sh -c \
	"grep -A40 '^dn: cn=nm1@example.org,ou=Dynamic,o=Intranet' '$AUDIT' | grep -qix 'cn: nm1@example.org'"
check "... and its Delete too" has "$AUDIT" delete "cn=nm1@example.org,ou=Dynamic,o=Intranet"
check "PTLib's Add is logged canonical" has "$AUDIT" add "cn=pt@example.org,ou=Dynamic,o=Intranet"
check "GnomeMeeting's Add is logged canonical" has "$AUDIT" add "cn=gm@example.org,ou=Dynamic,o=Intranet"
check "the LDAPv3 Add under PTLib's form is logged canonical" \
	has "$AUDIT" add "cn=v3@example.org,ou=Dynamic,o=Intranet"
check "the Dialer's application user's Add is logged canonical" has "$AUDIT" add "$APPDN"
check "the join is a Modify of its own of the person, adding the port" \
	has "$AUDIT" modify "$PDN" port
check "the person's Delete is logged canonical (not as the client spelled it)" \
	has "$AUDIT" delete "$PDN"
check "the application user's Delete is a record of its own" has "$AUDIT" delete "$APPDN"
check "... once" test "$(count "$AUDIT" delete "$APPDN")" = 1

lsearch -b cn=accesslog '(objectClass=auditWriteObject)' reqType reqDN > "$T/acc.out"
check "the accesslog has write records" grep -q '^reqDN: ' "$T/acc.out"
check "every reqDN in the accesslog is a canonical (normalised) name" sh -c \
	"! sed -n 's/^reqDN: //p' '$T/acc.out' | grep -Evi '^(cn|uid)=[^,]*,(ou=dynamic,o=intranet|appname=ms-netmeeting,ou=applications,o=intranet)\$'"
check "the accesslog has the application user's Delete" sh -c \
	"grep -B1 -A1 -i '^reqDN: cn=egruber\\\\5dw2kils.testdomain.int,appname=ms-netmeeting,ou=applications,o=intranet\$\\|^reqDN: cn=egruber]w2kils.testdomain.int,appname=ms-netmeeting' '$T/acc.out' | grep -q '^reqType: delete'"

# the TTL index: a node for every stored registration, none more
echo "# the cascade is the requester's: it removes no application user they may not write"
OWN=own]host.example.org
check "an anonymous client registers the Dialer's person $OWN" \
	ldif_add "cn=$OWN,ou=Dynamic,o=Intranet" "objectClass: rtPerson" "sipaddress: 16777343"
check "the rootdn adds its application user (the rootdn's own)" sh -c \
	"printf 'dn: cn=$OWN,appName=MS-NetMeeting,ou=Applications,o=Intranet\nobjectClass: rtApplicationUser\nport: 1732\n' |
	 ldapadd -x -H '$URI' -D cn=admin,o=Intranet -w secret"
check "the person's owner deletes the person" ldapdelete -x -H "$URI" "cn=$OWN,ou=Dynamic,o=Intranet"
check "... and the rootdn's application user stays" test \
	"$(nentries -b "cn=$OWN,appName=MS-NetMeeting,ou=Applications,o=Intranet" -s base)" = 1
check "the rootdn removes it" ldapdelete -x -H "$URI" -D cn=admin,o=Intranet -w secret \
	"cn=$OWN,appName=MS-NetMeeting,ou=Applications,o=Intranet"

L=$(live)
check "slapo-dynttl's index has as many nodes as the store has registrations ($L)" \
	sh -c "set -- $L; [ -n \"\$1\" ] && [ \"\$1\" = \"\$2\" ]"
check "... three: PTLib's, GnomeMeeting's and the LDAPv3 one" test "$L" = "3 3"
stop_slapd

echo "# 2. cn=config: an auditlog added at run time goes on top of the stack"
config_ldif > "$T/c.ldif"
mkdir "$T/c" "$T/c.d" "$T/c.log"
cat >> "$T/c.ldif" <<LDIF
dn: cn=module{1},cn=config
objectClass: olcModuleList
cn: module{1}
olcModuleLoad: $BUILD/dynttl.la
olcModuleLoad: auditlog

dn: olcDatabase={1}ils,cn=config
objectClass: olcDatabaseConfig
objectClass: olcIlsConfig
olcDatabase: {1}ils
olcSuffix: o=Intranet
olcSuffix: objectClass=rtPerson
olcDbDirectory: $T/c
olcAccess: {0}to * by * write

dn: olcOverlay={0}dynttl,olcDatabase={1}ils,cn=config
objectClass: olcOverlayConfig
objectClass: olcDynTTLConfig
olcOverlay: {0}dynttl
olcDynTTLAll: TRUE
LDIF
check "slapadd -n0 of the configuration" "${SLAPADD:-/usr/sbin/slapadd}" -n0 -F "$T/c.d" -l "$T/c.ldif"
start_slapd -F "$T/c.d" || exit 1
AUDIT2=$T/c.log/audit.ldif
check "cn=config adds an auditlog overlay to the running ILS database" sh -c \
	"printf 'dn: olcOverlay=auditlog,olcDatabase={1}ils,cn=config\nobjectClass: olcOverlayConfig\nobjectClass: olcAuditlogConfig\nolcOverlay: auditlog\nolcAuditlogFile: %s\n' '$AUDIT2' |
	 ldapadd -x -H '$URI' -D cn=config -w config"
wire register nm2@example.org
wire unregister nm2@example.org
wire tapi "$DIALER"
check "Delete of the Dialer's person" ldapdelete -x -H "$URI" "$PDN"
check "the run-time auditlog has records" test -s "$AUDIT2"
if bad=$(not_canonical "$AUDIT2"); then
	nok "every DN in the run-time auditlog is canonical: not $(echo "$bad" | sort -u | tr '\n' ';')"
else
	ok "every DN in the run-time auditlog is canonical"
fi
check "NetMeeting's Add is logged canonical" has "$AUDIT2" add "cn=nm2@example.org,ou=Dynamic,o=Intranet"
check "... and its Delete" has "$AUDIT2" delete "cn=nm2@example.org,ou=Dynamic,o=Intranet"
check "the application user's Delete is a record of its own there too" has "$AUDIT2" delete "$APPDN"
finish
