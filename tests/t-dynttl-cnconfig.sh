# t-dynttl-cnconfig.sh - cn=config changes to slapo-dynttl while entries
# expire: olcDisabled on the overlay and on its database, a Modify of every
# olcDynTTL* attribute, the Delete of the overlay and then of its database.
# Each of them pauses slapd's thread pool while the expiry task is deleting
# thousands of entries; slapd must not hang (every change is bounded by a
# timeout), must keep answering, and must leave no entry behind that is
# stored but hidden.
. "$(dirname "$0")/lib.sh"
N1=${ILS_CNCONFIG_N1:-1000}	# synchronous writes: seconds of Deletes
N2=${ILS_CNCONFIG_N:-4000}
N=$N2
mkdir -p "$T/slapd.d" "$T/one" "$T/two" "$T/three"
{
	mdb_conf_head
	for d in one two three; do cat <<CONF
database mdb
suffix "dc=$d"
rootdn "cn=admin,dc=$d"
rootpw secret
directory $T/$d
$( [ $d = one ] || echo dbnosync )
overlay dynttl
dynttl-min-ttl 1
dynttl-default-ttl 4
CONF
	done
	printf 'database config\nrootpw config\n'
} > "$T/slapd.conf"
start_slapd -f "$T/slapd.conf" -F "$T/slapd.d" || exit 1
CFG="-D cn=config -w config"

# fill D TTL [again]: the base entry (not again) and N dynamic objects
# with entryTtl TTL, named $P (default e) and a number ($M of them)
fill() {
	{
		[ -n "$3" ] || printf 'dn: dc=%s\nobjectClass: domain\ndc: %s\n\n' "$1" "$1"
		i=0
		while [ $i -lt "${M:-$N}" ]; do
			printf 'dn: cn=%s%d,dc=%s\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: %s%d\nsn: D\nentryTtl: %s\n\n' \
				"${P:-e}" $i "$1" "${P:-e}" $i "$2"
			i=$((i + 1))
		done
	} | ldapadd -x -H "$URI" -D "cn=admin,dc=$1" -w secret > "$T/fill.out" 2>&1
}
# stored D: how many dynamic objects the database holds, hidden or not
# (manageDSAit shows lapsed ones); empty when the search fails
stored() {
	ldapsearch -x -LLL -H "$URI" -D "cn=admin,dc=$1" -w secret -b "dc=$1" -s one \
		-e manageDSAit 1.1 > "$T/stored.out" 2>&1 || return 1
	grep -c '^dn:' "$T/stored.out"
	return 0
}
# lapse D: wait until the expiry of D's entries is under way
lapse() {
	D=$1 i=0
	while [ $i -lt 300 ]; do
		n=$(stored "$1") && [ "$n" -lt "$N" ] && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
# cfg DESCRIPTION LDIF: a cn=config Modify, bounded in time
cfg() {
	check "$1" timeout 60 sh -c "printf '$2' | ldapmodify -x -H $URI $CFG"
	left
}
left() { echo "# $(stored "$D") entries of dc=$D left right after the change"; }
answers() { ldapsearch -x -H "$URI" -b "" -s base -l 10 -o nettimeout=10 >/dev/null 2>&1; }
# gone D: every dynamic object of D deleted within 30 s
gone() {
	i=0
	while [ $i -lt 300 ]; do
		[ "$(stored "$1")" = 0 ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "still stored: $(stored "$1")"
	return 1
}

# 1. olcDisabled on the overlay: db_close with the pool paused.  dc=one
# writes synchronously, so a Delete takes a while, and its entries are
# loaded lapsed (slapadd) while slapd is down: the first expiry task after
# the start has them all to delete, for seconds
stop_slapd
{
	printf 'dn: dc=one\nobjectClass: domain\ndc: one\n\n'
	i=0
	while [ $i -lt "$N1" ]; do
		printf 'dn: cn=e%d,dc=one\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: e%d\nsn: D\nentryTtl: 2\ndynttlExpireTime: 20200101000000Z\n\n' $i $i
		i=$((i + 1))
	done
} > "$T/one.ldif"
check "$N1 lapsed dynamic objects loaded into dc=one" \
	"$SLAPD" -Ta -q -F "$T/slapd.d" -b dc=one -l "$T/one.ldif"
start_slapd -F "$T/slapd.d" || exit 1
N=$N1
check "their expiry is under way" lapse one
cfg "olcDisabled: TRUE on the overlay during the mass expiry returns" \
	'dn: olcOverlay={0}dynttl,olcDatabase={1}mdb,cn=config\nchangetype: modify\nreplace: olcDisabled\nolcDisabled: TRUE\n'
check "... without waiting for the mass expiry to end (the pool pauses between two Deletes)" \
	test "$(stored one)" -gt 0
check "slapd answers after it" answers
P=f M=20
check "$M more dynamic objects stored in dc=one with the overlay off" fill one 2 again
P= M= N=$N2
cfg "olcDisabled: FALSE on the overlay again" \
	'dn: olcOverlay={0}dynttl,olcDatabase={1}mdb,cn=config\nchangetype: modify\nreplace: olcDisabled\nolcDisabled: FALSE\n'
# slapd 2.6.10 never opens an overlay enabled again (bconfig.c tests
# SLAP_DBFLAG_DISABLED where the disabling set SLAPO_BFLAG_DISABLED), so
# there the expiry resumes with the next start (slapo-dynttl(5), BUGS)
if "$SLAPD" -VV 2>&1 | grep -q 'slapd 2\.6\.'; then
	stop_slapd
	check "slapd 2.6: started again after enabling the overlay" start_slapd -F "$T/slapd.d"
fi
check "... and every dynamic object of dc=one is deleted: the lapsed ones, and those added meanwhile after the default TTL" gone one

# a refresh still to be written when the overlay is disabled reaches the
# entry (cn=config's replace opens the overlay again before it closes it)
cfg "olcDynTTLPersistDelay 1h on dc=one: refreshes wait to be written" \
	'dn: olcOverlay={0}dynttl,olcDatabase={1}mdb,cn=config\nchangetype: modify\nreplace: olcDynTTLPersistDelay\nolcDynTTLPersistDelay: 1h\n'
check "a dynamic object with a TTL of 60 s" sh -c \
	"printf 'dn: cn=k1,dc=one\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: k1\nsn: K\nentryTtl: 60\n' | ldapadd -x -H $URI -D cn=admin,dc=one -w secret"
check "... refreshed to 600 s (written behind)" sh -c \
	"ldapexop -x -H $URI -D cn=admin,dc=one -w secret refresh cn=k1,dc=one 600 | grep -qx newttl=600"
cfg "olcDisabled: TRUE on dc=one's overlay" \
	'dn: olcOverlay={0}dynttl,olcDatabase={1}mdb,cn=config\nchangetype: modify\nreplace: olcDisabled\nolcDisabled: TRUE\n'
check "... wrote the refresh into the entry: it stores entryTtl 600" sh -c \
	"ldapsearch -x -LLL -H $URI -D cn=admin,dc=one -w secret -b cn=k1,dc=one -s base entryTtl | grep -qx 'entryTtl: 600'"

# 2. every olcDynTTL* attribute changed during a mass expiry, then the
# overlay deleted during the next one
check "$N dynamic objects stored in dc=two" fill two 2
# every Add acknowledged (counting them stored could race their 2 s TTL
# on a slow machine): ldapadd names each entry it added, dc=two's too
check "... every one acknowledged" test "$(grep -c '^adding new entry "cn=' "$T/fill.out")" = "$N"
check "their expiry is under way" lapse two
cfg "every olcDynTTL* attribute changes during the mass expiry" \
	'dn: olcOverlay={0}dynttl,olcDatabase={2}mdb,cn=config\nchangetype: modify\nreplace: olcDynTTLDefault\nolcDynTTLDefault: 3\n-\nreplace: olcDynTTLMin\nolcDynTTLMin: 2\n-\nreplace: olcDynTTLMax\nolcDynTTLMax: 1h\n-\nreplace: olcDynTTLMaxEntries\nolcDynTTLMaxEntries: 100000\n-\nreplace: olcDynTTLPersistDelay\nolcDynTTLPersistDelay: 2\n-\nreplace: olcDynTTLAll\nolcDynTTLAll: FALSE\n-\nreplace: olcDynTTLReplicaGrace\nolcDynTTLReplicaGrace: 1m\n'
check "slapd answers after it" answers
check "... and the expiry went on: every lapsed entry of dc=two is deleted" gone two
check "$N dynamic objects stored in dc=two again" fill two 2 again
check "their expiry is under way" lapse two
check "the Delete of the overlay during the mass expiry returns" \
	timeout 60 ldapdelete -x -H "$URI" $CFG 'olcOverlay={0}dynttl,olcDatabase={2}mdb,cn=config'
left
check "slapd answers after it" answers

# 3. the Delete of the overlay during a mass expiry, then of its database
# (cn=config deletes a database without overlays only)
check "$N dynamic objects stored in dc=three" fill three 2
check "their expiry is under way" lapse three
check "the Delete of dc=three's overlay during the mass expiry returns" \
	timeout 60 ldapdelete -x -H "$URI" $CFG 'olcOverlay={0}dynttl,olcDatabase={3}mdb,cn=config'
left
check "the Delete of the database returns" \
	timeout 60 ldapdelete -x -H "$URI" $CFG 'olcDatabase={3}mdb,cn=config'
expect_rc 32 "the deleted database is gone" \
	ldapsearch -x -H "$URI" -b dc=three -s base
check "slapd answers after it" answers
check "slapd is still running" alive

finish
