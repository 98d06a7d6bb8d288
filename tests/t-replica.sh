# t-replica.sh - one back-ils provider (slapo-dynttl, syncprov) replicating
# by refreshAndPersist syncrepl to two consumers at once: a back-ils
# consumer with slapo-dynttl (the ILS server's own configuration, with
# updateref) and a back-mdb consumer.  What it proves:
# 1. registrations of every client dialect, made by the clients' own
#    requests (NetMeeting 3's reversed DN and application Modify,
#    NetMeeting 2.x, the TAPI Dialer's rtPerson and rtApplicationUser,
#    PTLib, GnomeMeeting), reach both: each client's own read finds them
#    on the back-ils consumer; back-mdb holds them under their canonical
#    DNs with the provider's entryUUIDs;
# 2. an application-data Modify, a keep-alive's refresh (a later
#    dynttlExpireTime and entryTtl), Deletes (NetMeeting's, NetMeeting
#    2.x's, the Dialer's with its cascade of the application user) and an
#    expiry on the provider reach both;
# 3. with the provider down the back-ils consumer never shows a lapsed
#    entry to any client (it keeps it stored, manageDSAit) and takes the
#    provider's Delete when it is back; a keep-alive there is a plain
#    search that writes nothing; a client's write and the refresh
#    extended operation there are referred to the provider (updateref),
#    or refused with unwillingToPerform (53) without one;
# 4. no replication error in any log, and all three slapds run to the end.
# Found with it: slapd at loglevel sync crashed opening a new ILS database
# (the containers' CSN); a back-ils consumer aborted in syncrepl's diff of
# a registration's second change (an ilsAttrNames with no values, and
# syncrepl's Modify naming the spellings' descriptions, freed with its
# search); a consumer answered "port" where NetMeeting wrote "sport"; an
# owner's Modify under a canonical name took two spellings off for one;
# a back-mdb consumer refused NetMeeting's c=- (21) and retried it forever.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repl.sh"
ROOT="-D cn=admin,o=Intranet -w secret"
DIALER='dialer]host.example'
APPUSER="cn=$DIALER,appName=MS-NetMeeting,ou=Applications,o=Intranet"

# ilsconf NODE: scripts/ils-config's server on NODE with a rootpw, TTLs
# from 1 s up, refreshes written at once
ilsconf() {
	ILS_TTL_MIN=1s ILS_TTL_DEFAULT=5m "$TOP/scripts/ils-config" "$(node_dir "$1")" "$BUILD" \
		> /dev/null || return 1
	sed -i -e 's|^rootdn .*|&\nrootpw    secret|' -e 's/^dynttl-all on$/&\ndynttl-persist-delay 0/' \
		"$(node_dir "$1")/slapd.conf"
}
# the provider: syncprov configured before dynttl, so that dynttl runs
# first and syncprov sends the entries as stored (slapd-ils(5))
provider_conf() {
	ilsconf P || return 1
	sed -i -e 's|^moduleload .*dynttl.la$|&\nmoduleload syncprov|' \
		-e 's|^overlay   dynttl$|overlay   syncprov\n&|' "$(node_dir P)/slapd.conf"
}
# the back-ils consumer: the same server with a syncrepl of o=Intranet
# from P and, unless "noref", P as the update referral
ils_consumer_conf() {
	ilsconf I || return 1
	sr=$(repl_syncrepl 1 P o=Intranet cn=admin,o=Intranet secret)
	[ "$1" = noref ] || sr="$sr
updateref $(node_uri P)"
	python3 - "$(node_dir I)/slapd.conf" "$sr" <<'EOF'
import re, sys
p, sr = sys.argv[1:]
s = open(p).read()
s = re.sub(r'(?m)^(rootpw .*)$', lambda m: m.group(1) + "\n" + sr, s, count=1)
open(p, "w").write(s)
EOF
}
# the back-mdb consumer, as tests/t-syncprov.sh's: the modules loaded for
# the attributes they define (dynttlExpireTime, ilsOwnerAddress...)
mdb_consumer_conf() {
	md=$(node_dir M)
	mkdir -p "$md/db" || return 1
	{ echo "pidfile $md/slapd.pid"; repl_head back_mdb dynttl back_ils
	  printf 'database mdb\nsuffix "o=Intranet"\nrootdn "cn=admin,o=Intranet"\n'
	  printf 'rootpw secret\ndirectory %s/db\n' "$md"
	  repl_syncrepl 2 P o=Intranet cn=admin,o=Intranet secret
	} > "$md/slapd.conf"
}

# attr DN ATTR [ARGS...]: the value of ATTR on this node, as the rootdn
attr() {
	a_d=$1 a_a=$2; shift 2
	lsearch $ROOT -b "$a_d" -s base "$@" "$a_a" 2>/dev/null | sed -n "s/^$a_a: //p"
}
# stored DN: this node holds DN, lapsed or not (manageDSAit, the rootdn)
stored() { test -n "$(attr "$1" entryDN -e manageDSAit)"; }
# dropped DN: a manageDSAit search succeeds without DN
dropped() {
	lsearch $ROOT -e manageDSAit -b "$1" -s base 1.1 > "$T/dropped.out" 2>&1
	case $? in 32) return 0 ;; 0) ! grep -q '^dn:' "$T/dropped.out" ;; *) cat "$T/dropped.out"; return 1 ;; esac
}
# same_attr DN ATTR: this node's ATTR of DN is P's (and not empty)
same_attr() {
	s_here=$(attr "$1" "$2") s_there=$(on_node P attr "$1" "$2")
	echo "here \"$s_here\", provider \"$s_there\""
	test -n "$s_here" && test "$s_here" = "$s_there"
}
# canonical CN: this node holds cn=CN,ou=Dynamic,o=Intranet with the
# provider's entryUUID
canonical() { same_attr "$(dn "$1")" entryUUID; }
# unlisted SCENARIO ARGS...: the client's search on this node succeeds
# and its one failed check is that the name is not there
unlisted() {
	"$WIRE" -H 127.0.0.1 -p "$PORT" "$@" > "$T/unl.out" 2>&1
	u_rc=$?
	cat "$T/unl.out"
	test "$u_rc" = 1 && grep -q '^ok - .*SearchResultDone resultCode 0' "$T/unl.out" &&
		test "$(grep -c '^not ok' "$T/unl.out")" = 1 &&
		grep -q '^not ok - .*\(not among the entries\|: 0 entries\)$' "$T/unl.out"
}
quiet() { "$@" > "$T/quiet.out" 2>&1; q_rc=$?; cat "$T/quiet.out"; return $q_rc; }
# later A B: generalized time A is later than B
later() { awk -v a="${1%Z}" -v b="${2%Z}" 'BEGIN { exit !(a != "" && b != "" && a + 0 > b + 0) }'; }
# names DN: the attribute names of an all-attribute read of DN, sorted
names() { lsearch -b "$1" -s base | sed -n 's/^\([^:]*\):.*/\1/p' | sort -u; }
# port_is DN VALUES: the stored port values, sorted, are VALUES
port_is() { test "$(attr "$1" port | sort | tr '\n' ' ')" = "$2"; }

node_new P && node_new I && node_new M || { nok "nodes"; exit 1; }
check "the provider is configured" provider_conf
check "the back-ils consumer is configured" ils_consumer_conf
check "the back-mdb consumer is configured" mdb_consumer_conf
for n in P I M; do
	check "node $n: slapd -Tt accepts its configuration" "$SLAPD" -Tt -u -f "$(node_dir $n)/slapd.conf"
done
# every log at level sync: syncrepl's and syncprov's errors, a line a change
SLAPD_DEBUG=sync node_start P || exit 1
SLAPD_DEBUG=sync node_start I || exit 1
SLAPD_DEBUG=sync node_start M || exit 1
ok "three slapds started"

echo "# 1. every dialect's registration reaches both consumers"
on_node P wire register nm3@x > "$T/w.out"
check "NetMeeting 3 registers on the provider (reversed DN, application Modify)" grep -q ' 0 failed' "$T/w.out"
on_node P wire nm2-register nm2@x > "$T/w.out"
check "NetMeeting 2.x registers on the provider" grep -q ' 0 failed' "$T/w.out"
on_node P wire tapi "$DIALER" > "$T/w.out"
check "the Dialer registers on the provider (rtApplicationUser and rtPerson)" grep -q ' 0 failed' "$T/w.out"
on_node P wire ptlib-listed pt@x > "$T/w.out"
check "PTLib registers on the provider" grep -q ' 0 failed' "$T/w.out"
on_node P wire gnome gm@x > "$T/w.out"
check "GnomeMeeting registers on the provider" grep -q ' 0 failed' "$T/w.out"

wait_until I 15 "back-ils consumer: NetMeeting's browse lists NetMeeting 3's user" wire nm-find nm3@x 3758139584
wait_until I 10 "... and NetMeeting 2.x's" wire nm-find nm2@x 16777343
check "... NetMeeting 2.x's own keep-alive search finds it" quiet on_node I wire nm2-keepalive nm2@x
wait_until I 10 "... the Dialer's (cn=*) lists the Dialer and NetMeeting" wire tapi-find "$DIALER" nm3@x
wait_until I 10 "... the Dialer's application user is there" stored "$APPUSER"
wait_until I 10 "... PTLib's SearchPerson finds PTLib's user" wire ptlib-lookup pt@x 167880896
wait_until I 10 "... NetMeeting's browse lists GnomeMeeting's" wire nm-find gm@x 3232235786
for u in nm3@x nm2@x "$DIALER" pt@x gm@x; do
	wait_until M 10 "back-mdb consumer: $(dn "$u") with the provider's entryUUID" canonical "$u"
done
wait_until M 10 "back-mdb consumer: the Dialer's application user with its entryUUID" same_attr "$APPUSER" entryUUID
for u in nm3@x nm2@x "$DIALER" pt@x gm@x; do
	check "back-ils consumer: $u has the provider's entryUUID" on_node I canonical "$u"
done


echo "# 2. Modifies, keep-alives, Deletes and expiry reach both"
MODDN="c=-, o=Microsoft, cn=nm3@x, objectClass=rtPerson"
check "NetMeeting's application-data Modify on the provider (sport 1503, 1731)" \
	quiet on_node P wire mod-expect 0 "$MODDN" replace:sport=1503 replace:sport=1731
wait_until I 10 "back-ils consumer: NetMeeting's browse lists the new ports" \
	wire nm-lists nm3@x 1503,1731 T120,H323
wait_until M 10 "back-mdb consumer: the new ports" port_is "$(dn nm3@x)" "1503 1731 "
wait_same P I 10 "back-ils consumer: the same all-attribute read of NetMeeting's user (its names: sport)" \
	-b "$(dn nm3@x)" -s base
# an owner's LDAPv3 Modify under the canonical name (sn) of a type PTLib
# wrote as surname: that one spelling goes, PTLib's others stay
on_node P names "$(dn pt@x)" > "$T/names.before"
check "PTLib's all-attribute read names surname, sipAddress, sport, sttl" sh -c \
	"grep -qx surname $T/names.before && grep -qx sipAddress $T/names.before &&
	 grep -qx sport $T/names.before && grep -qx sttl $T/names.before"
printf 'dn: %s\nchangetype: modify\nreplace: sn\nsn: Lib2\n' "$(dn pt@x)" > "$T/sn.ldif"
check "an LDAPv3 Modify of PTLib's sn by its owner on the provider" on_node P lmodify -f "$T/sn.ldif"
on_node P names "$(dn pt@x)" > "$T/names.after"
sed 's/^surname$/sn/' "$T/names.before" | sort > "$T/names.want"
check "... the provider's read has sn for surname, every other name as PTLib wrote it" \
	diff "$T/names.want" "$T/names.after"
wait_same P I 10 "back-ils consumer: the same all-attribute read of PTLib's user (names, values)" \
	-b "$(dn pt@x)" -s base
sn_is() { test "$(attr "$1" sn)" = "$2"; }
wait_until M 10 "back-mdb consumer: the new sn" sn_is "$(dn pt@x)" Lib2

# a keep-alive on the consumer: a plain search, nothing written there
# or on the provider
csn0=$(on_node I attr "$(dn nm3@x)" entryCSN) exp0=$(on_node I attr "$(dn nm3@x)" dynttlExpireTime)
pexp0=$(on_node P attr "$(dn nm3@x)" dynttlExpireTime)
sleep 1.1
check "back-ils consumer: NetMeeting's keep-alive finds its user" quiet on_node I wire keepalive nm3@x
sleep 0.5
check "... and writes nothing there (entryCSN, dynttlExpireTime)" test \
	"$(on_node I attr "$(dn nm3@x)" entryCSN) $(on_node I attr "$(dn nm3@x)" dynttlExpireTime)" = "$csn0 $exp0"
check "... nor on the provider" test "$(on_node P attr "$(dn nm3@x)" dynttlExpireTime)" = "$pexp0"
ttl0=$(on_node I attr "$(dn nm3@x)" entryTtl)
check "NetMeeting's keep-alive on the provider" quiet on_node P wire keepalive nm3@x
pexp1=$(on_node P attr "$(dn nm3@x)" dynttlExpireTime)
check "... gives it a later dynttlExpireTime there" later "$pexp1" "$pexp0"
wait_until I 10 "back-ils consumer: the provider's new dynttlExpireTime" same_attr "$(dn nm3@x)" dynttlExpireTime
check "... and a longer entryTtl than before the keep-alive" \
	test "$(on_node I attr "$(dn nm3@x)" entryTtl)" -gt "$ttl0"
wait_until M 10 "back-mdb consumer: the new dynttlExpireTime" same_attr "$(dn nm3@x)" dynttlExpireTime

check "NetMeeting unregisters on the provider" quiet on_node P wire unregister nm3@x
wait_until I 10 "back-ils consumer: NetMeeting's keep-alive finds it no more" wire keepalive-absent nm3@x
check "... it is deleted there, not hidden (manageDSAit)" on_node I dropped "$(dn nm3@x)"
wait_until M 10 "back-mdb consumer: deleted" dropped "$(dn nm3@x)"
check "NetMeeting 2.x unregisters on the provider" quiet on_node P wire nm2-unregister nm2@x
wait_until I 10 "back-ils consumer: NetMeeting 2.x's user deleted" dropped "$(dn nm2@x)"
wait_until M 10 "back-mdb consumer: deleted" dropped "$(dn nm2@x)"
check "the Dialer's Delete of its person on the provider" \
	ldapdelete -x -H "$(node_uri P)" "cn=$DIALER,ou=dynamic,o=Intranet"
for n in I M; do
	wait_until $n 10 "consumer $n: the Dialer's person deleted" dropped "$(dn "$DIALER")"
	wait_until $n 10 "consumer $n: ... and, cascaded, its application user" dropped "$APPUSER"
done

check "an LDAPv3 registration with entryTtl 3 on the provider" on_node P ldif_add "$(dn exp@x)" \
	"objectClass: rtPerson" "cn: exp@x" "entryTtl: 3"
wait_until I 10 "both consumers have it: back-ils" stored "$(dn exp@x)"
wait_until M 10 "... and back-mdb" stored "$(dn exp@x)"
wait_until M 15 "it expires on the provider: back-mdb deletes it" dropped "$(dn exp@x)"
wait_until I 5 "... and back-ils" dropped "$(dn exp@x)"
check "... and the provider has it no more" on_node P dropped "$(dn exp@x)"

echo "# 3. the provider down: the back-ils consumer shows no lapsed entry"
check "a NetMeeting-listed LDAPv3 registration with entryTtl 4 on the provider" \
	on_node P ldif_add "$(dn lapse@x)" "objectClass: rtPerson" "cn: lapse@x" \
	"sipaddress: 16777343" "sappid: ms-netmeeting" "sprotid: h323" "sport: 1720" "sflags: 1" "entryTtl: 4"
wait_until I 10 "back-ils consumer: NetMeeting's browse lists it" wire nm-find lapse@x 16777343
wait_until M 10 "back-mdb consumer: stored" stored "$(dn lapse@x)"
node_stop P
check "the provider is stopped" sh -c "! ldapsearch -x -H $(node_uri P) -b '' -s base 1.1 > /dev/null 2>&1"
wait_until I 10 "past its time NetMeeting's browse on the back-ils consumer does not list it" \
	unlisted nm-find lapse@x 16777343
check "... nor the Dialer's (cn=*)" on_node I unlisted tapi-find lapse@x
check "... nor PTLib's SearchPerson" on_node I unlisted ptlib-lookup lapse@x 16777343
check "... NetMeeting's keep-alive does not find it" quiet on_node I wire keepalive-absent lapse@x
check "... an LDAPv3 (cn=lapse@x) search does not return it" test \
	"$(on_node I nentries -b ou=Dynamic,o=Intranet -s one '(cn=lapse@x)')" = 0
check "... nor a base search" on_node I gone "$(dn lapse@x)"
check "... it stays stored: the consumer does not delete (manageDSAit)" on_node I stored "$(dn lapse@x)"

# writes on the consumer go to the provider (updateref); NetMeeting's
# LDAPv2 gets slapd's v2 form: partialResults (9), "Referral:" and the URL
"$WIRE" -H 127.0.0.1 -p "$(node_port I)" register w@x > "$T/w.out" 2>&1
REF="resultCode 9, text \"Referral:\\x0a$(node_uri P)/cn=w@x,ou=Dynamic,o=Intranet\""
check "NetMeeting's register on the back-ils consumer: its Add and Modify referred (LDAPv2: 9, the provider's URL)" \
	test "$(grep -cF "$REF" "$T/w.out")" = 2
check "... nothing is stored there" on_node I dropped "$(dn w@x)"
ldapdelete -x -H "$(node_uri I)" "$(dn gm@x)" > "$T/del.out" 2>&1
check "an LDAPv3 Delete on it is referred (10) to the provider" sh -c \
	"grep -q 'Referral (10)' $T/del.out && grep -qF '$(node_uri P)/cn=gm@x,ou=Dynamic,o=Intranet' $T/del.out"
ldapexop -x -H "$(node_uri I)" refresh "$(dn gm@x)" 60 > "$T/ref.out" 2>&1
check "the refresh extended operation on it is referred (10) to the provider" sh -c \
	"grep -q 'Referral (10)' $T/ref.out && grep -qiF '$(node_uri P)/cn=gm@x,ou=Dynamic,o=Intranet' $T/ref.out"
check "... GnomeMeeting's user is still there" quiet on_node I wire nm-find gm@x 3232235786

SLAPD_DEBUG=sync node_start P || exit 1
wait_until I 15 "the provider back: its Delete of the lapsed entry reaches the back-ils consumer" \
	dropped "$(dn lapse@x)"
wait_until M 10 "... and the back-mdb consumer" dropped "$(dn lapse@x)"

echo "# without updateref: unwillingToPerform (53)"
node_stop I
check "the back-ils consumer reconfigured without updateref" ils_consumer_conf noref
check "... its configuration has no updateref" sh -c "! grep -q '^updateref' $(node_dir I)/slapd.conf"
SLAPD_DEBUG=sync node_start I || exit 1
"$WIRE" -H 127.0.0.1 -p "$(node_port I)" register w@x > "$T/w.out" 2>&1
check "NetMeeting's register there: Add and Modify 53, shadow context" \
	test "$(grep -c 'resultCode 53, text "shadow context; no update referral"' "$T/w.out")" = 2
expect_rc 53 "an LDAPv3 Delete there" ldapdelete -x -H "$(node_uri I)" "$(dn gm@x)"
expect_err 53 "the refresh extended operation there" ldapexop -x -H "$(node_uri I)" refresh "$(dn gm@x)" 60
check "GnomeMeeting's user is still there" quiet on_node I wire nm-find gm@x 3232235786

echo "# 4. the logs and the processes"
check "the logs hold syncrepl's work (so the next check can fail)" \
	grep -aq 'syncrepl_entry: rid=001 be_modify' "$(node_dir I)/slapd.log"
check "no syncUUID, be_add/be_modify/be_delete failure or refused entry in any log" sh -c \
	"! grep -a -i 'syncUUID\|be_add.*failed\|be_modify.*failed\|be_delete.*failed\|mods check' \
	$(node_dir P)/slapd.log $(node_dir I)/slapd.log $(node_dir M)/slapd.log"
check "all three slapds still run" sh -c "kill -0 $(node_pid P) && kill -0 $(node_pid I) && kill -0 $(node_pid M)"
node_stop_all
finish
