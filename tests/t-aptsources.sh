# t-aptsources.sh - scripts/aptsources.sh derives deb-src entries and another
# release's sources from the machine's deb entries, in both of apt's
# formats, and finds the archive debootstrap fetches from
. "$(dirname "$0")/lib.sh"
. "$TOP/scripts/aptsources.sh"
A=$T/apt
mkdir -p "$A/sources.list.d"
cat > "$A/sources.list.d/debian.sources" <<'SRC'
Types: deb
URIs: http://archive.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://archive.invalid/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://archive.invalid/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: http://other.invalid/repo
Suites: stable
Components: main
SRC
printf '%s\n' '# a comment' \
	'deb [signed-by=/k.gpg] http://mirror.invalid/debian bookworm main contrib' \
	'deb-src http://mirror.invalid/debian bookworm main' > "$A/sources.list"
export ILS_APT_DIR=$A

debian_sources deb-src > "$T/src"
check "three deb entries of Debian archives become deb-src" \
	test "$(grep -c '^Types: deb-src$' "$T/src")" = 3
check "... with their URIs, suites and components" sh -c "
	grep -q '^URIs: http://archive.invalid/debian-security$' '$T/src' &&
	grep -q '^Suites: bookworm bookworm-updates$' '$T/src' &&
	grep -q '^Components: main contrib$' '$T/src' &&
	grep -q '^Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg$' '$T/src'"
check "the one-line entry's URI, without its options" \
	grep -qx 'URIs: http://mirror.invalid/debian' "$T/src"
check "no entry of another archive, no existing deb-src copied" sh -c \
	"! grep -q other.invalid '$T/src' && test \$(grep -c '^Suites: bookworm\$' '$T/src') = 1"

debian_sources deb bookworm trixie > "$T/trixie"
check "another release: each suite renamed, -updates and -security kept" sh -c "
	grep -qx 'Suites: trixie trixie-updates' '$T/trixie' &&
	grep -qx 'Suites: trixie-security' '$T/trixie' &&
	! grep -q bookworm '$T/trixie' && test \$(grep -c '^Types: deb\$' '$T/trixie') = 3"
check "debootstrap's archive: the first whose suites name the release" \
	test "$(debian_mirror trixie < "$T/trixie")" = http://archive.invalid/debian
check "... never the security archive" \
	test "$(printf 'Types: deb\nURIs: http://s.invalid/debian-security\nSuites: trixie-security\n' | debian_mirror trixie)" = ""
rel=$(debian_release)
check "the machine's release is a number ($rel)" test "$rel" -gt 0
finish
