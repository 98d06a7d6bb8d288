# t-install.sh - README's "Loading into an existing slapd" with the files
# make install puts in place (under a staging root: the test never writes
# to the machine's /usr or /etc), against a slapd laid out as Debian's
# package leaves it and run by Debian's /etc/init.d/slapd as openldap
# (tests/debianlike.sh): the existing directory answers as before,
# NetMeeting, Ekiga and a 512-user browse work, ils-cnconfig runs twice,
# a restart keeps it all
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/debianlike.sh"

check "make install (DESTDIR=$STAGE)" make -s -C "$BUILD" install DESTDIR="$STAGE"
check "the schema went to /etc/ldap/schema" test -f "$STAGE/etc/ldap/schema/ils.ldif"
check "... not under the prefix" test ! -e "$STAGE/usr/etc"
check "Debian's layout: slapadd -n0 of slapd.init.ldif, -n1 of the entries" deb_layout
check "Debian's init script starts it" deb_init start || exit 1
check "slapd runs as openldap" is "$(ps -o user= -p "$SPID")" openldap
deb_existing before
expect_rc 8 "before: an anonymous write to dc=example,dc=org needs authentication" \
	ldif_add "cn=anon,$SUFFIX" "objectClass: organizationalRole" "cn: anon"

expect_rc 32 "before: an empty-base one-level search finds no database" \
	ldapsearch -x -H "$URI" -b "" -s one "(cn=*)" 1.1

deb_install_ils
deb_existing after
expect_rc 50 "after: the anonymous write meets the ACLs, which refuse it (update_anon, README)" \
	ldif_add "cn=anon,$SUFFIX" "objectClass: organizationalRole" "cn: anon"
deb_ils installed
deb_browse512

echo "# data.mdb and a backup of it (README, slapd-ils(5) FILES)"
size=$(stat -c %s "$D/lib/ldap/ils/data.mdb")
check "data.mdb holds the pages used ($size bytes), not the 4 GiB map" between "$size" 1 67108864
check "... and is not sparse: du counts as much as ls" \
	between "$(( $(du -k "$D/lib/ldap/ils/data.mdb" | cut -f1) * 1024 ))" "$size" $((size + 1048576))
mkdir "$T/backup"
check "mdb_copy copies it while slapd runs" mdb_copy "$D/lib/ldap/ils" "$T/backup"
check "... with every registration" between \
	"$(mdb_stat "$T/backup" | sed -n 's/^ *Entries: //p' | head -n1)" 512 100000

old=$SPID
check "Debian's init script restarts it" deb_init restart || exit 1
check "... as a new process" test "$old" != "$SPID"
check "... the old one is gone" eval "! running $old"
deb_existing "after a restart"
wire keepalive nm@contoso.com
wire browse nm@contoso.com
new=$SPID
check "Debian's init script stops it" deb_init stop
check "... and it is gone" eval "! running $new"
finish
