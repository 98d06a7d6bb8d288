# t-monitor.sh - the cn=Monitor counters of back-ils and slapo-dynttl
# (slapd-ils(5) and slapo-dynttl(5), MONITORING): read with ldapsearch
# before, during and after a load, each moving by exactly what the load and
# the single requests did; in slapd.conf and cn=config, over back-ils and
# back-mdb; taken back when cn=config deletes the overlay; nothing without
# the monitor database.
. "$(dirname "$0")/lib.sh"
LOAD=$BUILD/bench/ilsload

# the monitor backend is built into Debian's slapd; load it where not
monitor_module() {
	"$SLAPD" -VVV 2>&1 | sed -n '/static backends/,/^$/p' | grep -qw monitor ||
		echo "moduleload back_monitor"
}
monitor_db() { printf 'database monitor\naccess to * by * read\n'; }

# snap NAME: the counters of the ILS database's entry under
# cn=Databases,cn=Monitor and of its overlay's under that (in each slapd
# here one database has them), as "attribute value" lines
MONF='(objectClass=olmIlsDatabase)'
snap() {
	lsearch -b cn=Databases,cn=Monitor -s sub '(|(objectClass=olmIlsDatabase)(objectClass=olmDynTTLOverlay))' + |
		sed -n 's/^\(olm[A-Za-z]*\): \([0-9][0-9]*\)$/\1 \2/p' > "$T/snap.$1"
}
val() { awk -v a="$2" '$1 == a { print $2 }' "$T/snap.$1"; }
# moved FROM TO ATTR N: ATTR grew by exactly N from snapshot FROM to TO
moved() {
	f=$(val "$1" "$3"); t=$(val "$2" "$3")
	[ -n "$f" ] && [ -n "$t" ] && [ $((t - f)) -eq "$4" ] && return 0
	echo "$3: $f -> $t, expected +$4"; return 1
}
# is SNAP ATTR N: ATTR is N in SNAP
is() { [ "$(val "$1" "$2")" = "$3" ] || { echo "$2 is '$(val "$1" "$2")', expected $3"; return 1; }; }
# stopped_clean: slapd stops on SIGTERM and exits 0 (back-monitor frees
# the monitor entries' callbacks as slapd ends)
stopped_clean() { p=$SPID; SPID=; kill "$p"; wait "$p"; }
from2() { LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 "$@"; }
# ops LOGFILE: the ops= and errors= of an ilsload RESULT line
ops() { sed -n 's/.* ops=\([0-9]*\) .* errors=\([0-9]*\) misses=\([0-9]*\) .*/\1 \2 \3/p' "$1"; }

echo "# 1. back-ils + dynttl in slapd.conf, with the monitor database"
CONF=$(ILS_TTL_MIN=1s ils_conf "$T/a")
uncapped "$CONF"	# the load comes from 127.0.0.1
monitor_module > "$T/mod.conf"
sed -i "/^moduleload .*dynttl.la/r $T/mod.conf" "$CONF"
monitor_db >> "$CONF"	# after the ILS database, as doc/monitoring.md adds it
start_slapd -f "$CONF" || exit 1

snap s0
check "the ILS database's monitor entry has every olmIls counter" eval \
	"[ \$(grep -c '^olmIls' $T/snap.s0) -eq 20 ]"
check "... and its overlay's entry under it every olmDynTTL counter" eval \
	"lsearch -b cn=Databases,cn=Monitor -s sub '(objectClass=olmDynTTLOverlay)' 1.1 | grep -q '^dn: cn=Overlay 0,cn=Database [0-9]*,cn=Databases,cn=Monitor\$'"
check "... 17 of them" eval \
	"[ \$(grep -c '^olmDynTTL' $T/snap.s0) -eq 17 ]"
check "they start at 0, the map at its configured 4 GiB" eval \
	"is s0 olmIlsAdds 0 && is s0 olmIlsLive 0 && is s0 olmDynTTLLive 0 && is s0 olmIlsMapSize 4294967296 && is s0 olmIlsMapHighWater 90"
check "the counters are operational: not in a plain read of the entry" eval \
	"! lsearch -b cn=Databases,cn=Monitor -s one '$MONF' '*' | grep -q '^olmIls'"
check "the olmIlsDatabase class marks the entry of the database that has o=Intranet" eval \
	"lsearch -b cn=Databases,cn=Monitor -s one '$MONF' namingContexts | grep -qix 'namingContexts: o=Intranet'"

# a load: 300 NetMeeting registrations
"$LOAD" -p "$PORT" -n 300 -k 300 -c 2 -q register > "$T/reg.log" 2>&1; LRC=$?
snap s1
check "ilsload registered 300 without errors" eval "[ $LRC -eq 0 ] && [ \"\$(ops $T/reg.log)\" = '300 0 0' ]"
check "olmIlsAdds and olmDynTTLAdds grew by 300, olmIlsModifies by 300 (T1's Modify)" eval \
	"moved s0 s1 olmIlsAdds 300 && moved s0 s1 olmDynTTLAdds 300 && moved s0 s1 olmIlsModifies 300"
check "300 live NetMeeting registrations, in the store and the overlay's index" eval \
	"is s1 olmIlsLive 300 && is s1 olmIlsLiveNetMeeting 300 && is s1 olmDynTTLLive 300"
DBN=$(lsearch -b cn=Databases,cn=Monitor -s one "$MONF" 1.1 | sed -n 's/^dn: cn=Database \([0-9]*\),.*/\1/p')
check "ils-metrics: a Prometheus sample per counter, with its value" eval \
	"$TOP/scripts/ils-metrics -x -H $URI > $T/prom && [ \$(wc -l < $T/prom) -eq 37 ] && grep -qx 'olmIlsAdds{database=\"$DBN\",suffix=\"o=Intranet\"} 300' $T/prom && grep -qx 'olmDynTTLLive{database=\"$DBN\",suffix=\"o=Intranet\"} 300' $T/prom"
check "ils-metrics -f influx: one line of 37 integer fields for Telegraf" eval \
	"$TOP/scripts/ils-metrics -f influx -x -H $URI > $T/influx && [ \$(wc -l < $T/influx) -eq 1 ] && grep -q '^slapd_monitor,database=$DBN,suffix=o\\\\=Intranet olmIlsAdds=300i,' $T/influx && [ \$(tr , '\\n' < $T/influx | grep -c '=[0-9]*i\$') -eq 37 ]"
check "the map holds more than before" eval "[ $(val s1 olmIlsMapUsed) -gt $(val s0 olmIlsMapUsed) ]"

# keep-alives for 4 s, read once a second meanwhile
"$LOAD" -p "$PORT" -n 300 -c 2 -d 4 -q keepalive > "$T/ka.log" 2>&1 &
LPID=$!
i=0; while [ $i -lt 3 ] && kill -0 $LPID 2>/dev/null; do sleep 1; snap "k$i"; i=$((i + 1)); done
wait $LPID; LRC=$?
snap s2
set -- $(ops "$T/ka.log")
KA=${1:-0}
check "ilsload sent $KA keep-alives without errors" eval "[ $LRC -eq 0 ] && [ $KA -gt 0 ] && [ '${2:-x}' = 0 ] && [ '${3:-x}' = 0 ]"
check "olmDynTTLKeepAliveSearch and olmDynTTLRefreshes grew by exactly those $KA" eval \
	"moved s1 s2 olmDynTTLKeepAliveSearch $KA && moved s1 s2 olmDynTTLRefreshes $KA"
check "read during the load, the keep-alives had begun and not ended" eval \
	"v=\$(val k0 olmDynTTLKeepAliveSearch); [ -n \"\$v\" ] && [ \$v -gt $(val s1 olmDynTTLKeepAliveSearch) ] && [ \$v -lt $(val s2 olmDynTTLKeepAliveSearch) ]"
check "... and only grew from read to read" eval \
	"a=$(val s1 olmDynTTLKeepAliveSearch); for s in k0 k1 k2 s2; do [ -f $T/snap.\$s ] || continue; b=\$(val \$s olmDynTTLKeepAliveSearch); [ \$b -ge \$a ] || exit 1; a=\$b; done"
check "keep-alives store nothing: olmIlsAdds and olmIlsLive unchanged" eval \
	"moved s1 s2 olmIlsAdds 0 && is s2 olmIlsLive 300"
i=0; while [ $i -lt 50 ]; do snap w; [ "$(val w olmDynTTLPending)" = 0 ] && break; sleep 0.2; i=$((i + 1)); done
check "their new times are written behind: none pending, 1 to $KA writes" eval \
	"is w olmDynTTLPending 0 && w=\$((\$(val w olmDynTTLWrites) - $(val s1 olmDynTTLWrites))) && [ \$w -ge 1 ] && [ \$w -le $KA ]"

# every dialect, and the other keep-alive paths
wire tapi tapi@example.org > "$T/w.log"; check "the Dialer registers (T5, T6)" grep -q '0 failed' "$T/w.log"
snap s3
check "the Dialer: 2 live Dialer registrations, 2 Adds, 4 entryTtl Modifies as keep-alives" eval \
	"is s3 olmIlsLiveDialer 2 && moved s2 s3 olmIlsAdds 2 && moved s2 s3 olmDynTTLKeepAliveModify 4 && moved s2 s3 olmDynTTLAdds 2"
wire gnome gm@example.org > "$T/w.log"; check "GnomeMeeting registers, updates, re-Adds" grep -q '0 failed' "$T/w.log"
snap s4
check "GnomeMeeting: 1 live GnomeMeeting registration; its re-Add is a keep-alive" eval \
	"is s4 olmIlsLiveGnomeMeeting 1 && moved s3 s4 olmDynTTLKeepAliveReAdd 1 && moved s3 s4 olmDynTTLAdds 1"
wire ptlib pt@example.org > "$T/w.log"; check "PTLib registers" grep -q '0 failed' "$T/w.log"
check "an LDAPv3 client with its own sappid registers" ldif_add "$(dn other@example.org)" \
	"objectClass: rtPerson" "cn: other@example.org" "sappid: my-phone" "sipaddress: 16777343"
snap s5
check "PTLib and the other client: 1 each; 305 live in all" eval \
	"is s5 olmIlsLivePTLib 1 && is s5 olmIlsLiveOther 1 && is s5 olmIlsLive 305 && is s5 olmIlsLiveNetMeeting 300"
check "ldapexop refresh" eval "ldapexop -x -H $URI refresh '$(dn other@example.org)' 600 | grep -qx newttl=600"
check "a Modify of entryTtl" eval \
	"printf 'dn: %s\nchangetype: modify\nreplace: entryTtl\nentryTtl: 900\n' '$(dn other@example.org)' | ldapmodify -x -H $URI"
snap s6
check "each counted on its path: one refresh, one Modify keep-alive, two refreshes" eval \
	"moved s5 s6 olmDynTTLKeepAliveRefresh 1 && moved s5 s6 olmDynTTLKeepAliveModify 1 && moved s5 s6 olmDynTTLRefreshes 2"

# refusals, each by its reason
lsearch -b ou=Dynamic,o=Intranet -s one '(cn=*)' cn | sed -n 's/^cn: //p' | head -1 > "$T/first"
NM=$(dn "$(cat "$T/first")")
expect_rc 50 "a second address may not delete a NetMeeting user" from2 ldapdelete -x -H "$URI" "$NM"
expect_rc 32 "a Delete of a name nobody holds" ldapdelete -x -H "$URI" "$(dn nobody@example.org)"
expect_rc 34 "an Add whose name holds a control character" ldif_add \
	"$(printf 'cn=bad\001x,ou=Dynamic,o=Intranet')" "objectClass: rtPerson"
vals=$(i=0; while [ $i -lt 65 ]; do echo "sport: $((1000 + i))"; i=$((i + 1)); done)
expect_rc 11 "an Add with 65 values of one attribute (ils-max-values)" sh -c \
	"printf 'dn: %s\nobjectClass: rtPerson\ncn: big@example.org\n%s\n' '$(dn big@example.org)' '$vals' | ldapadd -x -H $URI"
expect_err 4 "a refresh longer than dynttl-max-ttl" ldapexop -x -H "$URI" refresh "$(dn other@example.org)" 100000
expect_err 32 "a refresh of a name nobody holds" ldapexop -x -H "$URI" refresh "$(dn nobody@example.org)" 60
snap s7
check "olmIlsRefusedOwnership, NoSuchObject, BadInput, Size: 1 each" eval \
	"moved s6 s7 olmIlsRefusedOwnership 1 && moved s6 s7 olmIlsRefusedNoSuchObject 1 && moved s6 s7 olmIlsRefusedBadInput 1 && moved s6 s7 olmIlsRefusedSize 1"
check "olmDynTTLRefusedTTL and olmDynTTLRefusedNoSuchObject: 1 each" eval \
	"moved s6 s7 olmDynTTLRefusedTTL 1 && moved s6 s7 olmDynTTLRefusedNoSuchObject 1"
check "no refusal counted twice, nothing else moved, no errors" eval \
	"moved s6 s7 olmIlsRefusedPerAddress 0 && moved s6 s7 olmIlsRefusedRate 0 && moved s6 s7 olmIlsRefusedMapFull 0 && moved s6 s7 olmIlsAdds 0 && moved s6 s7 olmIlsDeletes 0 && is s7 olmIlsErrors 0 && is s7 olmIlsLive 305"

# expiry: three registrations of 1 s
snap s8
for u in e1 e2 e3; do ldif_add "$(dn $u@example.org)" "objectClass: rtPerson" "cn: $u@example.org" "entryTtl: 1" >/dev/null; done
# (a snapshot reads the two entries one after the other: an expiry may
# fall between, so wait for both counts)
i=0; while [ $i -lt 100 ]; do snap s9; [ $(($(val s9 olmDynTTLExpired) - $(val s8 olmDynTTLExpired))) -ge 3 ] &&
	[ "$(val s9 olmIlsLive)" = 305 ] && break; sleep 0.2; i=$((i + 1)); done
check "the three expire: olmDynTTLExpired +3, olmIlsLive back to 305" eval \
	"moved s8 s9 olmDynTTLExpired 3 && moved s8 s9 olmIlsAdds 3 && is s9 olmIlsLive 305 && is s9 olmDynTTLLive 305"
check "expiry Deletes are the server's: olmIlsDeletes unchanged" moved s8 s9 olmIlsDeletes 0

# the load leaves
"$LOAD" -p "$PORT" -n 300 -k 300 -c 2 -q leave > "$T/leave.log" 2>&1
snap s10
check "ilsload deleted 300: olmIlsDeletes +300, no NetMeeting user left" eval \
	"[ \"\$(ops $T/leave.log)\" = '300 0 0' ] && moved s9 s10 olmIlsDeletes 300 && is s10 olmIlsLiveNetMeeting 0 && is s10 olmIlsLive 5 && is s10 olmDynTTLLive 5"
check "slapd is alive" alive
check "slapd stops cleanly" stopped_clean

echo "# 2. the counters restart with slapd; the live ones are the store's"
start_slapd -f "$CONF" || exit 1
snap s11
check "after a restart: olmIlsAdds 0, olmIlsLive 5, olmDynTTLLive 5" eval \
	"is s11 olmIlsAdds 0 && is s11 olmIlsLive 5 && is s11 olmIlsLiveDialer 2 && is s11 olmDynTTLLive 5"
stop_slapd

echo "# 3. without the monitor database: nothing registers, all works"
CONF2=$(ils_conf "$T/b")
start_slapd -f "$CONF2" || exit 1
wire register plain@example.org > "$T/w.log"; check "NetMeeting registers" grep -q '0 failed' "$T/w.log"
expect_rc 32 "cn=Monitor does not exist" ldapsearch -x -H "$URI" -b cn=Monitor -s base
check "slapd logged no registration failure" eval "! grep -qi 'cannot register' $T/slapd.log"
stop_slapd

echo "# 4. cn=config: caps, and the counters taken back with the overlay and database"
mkdir -p "$T/c/ils" "$T/c/slapd.d"
{
	config_ldif_ils "$T/c/ils" "olcIlsMaxPerAddress: 2" "olcIlsMaxPerMinute: 0"
	cat <<LDIF
dn: olcDatabase={2}monitor,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {2}monitor
olcAccess: to * by * read

LDIF
} > "$T/c/config.ldif"
monitor_module | grep -q . &&
	sed -i "s|^olcModuleLoad: .*dynttl.la|&\nolcModuleLoad: back_monitor|" "$T/c/config.ldif"
check "slapadd -n0 builds it" slapadd -n0 -F "$T/c/slapd.d" -l "$T/c/config.ldif"
start_slapd -F "$T/c/slapd.d" || exit 1
CFG="-D cn=config -w config"
snap c0
check "both sets of counters, on the ILS database's entry and its overlay's" eval \
	"[ \$(grep -c '^olmIls' $T/snap.c0) -eq 20 ] && [ \$(grep -c '^olmDynTTL' $T/snap.c0) -eq 17 ]"
for u in c1 c2 c3; do ldif_add "$(dn $u@example.org)" "objectClass: rtPerson" "cn: $u@example.org" > /dev/null 2>&1; done
snap c1
check "a third registration from one address: olmIlsRefusedPerAddress +1" eval \
	"moved c0 c1 olmIlsRefusedPerAddress 1 && moved c0 c1 olmIlsAdds 2 && is c1 olmIlsLive 2"
check "olcIlsMaxPerMinute 1 and olcIlsMaxPerAddress 0 at run time" eval \
	"printf 'dn: olcDatabase={1}ils,cn=config\nchangetype: modify\nreplace: olcIlsMaxPerMinute\nolcIlsMaxPerMinute: 1\n-\nreplace: olcIlsMaxPerAddress\nolcIlsMaxPerAddress: 0\n' | ldapmodify -x -H $URI $CFG"
expect_rc 11 "a new name beyond the rate" ldif_add "$(dn c4@example.org)" "objectClass: rtPerson" "cn: c4@example.org"
snap c2
check "olmIlsRefusedRate +1, olmIlsRefusedPerAddress not" eval \
	"moved c1 c2 olmIlsRefusedRate 1 && moved c1 c2 olmIlsRefusedPerAddress 0"
check "cn=config deletes the overlay" ldapdelete -x -H "$URI" $CFG "olcOverlay={0}dynttl,olcDatabase={1}ils,cn=config"
snap c3
check "its counters left the entry, the database's stayed" eval \
	"[ \$(grep -c '^olmDynTTL' $T/snap.c3) -eq 0 ] && is c3 olmIlsLive 2 && is c3 olmIlsRefusedRate 1"
check "cn=config deletes the ILS database" ldapdelete -x -H "$URI" $CFG "olcDatabase={1}ils,cn=config"
check "no olmIls counter is left under cn=Monitor" eval \
	"! lsearch -b cn=Monitor '(objectClass=*)' + | grep -q '^olmIls'"
check "slapd is alive and cn=Monitor answers" eval \
	"kill -0 $SPID && ldapsearch -x -H $URI -b cn=Databases,cn=Monitor -s base 1.1 >/dev/null"
check "slapd stops cleanly" stopped_clean

echo "# 5. a flood of a small map, refused at ils-map-highwater"
CONF3=$(ils_conf "$T/f")
uncapped "$CONF3"
printf 'ils-mapsize 4194304\nils-map-highwater 10\n' >> "$CONF3"
monitor_module > "$T/mod.conf"
sed -i "/^moduleload .*dynttl.la/r $T/mod.conf" "$CONF3"
monitor_db >> "$CONF3"
start_slapd -f "$CONF3" || exit 1
snap f0
awk 'BEGIN { c = sprintf("%1000s", ""); gsub(/ /, "x", c)
	for (i = 0; i < 600; i++)
		printf "dn: cn=f%d@x,ou=Dynamic,o=Intranet\ncn: f%d@x\nsipaddress: 16777343\ncomment: %s\n\n", i, i, c }' |
	ldapadd -c -x -H "$URI" > "$T/flood.out" 2>&1
FULL=$(grep -o "ldap_add: [A-Za-z ]*(11)" "$T/flood.out" | wc -l)
snap f1
check "the map filled: some of 600 Adds refused ($FULL)" eval "[ $FULL -gt 0 ] && [ $FULL -lt 600 ]"
check "olmIlsRefusedMapFull counts exactly those, olmIlsAdds the rest" eval \
	"moved f0 f1 olmIlsRefusedMapFull $FULL && moved f0 f1 olmIlsAdds $((600 - FULL)) && is f1 olmIlsLive $((600 - FULL))"
check "the map use shown is above the mark, within the map" eval \
	"[ \$(val f1 olmIlsMapSize) -eq 4194304 ] && [ \$((\$(val f1 olmIlsMapUsed) * 10)) -gt 4194304 ] && [ \$(val f1 olmIlsMapUsed) -lt 4194304 ]"
stop_slapd

echo "# 6. dynttl over back-mdb"
mkdir -p "$T/mdb"
{
	cat <<CONF
include $SCHEMADIR/core.schema
include $SCHEMADIR/cosine.schema
include $SCHEMADIR/inetorgperson.schema
pidfile $T/mdb.pid
moduleload back_mdb
moduleload $BUILD/dynttl.la
CONF
	monitor_module
	cat <<CONF
database mdb
suffix "dc=example,dc=com"
rootdn "cn=admin,dc=example,dc=com"
rootpw secret
directory $T/mdb
overlay dynttl
dynttl-min-ttl 1
CONF
	monitor_db
} > "$T/mdb.conf"
start_slapd -f "$T/mdb.conf" || exit 1
ADM="-D cn=admin,dc=example,dc=com -w secret"
snap m0
MDBDN=$(lsearch -b cn=Databases,cn=Monitor -s one '(olmMDBEntries=*)' 1.1 | sed -n 's/^dn: //p')
check "back-mdb's entry has its olmMDB counters, its overlay's entry under it the olmDynTTL ones" eval \
	"[ -n '$MDBDN' ] && lsearch -b '$MDBDN' -s one '(objectClass=olmDynTTLOverlay)' 1.1 | grep -q '^dn: cn=Overlay 0,' && [ \$(grep -c '^olmDynTTL' $T/snap.m0) -eq 17 ] && ! grep -q '^olmIls' $T/snap.m0"
check "a base entry and a dynamic one of 1 s" eval \
	"printf 'dn: dc=example,dc=com\nobjectClass: domain\ndc: example\n\ndn: cn=d1,dc=example,dc=com\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: d1\nsn: D\nentryTtl: 1\n' | ldapadd -x -H $URI $ADM"
expect_err 65 "a refresh of the static entry" ldapexop -x -H "$URI" $ADM refresh dc=example,dc=com 60
snap m1
check "olmDynTTLAdds +1 (the static entry is not one), olmDynTTLRefusedNotDynamic +1" eval \
	"moved m0 m1 olmDynTTLAdds 1 && moved m0 m1 olmDynTTLRefusedNotDynamic 1"
i=0; while [ $i -lt 100 ]; do snap m2; [ "$(val m2 olmDynTTLExpired)" = 1 ] && break; sleep 0.2; i=$((i + 1)); done
check "it expires: olmDynTTLExpired 1, olmDynTTLLive 0" eval "is m2 olmDynTTLExpired 1 && is m2 olmDynTTLLive 0"
check "slapd stops cleanly" stopped_clean

echo "# 7. the monitor database first: both register at once, not in its limbo"
CONF4=$(ils_conf "$T/o")
monitor_module > "$T/mod.conf"
sed -i "/^moduleload .*dynttl.la/r $T/mod.conf" "$CONF4"
awk -v m="$(monitor_db)" '/^database +ils/ { print m "\n" } { print }' "$CONF4" > "$T/o.conf"
start_slapd -f "$T/o.conf" || exit 1
wire register first@example.org > "$T/w.log"; check "NetMeeting registers" grep -q '0 failed' "$T/w.log"
snap o0
check "the ILS database's entry has the olmIls counters, cn=Overlay 0 under it the olmDynTTL ones" eval \
	"[ \$(grep -c '^olmIls' $T/snap.o0) -eq 20 ] && [ \$(grep -c '^olmDynTTL' $T/snap.o0) -eq 17 ] && lsearch -b cn=Databases,cn=Monitor -s sub '(objectClass=olmDynTTLOverlay)' 1.1 | grep -q '^dn: cn=Overlay 0,cn=Database [0-9]*,cn=Databases,cn=Monitor\$'"
check "the registration counted by both: olmIlsAdds 1, olmDynTTLAdds 1" eval \
	"is o0 olmIlsAdds 1 && is o0 olmDynTTLAdds 1"
check "slapd stops cleanly" stopped_clean
finish
