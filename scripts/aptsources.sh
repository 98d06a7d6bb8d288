# aptsources.sh - the machine's Debian archive entries (sourced by
# scripts/setup.sh and scripts/debian-root)
#
# The project never writes an archive host: deb-src entries and the apt
# sources of another release's root are derived from the "deb" entries the
# machine already has, in /etc/apt/sources.list.d/*.sources (deb822) or in
# one-line sources.list files (under $ILS_APT_DIR, /etc/apt by default:
# tests/t-aptsources.sh points it elsewhere).

# debian_sources TYPES [FROM TO]: a deb822 stanza for every "deb" entry
# that points at a Debian archive, with "Types: TYPES" and, given FROM and
# TO, the release codename FROM in its suites replaced by TO
# (bookworm-updates becomes trixie-updates)
debian_sources() {
	a=${ILS_APT_DIR:-/etc/apt}
	{
		for f in "$a"/sources.list.d/*.sources; do
			[ -f "$f" ] && { cat "$f"; printf '\n\n'; }
		done
		for f in "$a"/sources.list "$a"/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			# deb [options] URI SUITE COMPONENT...
			sed -n 's/^[[:space:]]*deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}//p' "$f" |
				awk 'NF >= 3 { printf "Types: deb\nURIs: %s\nSuites: %s\nComponents:", $1, $2
					for (i = 3; i <= NF; i++) printf " %s", $i
					printf "\n\n" }'
		done
	} | awk -v types="$1" -v from="${2:-}" -v to="${3:-}" '
		BEGIN { RS = "" }
		/(^|\n)Types:[^\n]*deb([ \t]|$|\n)/ && /URIs:[^\n]*debian/ {
			n = split($0, line, "\n")
			for (i = 1; i <= n; i++) {
				l = line[i]
				if (l ~ /^Types:/) l = "Types: " types
				if (from != "" && l ~ /^Suites:/) {
					m = split(substr(l, 8), s, /[ \t]+/)
					l = "Suites:"
					for (j = 1; j <= m; j++) {
						if (s[j] == "") continue
						if (s[j] == from) s[j] = to
						else if (index(s[j], from "-") == 1)
							s[j] = to substr(s[j], length(from) + 1)
						l = l " " s[j]
					}
				}
				print l
			}
			print ""
		}'
}

# debian_mirror CODENAME: the first URI of the stanzas on stdin whose
# suites name CODENAME itself (the main archive, not -security)
debian_mirror() {
	awk -v code="$1" '
		BEGIN { RS = "" }
		{
			uri = ""; hit = 0
			n = split($0, line, "\n")
			for (i = 1; i <= n; i++) {
				if (line[i] ~ /^URIs:/) { split(substr(line[i], 6), u, /[ \t]+/); uri = u[1] == "" ? u[2] : u[1] }
				if (line[i] ~ /^Suites:/ && (" " substr(line[i], 8) " ") ~ ("[ \t]" code "[ \t]")) hit = 1
			}
			if (hit && uri != "") { print uri; exit }
		}'
}

# debian_release: the machine's Debian release number (12, 13)
debian_release() { (. /etc/os-release && echo "${VERSION_ID%%.*}"); }
# debian_codename: its codename (bookworm, trixie)
debian_codename() { (. /etc/os-release && echo "$VERSION_CODENAME"); }
