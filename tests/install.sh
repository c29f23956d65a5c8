#!/bin/sh
# install.sh CMAKE BUILD_DIR SOURCE_DIR CC CXX [SANITIZER FLAGS...]
#
# Installs libojo (`cmake --install --component libojo`) into a fresh
# prefix, then builds the README's C example against the INSTALLED copy
# using only what `pkg-config ojo` says: linked shared, linked static, and
# (shared) as C++. Each program must run and leave a trace in
# traces/output/. Nothing from the source or build tree is on the paths.
set -eu
cmake=$1 build=$2 src=$3 cc=$4 cxx=$5
shift 5
san="$*"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
	echo "lib_install: $*" >&2
	exit 1
}
command -v pkg-config >/dev/null ||
	fail "pkg-config not found (scripts/deps installs it)"

prefix=$work/prefix
"$cmake" --install "$build" --component libojo --prefix "$prefix" \
	>"$work/install.log" 2>&1 || {
	cat "$work/install.log" >&2
	fail "cmake --install $build --component libojo failed"
}

# The pkg-config file, wherever GNUInstallDirs put the libraries.
pc=$(find "$prefix" -name ojo.pc)
[ -n "$pc" ] || fail "no ojo.pc under $prefix"
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
pkg-config --exists ojo || fail "$pc: pkg-config rejects it"
libdir=$(pkg-config --variable=libdir ojo)
incdir=$(pkg-config --variable=includedir ojo)
case $libdir in "$prefix"/*) ;; *) fail "$pc: libdir $libdir is not under $prefix" ;; esac
[ "$(pkg-config --modversion ojo)" = "$(sed -n 's/^project(ojo VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")" ] ||
	fail "$pc: version differs from CMakeLists.txt"

for f in "$libdir/libojo.a" "$libdir/libojo.so" "$libdir/libojo.so.0"; do
	[ -e "$f" ] || fail "$f was not installed"
done
for h in "$src"/include/ojo/*.h; do
	cmp -s "$h" "$incdir/ojo/$(basename "$h")" ||
		fail "$incdir/ojo/$(basename "$h") missing or differs from $h"
done

# The example between the README's markers, without the ```c fences.
sed -n '/<!-- example:begin -->/,/<!-- example:end -->/p' "$src/README.md" |
	sed -n '/^```c$/,/^```$/p' | sed '1d;$d' >"$work/example.c"
[ -s "$work/example.c" ] || fail "$src/README.md: no C example between the markers"
cp "$work/example.c" "$work/example.cc"

warn="-Wall -Wextra -Werror -pedantic"
# shellcheck disable=SC2046,SC2086 # word splitting of flags is wanted
{
	$cc -std=c17 $warn $san "$work/example.c" -o "$work/shared" \
		$(pkg-config --cflags --libs ojo) -Wl,-rpath,"$libdir" ||
		fail "the README example does not link against the shared library"
	$cc -std=c17 $warn $san "$work/example.c" -o "$work/static" \
		$(pkg-config --cflags ojo) $(pkg-config --static --libs-only-L ojo) \
		-Wl,-Bstatic $(pkg-config --libs-only-l ojo) -Wl,-Bdynamic \
		$(pkg-config --static --libs-only-other ojo) ||
		fail "the README example does not link against the static library"
	$cxx -std=c++11 $warn $san "$work/example.cc" -o "$work/cxx" \
		$(pkg-config --cflags --libs ojo) -Wl,-rpath,"$libdir" ||
		fail "the README example does not build as C++"
}

# Each binary uses the library it should: the installed .so, or none.
for b in shared cxx; do
	ldd "$work/$b" | grep -q "libojo.so.0 => $libdir/libojo.so.0" ||
		fail "$b does not load $libdir/libojo.so.0"
done
! readelf -d "$work/static" | grep -q 'NEEDED.*libojo' ||
	fail "static needs libojo.so at run time"

for b in shared static cxx; do
	mkdir "$work/run-$b"
	(cd "$work/run-$b" && "$work/$b") || fail "the $b example exited with $?"
	n=0
	for f in "$work/run-$b"/traces/output/*.ojo; do
		[ -f "$f" ] || continue
		size=$(wc -c <"$f")
		[ "$size" -ge 48 ] && [ $((size % 24)) -eq 0 ] &&
			[ "$(head -c 4 "$f")" = OJOT ] ||
			fail "$b: $f is not a trace file with records ($size bytes)"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "$b: no trace file in traces/output/"
	[ -z "$(ls -A "$work/run-$b/traces/staging")" ] ||
		fail "$b: files left in traces/staging/"
done
echo "lib_install: installed into a temporary prefix; the README example" \
	"built with pkg-config (shared, static, C++) ran and wrote traces"
