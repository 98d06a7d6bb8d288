# debianlike.sh - a slapd laid out as Debian's package leaves it, and
# README's "Loading into an existing slapd" done to it (sourced after
# lib.sh by t-install.sh and t-deb.sh, which differ in how the files got
# installed: make install or the .deb)
#
# The layout is Debian's postinst's: cn=config in a slapd.d made with
# slapadd -n0 from the package's own /usr/share/slapd/slapd.init.ldif
# (frontend olcSizeLimit 500, root's EXTERNAL identity managing cn=config,
# the {1}mdb database), dc=example,dc=org with entries in its back-mdb
# directory, everything owned by openldap; the server is started,
# restarted and stopped by Debian's /etc/init.d/slapd as user openldap.
# Only the paths move under $D: /var/run/slapd to $D/run, /var/lib/ldap
# to $D/lib/ldap, /etc/default/slapd to $D/default (the init script is
# copied with that one path changed), and the listeners are a loopback
# port and an ldapi socket in $D/run: the machine's own slapd, its
# /etc/ldap and /var/lib/ldap are never touched.

D=$T/deb
SUFFIX=dc=example,dc=org
JDOE=uid=jdoe,ou=People,$SUFFIX
LDAPI=ldapi://$(printf '%s' "$D/run/ldapi" | sed 's|/|%2F|g')
# the installed files: $STAGE is the root they were installed under
STAGE=${STAGE:-$T/root}

# deb_layout: the directory as Debian's package configures it
deb_layout() {
	chmod 755 "$T"
	mkdir -p "$D/slapd.d" "$D/lib/ldap" "$D/run" || return 1
	sed -e "s|@SUFFIX@|$SUFFIX|g" -e "s|@PASSWORD@|$(slappasswd -s admin)|" \
		-e "s|/var/run/slapd|$D/run|g" \
		-e "s|^olcDbDirectory: /var/lib/ldap\$|olcDbDirectory: $D/lib/ldap|" \
		/usr/share/slapd/slapd.init.ldif > "$D/init.ldif" || return 1
	cat > "$D/entries.ldif" <<LDIF || return 1
dn: $SUFFIX
objectClass: top
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=People,$SUFFIX
objectClass: organizationalUnit
ou: People

dn: $JDOE
objectClass: inetOrgPerson
uid: jdoe
cn: John Doe
sn: Doe
userPassword: $(slappasswd -s jdoe-secret)
LDIF
	"$SLAPD" -Ta -n0 -F "$D/slapd.d" -l "$D/init.ldif" &&
		"$SLAPD" -Ta -n1 -F "$D/slapd.d" -l "$D/entries.ldif" &&
		chown -R openldap:openldap "$D/slapd.d" "$D/lib/ldap" "$D/run" || return 1
	PORT=$(free_port)
	URI=ldap://127.0.0.1:$PORT
	cat > "$D/default" <<DEF
SLAPD_CONF=$D/slapd.d
SLAPD_USER="openldap"
SLAPD_GROUP="openldap"
SLAPD_PIDFILE=
SLAPD_SERVICES="$URI/ $LDAPI"
SLAPD_SENTINEL_FILE=
SLAPD_OPTIONS=""
DEF
	sed "s|/etc/default/slapd|$D/default|g" /etc/init.d/slapd > "$D/init.d-slapd"
}

# deb_init start|restart|stop: Debian's init script; after a start the
# server's PID is in SPID, for lib.sh's stop_slapd at exit
deb_init() {
	_SYSTEMCTL_SKIP_REDIRECT=1 sh "$D/init.d-slapd" "$1" > "$T/init.out" 2>&1 ||
		{ sed 's/^/#   /' "$T/init.out"; return 1; }
	SPID=
	[ "$1" = stop ] && return 0
	i=0
	while [ $i -lt 100 ]; do
		[ -s "$D/run/slapd.pid" ] && ldapsearch -x -H "$URI" -b "" -s base >/dev/null 2>&1 &&
			{ SPID=$(cat "$D/run/slapd.pid"); return 0; }
		sleep 0.1; i=$((i + 1))
	done
	sed 's/^/#   /' "$T/init.out"
	return 1
}

# running PID: the process lives (a daemon's parent may be an init that
# does not reap, so a zombie counts as gone)
running() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]; }
root_search() { ldapsearch -Q -Y EXTERNAL -H "$LDAPI" -LLL -o ldif-wrap=no "$@"; }
count() { grep -c '^dn:'; }
is() { [ "$1" = "$2" ] || { echo "got $1, expected $2"; return 1; }; }
overlay_under() { root_search -b "$1" -s one '(objectClass=olcDynTTLConfig)' 1.1 |
	grep -qx "dn: olcOverlay={0}dynttl,$1"; }
frontend_limit() { root_search -b 'olcDatabase={-1}frontend,cn=config' -s base olcSizeLimit |
	sed -n 's/^olcSizeLimit: //p'; }

# deb_existing WHEN: the existing directory answers as stock slapd does
deb_existing() {
	check "$1: dc=example,dc=org lists its 3 entries" \
		is "$(lsearch -b "$SUFFIX" 1.1 | count)" 3
	check "$1: jdoe binds with its password" sh -c \
		"ldapwhoami -x -H '$URI' -D '$JDOE' -w jdoe-secret | grep -qx 'dn:$JDOE'"
	expect_rc 49 "$1: a wrong password is refused" ldapwhoami -x -H "$URI" -D "$JDOE" -w wrong
	expect_rc 53 "$1: a name with an empty password is refused as by stock slapd" \
		ldapwhoami -x -H "$URI" -D "$JDOE" -w ''
	check "$1: jdoe's userPassword is hidden from anonymous readers" sh -c \
		"! lsearch -b '$JDOE' -s base userPassword | grep -qi '^userPassword'"
}

# deb_install_ils: README's procedure with the files under $STAGE, run
# twice; its checks
deb_install_ils() {
	for f in usr/lib/ldap/back_ils.so usr/lib/ldap/back_ils.la usr/lib/ldap/dynttl.so \
		usr/lib/ldap/dynttl.la etc/ldap/schema/ils.schema etc/ldap/schema/ils.ldif \
		usr/sbin/ils-cnconfig usr/share/man/man5/slapd-ils.5 usr/share/man/man5/slapo-dynttl.5 \
		usr/share/man/man8/ils-cnconfig.8
	do
		case $f in *.5|*.8) [ -f "$STAGE/$f" ] || f=$f.gz ;; esac
		check "installed: /$f" test -f "$STAGE/$f"
	done
	root_search -b cn=config > "$T/cnconfig-before-n.ldif"
	check "ils-cnconfig -n says what it would add" "$STAGE/usr/sbin/ils-cnconfig" -n -H "$LDAPI" \
		-d "$D/lib/ldap/ils" -m "$STAGE/usr/lib/ldap" -s "$STAGE/etc/ldap/schema"
	cp "$T/check.out" "$T/cnconfig-n.out"
	check "... the database's LDIF among it" grep -q '^ *dn: olcDatabase=ils,cn=config$' "$T/cnconfig-n.out"
	root_search -b cn=config > "$T/cnconfig-after-n.ldif"
	check "... and changes nothing" cmp "$T/cnconfig-before-n.ldif" "$T/cnconfig-after-n.ldif"
	check "... not even the data folder" test ! -e "$D/lib/ldap/ils"
	check "ils-cnconfig over ldapi as root (README)" \
		"$STAGE/usr/sbin/ils-cnconfig" -H "$LDAPI" -d "$D/lib/ldap/ils" \
		-m "$STAGE/usr/lib/ldap" -s "$STAGE/etc/ldap/schema"
	cp "$T/check.out" "$T/cnconfig1.out"
	sed 's/^/#   /' "$T/cnconfig1.out"
	DB=$(root_search -b cn=config -s one '(objectClass=olcIlsConfig)' 1.1 | sed -n 's/^dn: //p')
	check "the ILS database took the index slapd gave it ({2}, after Debian's {1}mdb)" \
		is "$DB" 'olcDatabase={2}ils,cn=config'
	check "the overlay is under it" overlay_under "$DB"
	check "the frontend's size limit is Debian's still" is "$(frontend_limit)" 500
	check "the data folder belongs to openldap" is "$(stat -c %U:%G "$D/lib/ldap/ils")" openldap:openldap
	check "slapd wrote its LMDB files there" test -f "$D/lib/ldap/ils/data.mdb"
	check "the modules slapd mapped are the installed ones" \
		grep -q "$STAGE/usr/lib/ldap/back_ils.so" "/proc/$SPID/maps"
	root_search -b cn=config > "$T/cnconfig-before2.ldif"
	check "a second run (naming the owner, -u openldap) succeeds" "$STAGE/usr/sbin/ils-cnconfig" \
		-u openldap -H "$LDAPI" -d "$D/lib/ldap/ils" \
		-m "$STAGE/usr/lib/ldap" -s "$STAGE/etc/ldap/schema"
	cp "$T/check.out" "$T/cnconfig2.out"
	sed 's/^/#   /' "$T/cnconfig2.out"
	check "... and says it has nothing to change" grep -qx 'ils-cnconfig: nothing to change' "$T/cnconfig2.out"
	root_search -b cn=config > "$T/cnconfig-after2.ldif"
	check "... and cn=config is as it was" cmp "$T/cnconfig-before2.ldif" "$T/cnconfig-after2.ldif"
}

# deb_ils WHEN: NetMeeting, Ekiga's empty-base search
deb_ils() {
	echo "# $1: NetMeeting and Ekiga"
	wire register nm@contoso.com
	wire keepalive nm@contoso.com
	wire browse nm@contoso.com
	wire -L gnome gm@example.org
	wire ekiga Meeting gm@example.org
	check "$1: the ILS database answers a search as the server's default base" sh -c \
		"ldapsearch -x -LLL -H '$URI' -b '' -s one '(cn=gm@example.org)' cn | grep -qx 'cn: gm@example.org'"
}

# deb_browse512: 512 NetMeeting users from 26 addresses (20 new names a
# minute each, ils-max-per-minute), listed by one NetMeeting browse
# although Debian's frontend limits searches to 500 entries
deb_browse512() {
	i=1 bad=0
	while [ $i -le 512 ]; do
		a=127.0.1.$(( (i - 1) / 20 + 1 ))
		"$WIRE" -b "$a" -H 127.0.0.1 -p "$PORT" register "u$i@example.org" > "$T/reg.out" 2>&1 ||
			{ bad=$((bad + 1)); [ $bad -gt 1 ] || sed 's/^/#   /' "$T/reg.out" | head -5; }
		i=$((i + 1))
	done
	check "512 NetMeeting users registered from 26 addresses" is "$bad" 0
	wire browse u512@example.org > "$T/browse.out"
	grep -v '^ok' "$T/browse.out" | head -5
	check "one NetMeeting browse lists all of them (resultCode 0, no sizeLimitExceeded)" \
		sh -c "! grep -q '^not ok' '$T/browse.out' && grep -q '^ok - browse (cn=%): search SearchResultDone resultCode 0' '$T/browse.out'"
	n=$(sed -n 's/^# entries: //p' "$T/browse.out")
	check "... $n entries, at least 512" between "$n" 512 100000
}
