#!/bin/sh
# Prepare a Debian machine to build back-ils and build it.
#
#  1. install slapd, the client tools and the build dependencies (apt);
#  2. add deb-src entries derived from the machine's own apt sources;
#  3. fetch the OpenLDAP source package that matches the installed slapd
#     and configure it with Debian's flags (only the headers are needed);
#  4. autoreconf, configure and make the modules in _build/.
#
# usage: scripts/setup.sh [--debian RELEASE] [--deps]
#   --debian 13  build against another Debian release's slapd: in that
#                release's root (scripts/debian-root, made and cached on
#                first use), into _build-deb13/ (doc/slapd-versions.md);
#                the machine's own release builds here as without it
#   --deps       steps 1-3 only (scripts/debian-root prepares a root so)
#
# Idempotent: each step is skipped when its result is already there, so a
# second run takes seconds.  The prepared OpenLDAP tree is cached in .cache/
# (ignored by git).  Needs root for apt; set ILS_SKIP_APT=1 to skip step 1-2.
#
# ILS_SANITIZE=1 builds with clang, AddressSanitizer and UBSan into
# _build-asan/ instead (doc/fuzzing.md): modules that need the sanitizer
# runtime preloaded into slapd, which tests/fuzz/asan-slapd does, so
#   ILS_BUILD=_build-asan SLAPD=tests/fuzz/asan-slapd tests/run.sh
# runs the whole suite against them.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/scripts/aptsources.sh"
DEPS_ONLY=0
while [ $# -gt 0 ]; do
	case $1 in
	--debian)
		[ $# -ge 2 ] || { echo "setup.sh: --debian needs a release" >&2; exit 2; }
		if [ "$2" != "$(debian_release)" ]; then
			"$TOP/scripts/debian-root" "$2" > /dev/null
			exec "$TOP/scripts/debian-run" "$2" "$TOP/scripts/setup.sh"
		fi
		shift 2 ;;
	--deps) DEPS_ONLY=1; shift ;;
	*) echo "usage: setup.sh [--debian RELEASE] [--deps]" >&2; exit 2 ;;
	esac
done
CACHE=${ILS_CACHE:-$TOP/.cache}
SANITIZE=${ILS_SANITIZE:-0}
if [ "$SANITIZE" = 1 ]; then BUILD=${ILS_BUILD:-$TOP/_build-asan}; else BUILD=${ILS_BUILD:-$TOP/_build}; fi

say() { printf '== setup: %s\n' "$*"; }

# Debian's OpenLDAP uses GnuTLS up to Debian 12, OpenSSL from Debian 13 on
case $(debian_release) in
[0-9]|1[0-2]) TLSDEV=libgnutls28-dev ;;
*) TLSDEV=libssl-dev ;;
esac
PKGS="slapd ldap-utils libldap-dev lmdb-utils autoconf automake libtool
 build-essential dpkg-dev pkg-config libsasl2-dev $TLSDEV libltdl-dev
 libwrap0-dev unixodbc-dev libperl-dev libargon2-dev python3 strace gdb
 clang libclang-rt-dev
 libmicrohttpd-dev libjansson-dev chromium fonts-dejavu-core jq iproute2 curl haproxy"

need_pkgs() {
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || return 0
	done
	return 1
}

# deb-src stanzas mirror the existing deb stanzas: same URIs, suites and
# components, so no archive host is ever written by this project.
add_deb_src() {
	out=/etc/apt/sources.list.d/back-ils-deb-src.sources
	[ -f "$out" ] && return 1
	debian_sources deb-src > "$out.tmp"
	mv "$out.tmp" "$out"
	return 0
}

if [ "${ILS_SKIP_APT:-0}" != 1 ]; then
	fresh_src=0
	add_deb_src && fresh_src=1
	if need_pkgs || [ $fresh_src = 1 ] || ! ls /var/lib/apt/lists/*Sources* >/dev/null 2>&1; then
		say "apt-get update and install"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
	fi
fi

SLAPD_VERSION=$(dpkg-query -W -f='${Version}' slapd)
UPSTREAM=$(echo "$SLAPD_VERSION" | sed 's/^[0-9]*://; s/-[^-]*$//')
SRC=$CACHE/openldap-$UPSTREAM
OLB=$CACHE/ol-build-$SLAPD_VERSION
mkdir -p "$CACHE"

if [ ! -f "$SRC/servers/slapd/slap.h" ] || [ ! -f "$CACHE/.source-$SLAPD_VERSION" ]; then
	say "apt-get source openldap=$SLAPD_VERSION"
	rm -rf "$SRC"
	(cd "$CACHE" && apt-get source -qq "openldap=$SLAPD_VERSION" >/dev/null)
	touch "$CACHE/.source-$SLAPD_VERSION"
fi

if [ ! -f "$OLB/include/ldap_config.h" ]; then
	say "configure OpenLDAP with Debian's flags (about a minute)"
	rm -rf "$OLB"; mkdir -p "$OLB"
	eval "$(DEB_CFLAGS_MAINT_APPEND='-Wall -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE' \
		DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
	MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
	(cd "$OLB" && "$SRC/configure" --build="$MA" --prefix=/usr \
		--includedir='${prefix}/include' --mandir='${prefix}/share/man' \
		--infodir='${prefix}/share/info' --sysconfdir=/etc --localstatedir=/var \
		--disable-option-checking --disable-silent-rules \
		--libdir='${prefix}/lib/'"$MA" --runstatedir=/run \
		--disable-maintainer-mode --disable-dependency-tracking \
		$(grep -v '^#' "$SRC/debian/configure.options" | tr -d "'") \
		> "$OLB.configure.log" 2>&1) || { tail -30 "$OLB.configure.log"; exit 1; }
	make -C "$OLB/include" >/dev/null
fi
[ "$DEPS_ONLY" = 0 ] || { say "OpenLDAP $SLAPD_VERSION ready in $SRC"; exit 0; }

if [ ! -f "$TOP/configure" ] || [ "$TOP/configure.ac" -nt "$TOP/configure" ] ||
   [ "$TOP/Makefile.am" -nt "$TOP/Makefile.in" ]; then
	say "autoreconf"
	(cd "$TOP" && autoreconf -fi >/dev/null 2>&1) || (cd "$TOP" && autoreconf -fi)
fi

mkdir -p "$BUILD"
if [ ! -f "$BUILD/Makefile" ] || [ "$TOP/configure" -nt "$BUILD/Makefile" ]; then
	say "configure back-ils"
	if [ "$SANITIZE" = 1 ]; then
		# the runtime is not linked into the modules: slapd is not
		# instrumented and gets it by LD_PRELOAD (tests/fuzz/asan-slapd)
		san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
		san="$san -fsanitize-ignorelist=$TOP/tests/fuzz/ubsan.ignore"
		export CC=clang CPPFLAGS= CFLAGS="-g -O1 -fno-omit-frame-pointer $san" \
			LDFLAGS="-fsanitize=address,undefined"
	else
		eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
	fi
	(cd "$BUILD" && "$TOP/configure" -q --with-openldap-source="$SRC" \
		--with-openldap-build="$OLB" --prefix=/usr --libdir=/usr/lib --with-web)
fi
say "make"
make -s -C "$BUILD" >/dev/null
say "modules ready in $BUILD/.libs"
