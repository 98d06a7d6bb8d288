# t-deb.sh - the .deb scripts/build-deb makes: dpkg installs it, checking
# its dependency on the exact slapd it was built for against the machine's
# dpkg database (a copy of it, with the files going to a staging root: the
# test never installs onto the machine), and README's procedure with the
# package's files serves NetMeeting and Ekiga next to a Debian-like
# directory run by Debian's init script (tests/debianlike.sh)
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/debianlike.sh"
REL=$(. /etc/os-release && echo "${VERSION_ID%%.*}")
SLAPD_VERSION=$(dpkg-query -W -f='${Version}' slapd)

# the newest package for this release, rebuilt when a source is newer
# (ILS_DEB: this package instead)
deb_file() { ls -t "$TOP"/_build/deb/slapd-ils_*+deb"$REL"_*.deb 2>/dev/null | head -n1; }
DEB=${ILS_DEB:-$(deb_file)}
if [ -n "${ILS_DEB:-}" ]; then :
elif [ -z "$DEB" ] || [ -n "$(cd "$TOP" && find back-ils overlays common schema doc debian scripts README.md \
		Makefile.am configure.ac -newer "$DEB" -type f | head -n1)" ]; then
	echo "# scripts/build-deb (a few minutes)"
	"$TOP/scripts/build-deb" > "$T/build-deb.out" 2>&1 ||
		{ nok "scripts/build-deb builds the package"; sed 's/^/#   /' "$T/build-deb.out" | tail -30; exit 1; }
	DEB=$(deb_file)
fi
check "a package for Debian $REL: $(basename "${DEB:-none}")" test -f "$DEB"
check "it depends on exactly the slapd it was built for ($SLAPD_VERSION)" sh -c \
	"dpkg-deb -f '$DEB' Depends | tr ',' '\n' | grep -qx ' *slapd (= $SLAPD_VERSION)'"

# admin DIR [SLAPD-VERSION]: a dpkg database copied from the machine's,
# slapd's version changed when one is given
admin() {
	mkdir -p "$1/info" "$1/updates" "$1/triggers" && touch "$1/available" &&
		if [ -n "${2:-}" ]; then
			awk -v v="$2" '/^Package: / { p = $2 } p == "slapd" && /^Version: / { $0 = "Version: " v } { print }' \
				/var/lib/dpkg/status > "$1/status"
		else cp /var/lib/dpkg/status "$1/status"; fi
}
dpkg_in() { a=$1 r=$2; shift 2; mkdir -p "$r" && dpkg --admindir="$a" --instdir="$r" "$@"; }

check "a dpkg database where slapd is another version" admin "$T/dpkg-other" 2.4.0-1
dpkg_in "$T/dpkg-other" "$T/other" -i "$DEB" > "$T/other.out" 2>&1
rc=$?
check "dpkg refuses the package next to another slapd" test $rc -ne 0
check "... naming the dependency" grep -q "depends on slapd (= $SLAPD_VERSION)" "$T/other.out"
check "a copy of the machine's dpkg database" admin "$T/dpkg"
check "dpkg -i installs it next to the machine's slapd" dpkg_in "$T/dpkg" "$STAGE" -i "$DEB"
check "dpkg knows it as installed" sh -c \
	"dpkg --admindir='$T/dpkg' -s slapd-ils | grep -qx 'Status: install ok installed'"
check "its copyright and changelog are in /usr/share/doc/slapd-ils" \
	test -f "$STAGE/usr/share/doc/slapd-ils/copyright" -a -f "$STAGE/usr/share/doc/slapd-ils/changelog.gz"
check "README is there too" sh -c "ls '$STAGE/usr/share/doc/slapd-ils/' | grep -q '^README.md'"

check "Debian's layout: slapadd -n0 of slapd.init.ldif, -n1 of the entries" deb_layout
check "Debian's init script starts it" deb_init start || exit 1
deb_existing before
deb_install_ils
deb_existing after
deb_ils "from the package"
check "Debian's init script restarts it" deb_init restart || exit 1
wire keepalive nm@contoso.com
check "Debian's init script stops it" deb_init stop
finish
