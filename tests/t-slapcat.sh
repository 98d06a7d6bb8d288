# t-slapcat.sh - slapcat, slapadd and slapindex on "database ils"
# (slapd-ils(5), BACKUPS): a dump of a live and of a stopped directory,
# its load into an empty one that then serves the same entries (TTLs,
# owners, abuse counts), bad input refused with its line, Debian's
# dump_databases, in the slapd.conf and the cn=config (slapd.d) forms.
. "$(dirname "$0")/lib.sh"
ILS_TTL_MIN=1
export ILS_TTL_MIN
PATH=$PATH:/usr/sbin
DIALER='egruber]w2kils.testdomain.int'
APPUSER="cn=$DIALER,appName=MS-NetMeeting,ou=Applications,o=Intranet"
CMP="python3 $TOP/tests/ldifcmp.py"
# the limit the load must keep: four people registered from 127.0.0.1
limited() { sed -i 's|^directory .*|&\nils-max-per-address 4|' "$1"; }
# everything a client sees: all attributes, "+" too
full() { lsearch -b o=Intranet '(objectClass=*)' '*' '+'; }
# dns FILE: the DNs of an LDIF file, sorted
dns() { sed -n 's/^dn: //p' "$1" | sort; }

CONF=$(ils_conf "$T/a")
limited "$CONF"
start_slapd -f "$CONF" || exit 1
echo "# registrations in every dialect"
wire register nm@contoso.com
wire tapi "$DIALER"
wire -L tapi-conf "Demo Conference"
wire ptlib pt@example.org
# long enough to outlive the dump and the load on a loaded machine
check "an LDAPv3 person with entryTtl 60" ldif_add "$(dn short@x)" \
	"objectClass: rtPerson" "objectClass: dynamicObject" "entryTtl: 60"
T0=$(date +%s)
full > "$T/before.ldif"
check "the directory holds the five registrations" test "$(grep -c '^dn:' "$T/before.ldif")" -ge 5

echo "# slapcat while slapd runs"
check "slapcat -b o=Intranet of a running server" slapcat -f "$CONF" -b o=Intranet -o ldif-wrap=no -l "$T/live.ldif"
for d in "$(dn nm@contoso.com)" "$(dn "$DIALER")" "$APPUSER" "uid=Demo Conference,ou=Dynamic,o=Intranet" \
	"$(dn pt@example.org)" "$(dn short@x)"; do
	check "... dumps $d" grep -qix "dn: $d" "$T/live.ldif"
done
check "... with the TTL data" sh -c "sed -n '/^dn: cn=short@x,/,/^\$/p' '$T/live.ldif' | grep -q '^dynttlExpireTime: '"
check "... with the owner" sh -c "sed -n '/^dn: cn=short@x,/,/^\$/p' '$T/live.ldif' | grep -qx 'ilsOwnerAddress: 127.0.0.1'"
check "... and what the Dialer's application user holds" sh -c \
	"sed -n '/^dn: cn=egruber/,/^\$/p' '$T/live.ldif' | grep -c '^dn:' | grep -qx 2"
check "slapcat -a picks one registration" sh -c \
	"slapcat -f '$CONF' -b o=Intranet -a '(cn=pt@example.org)' | grep '^dn:' | tr A-Z a-z |
	 tr '\n' ' ' | grep -qx 'dn: cn=pt@example.org,ou=dynamic,o=intranet '"
# -H for a subtree: with -b, slapcat 2.5.13 frees the argument of -s
# and aborts (slapcommon.c), whatever the backend
check "slapcat -H the application container picks it and its application user" sh -c \
	"slapcat -f '$CONF' -o ldif-wrap=no -H 'ldap:///appName=MS-NetMeeting,ou=Applications,o=Intranet' | grep '^dn:' | tr A-Z a-z | sort |
	 tr '\n' ' ' | grep -qx 'dn: appname=ms-netmeeting,ou=applications,o=intranet dn: cn=egruber]w2kils.testdomain.int,appname=ms-netmeeting,ou=applications,o=intranet '"
check "slapcat -H with a filter picks the conference" sh -c \
	"slapcat -f '$CONF' -H 'ldap:///o=Intranet??sub?(objectClass=rtConference)' | grep -c '^dn:' | grep -qx 1"
check "slapcat -b objectClass=rtPerson, NetMeeting's suffix, dumps the same" sh -c \
	"slapcat -f '$CONF' -b objectClass=rtPerson -o ldif-wrap=no | cmp -s - '$T/live.ldif'"
check "slapd still runs" alive
stop_slapd

echo "# slapcat of a stopped server"
check "slapcat after the stop" slapcat -f "$CONF" -b o=Intranet -o ldif-wrap=no -l "$T/dump.ldif"
check "... gives what it gave while slapd ran" cmp "$T/live.ldif" "$T/dump.ldif"

echo "# slapadd into an empty directory"
CONF2=$(ils_conf "$T/b")
limited "$CONF2"
check "slapadd of the dump" slapadd -f "$CONF2" -l "$T/dump.ldif"
check "slapcat of the loaded directory" slapcat -f "$CONF2" -b o=Intranet -l "$T/b.ldif"
check "... holds every entry of the dump as it was" $CMP loaded "$T/b.ldif" "$T/dump.ldif"
check "slapadd -q of the dump" sh -c "mkdir -p '$T/q' && sed 's|$T/a|$T/q|g' '$CONF' > '$T/q/slapd.conf' &&
	slapadd -q -f '$T/q/slapd.conf' -l '$T/dump.ldif'"
check "... stores the same" sh -c "slapcat -f '$T/q/slapd.conf' -b o=Intranet > '$T/q.ldif' &&
	$CMP loaded '$T/q.ldif' '$T/dump.ldif'"
check "slapindex: no indexes, every record decodes (exit 0)" slapindex -f "$CONF2"
check "slapschema finds every entry valid" slapschema -f "$CONF2" -b o=Intranet

echo "# slapd on the loaded directory"
PORT=
start_slapd -f "$CONF2" || exit 1
full > "$T/after.ldif"
check "a full search (*, +) shows the directory as before" $CMP loaded "$T/after.ldif" "$T/before.ldif"
wire nm-find nm@contoso.com 3758139584
wire tapi-find "$DIALER" nm@contoso.com
wire ptlib-lookup pt@example.org 167880896
check "the conference is there" test "$(nentries -b ou=Dynamic,o=Intranet -s one '(uid=Demo Conference)')" = 1
expect_rc 11 "a fifth person from 127.0.0.1: ils-max-per-address counts the loaded four" \
	ldif_add "$(dn fifth@x)" "objectClass: rtPerson"
check "a live entryTtl counts down from the stored expiry, not from the load" \
	between "$(ttl "$(dn short@x)")" 1 $(( 62 - ( $(date +%s) - T0 ) ))
i=0
while ! gone "$(dn short@x)" && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
check "the 60 s registration expires after the load" gone "$(dn short@x)"
check "... not before its time" test $(( $(date +%s) - T0 )) -ge 57
check "... and the others live on" test "$(nentries -b ou=Dynamic,o=Intranet -s one '(|(cn=nm@contoso.com)(uid=Demo Conference))')" = 2
stop_slapd

echo "# bad input: a non-zero exit and the line, never a crash"
CONF3=$(ils_conf "$T/c")
bad() {
	d=$1; shift
	printf '%s\n' "$@" > "$T/bad.ldif"
	slapadd -f "$CONF3" -l "$T/bad.ldif" > "$T/bad.out" 2>&1
	brc=$?
	if [ "$brc" = 1 ] && grep -q "line=1" "$T/bad.out"; then ok "slapadd refuses $d"
	else nok "slapadd refuses $d: exit $brc"; sed 's/^/#   /' "$T/bad.out" | head -5; fi
}
bad "a DN outside the ILS tree" "dn: cn=x,ou=Other,o=Intranet" "objectClass: rtPerson" "cn: x"
bad "a value above ils-max-value-length" "dn: $(dn long@x)" "objectClass: rtPerson" "cn: long@x" \
	"comment: $(head -c 1500 /dev/zero | tr '\0' x)"
bad "a naming value with a control character" "dn: cn=a\\01b,ou=Dynamic,o=Intranet" \
	"objectClass: rtPerson" "cn:: $(printf 'a\001b' | base64)"
printf 'dn: %s\nobjectClass: rtPerson\ncn: twice@x\n\ndn: cn=twice@x,objectClass=rtPerson\nobjectClass: rtPerson\ncn: twice@x\n' \
	"$(dn twice@x)" > "$T/twice.ldif"
check "one registration under two of its DN spellings: the second refused at its line" sh -c \
	"! slapadd -f '$CONF3' -l '$T/twice.ldif' > '$T/twice.out' 2>&1 && grep -q 'line=5.*loaded already' '$T/twice.out'"
check "... the first is kept" sh -c "slapcat -f '$CONF3' -b o=Intranet | grep -qix 'dn: $(dn twice@x)'"
echo "# slapmodify on a stopped directory"
cat > "$T/mod.ldif" <<LDIF
dn: $(dn nm@contoso.com)
changetype: modify
replace: comment
comment: changed by slapmodify

dn: cn=$DIALER,ou=Dynamic,o=Intranet
changetype: delete

dn: cn=new@x,objectClass=rtPerson
changetype: add
objectClass: rtPerson
cn: new@x
LDIF
check "slapmodify: a Modify, a Delete, an Add in NetMeeting's spelling" sh -c \
	"slapadd -f '$CONF3' -l '$T/dump.ldif' && slapmodify -f '$CONF3' -l '$T/mod.ldif'"
slapcat -f "$CONF3" -b o=Intranet -o ldif-wrap=no > "$T/mod.out"
check "... the Modify changed the entry" sh -c "sed -n '/^dn: cn=nm@contoso.com,/,/^\$/p' '$T/mod.out' | grep -qx 'comment: changed by slapmodify'"
check "... the Dialer's person went with its application user, as slapd deletes it" sh -c "! grep -qi '^dn: cn=egruber' '$T/mod.out'"
check "... the Add is stored under its canonical name" grep -qix "dn: $(dn new@x)" "$T/mod.out"
printf 'dn: %s\nchangetype: delete\n' "$(dn nobody@x)" > "$T/mod2.ldif"
check "slapmodify of an entry that is not there fails with its line" sh -c \
	"! slapmodify -f '$CONF3' -l '$T/mod2.ldif' > '$T/mod2.out' 2>&1 && grep -q 'lineno=1' '$T/mod2.out'"

printf 'dn: o=Intranet\nobjectClass: organization\no: Intranet\n\ndn: %s\nobjectClass: rtPerson\ncn: kept@x\n' \
	"$(dn kept@x)" > "$T/cont.ldif"
check "a container in the LDIF (a back-mdb's dump) replaces the one made at open, not refused" \
	slapadd -f "$CONF3" -l "$T/cont.ldif"
# the entryUUID of o=Intranet in an LDIF file
root_uuid() { awk -v RS= 'index($0, "dn: o=Intranet\n") == 1' "$1" | sed -n 's/^entryUUID: //p'; }
slapcat -f "$CONF3" -b o=Intranet -o ldif-wrap=no > "$T/cont.out"
check "... and keeps its name-derived entryUUID, the first server's" sh -c \
	"[ -n '$(root_uuid "$T/dump.ldif")' ] && [ '$(root_uuid "$T/cont.out")' = '$(root_uuid "$T/dump.ldif")' ]"
check "... and the registration after it stored" sh -c "slapcat -f '$CONF3' -b o=Intranet | grep -qix 'dn: $(dn kept@x)'"
printf 'dn: %s\nobjectClass: rtPerson\ncn: x\n bogus\n::\n' "$(dn garbage@x)" > "$T/garbage.ldif"
check "LDIF that does not parse: exit 1, not a signal" sh -c \
	"slapadd -f '$CONF3' -l '$T/garbage.ldif' > '$T/garbage.out' 2>&1; test \$? = 1"

echo "# Debian's dump_databases (the slapd package's maintainer script)"
PREINST=/var/lib/dpkg/info/slapd.preinst
# the routine and what it calls, taken from the installed script; the
# debconf answers: dump always, into a directory of this test
for f in database_dumping_enabled database_dumping_destdir dump_databases \
	get_suffix get_directory get_all_slapd_conf_files; do
	sed -n "/^$f() {/,/^# }}}/p" "$PREINST"
done > "$T/dump.sh"
cat >> "$T/dump.sh" <<'SH'
db_get() {
	case $1 in
	slapd/dump_database) RET=always ;;
	slapd/dump_database_destdir) RET=$BACKUPS/slapd-VERSION ;;
	esac
}
db_subst() { :; }
db_input() { :; }
db_go() { :; }
OLD_VERSION=2.5.13+dfsg-5
MODE=upgrade
set -e
dump_databases
SH
check "the maintainer script has dump_databases" grep -q '^dump_databases()' "$T/dump.sh"
dumpdb() { SLAPD_CONF=$1 BACKUPS=$2 sh "$T/dump.sh"; }
check "slapcat of the directory after the expiry" slapcat -f "$CONF2" -b o=Intranet -l "$T/b2.ldif"
check "dump_databases with a slapd.conf" dumpdb "$CONF2" "$T/backup1"
check "... dumps o=Intranet as slapcat does" cmp "$T/backup1/slapd-2.5.13+dfsg-5/o=Intranet.ldif" "$T/b2.ldif"
check "... and NetMeeting's suffix, the same database" cmp "$T/backup1/slapd-2.5.13+dfsg-5/objectClass=rtPerson.ldif" "$T/b2.ldif"

echo "# cn=config (slapd.d, -F)"
mkdir -p "$T/f/ils" "$T/f/slapd.d"
config_ldif_ils "$T/f/ils" "olcIlsMaxPerAddress: 4" > "$T/f/config.ldif"
check "a cn=config with back-ils and dynttl" slapadd -n0 -F "$T/f/slapd.d" -l "$T/f/config.ldif"
check "slapadd -F of the dump" slapadd -F "$T/f/slapd.d" -b o=Intranet -l "$T/dump.ldif"
check "slapcat -F gives it back" sh -c "slapcat -F '$T/f/slapd.d' -b o=Intranet -o ldif-wrap=no > '$T/f.ldif' &&
	$CMP loaded '$T/f.ldif' '$T/dump.ldif'"
check "slapindex -F" slapindex -F "$T/f/slapd.d" -b o=Intranet
PORT=
start_slapd -F "$T/f/slapd.d" || exit 1
wire nm-find nm@contoso.com 3758139584
check "the loaded registration whose time passed meanwhile expires at the start" gone "$(dn short@x)"
check "slapcat -F while slapd runs on slapd.d" slapcat -F "$T/f/slapd.d" -b o=Intranet -l "$T/f2.ldif"
check "... dumps the live registrations, not the lapsed one" sh -c \
	"grep -qix 'dn: $(dn nm@contoso.com)' '$T/f2.ldif' && ! grep -qi '^dn: cn=short@x' '$T/f2.ldif'"
stop_slapd
check "dump_databases with a slapd.d" dumpdb "$T/f/slapd.d" "$T/backup2"
check "... dumps o=Intranet as slapcat does" cmp "$T/backup2/slapd-2.5.13+dfsg-5/o=Intranet.ldif" "$T/f2.ldif"
finish
