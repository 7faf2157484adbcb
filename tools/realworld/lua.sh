# Lua recipe (sourced by run.sh): Debian's lua5.4 (5.4.4, its patches
# applied), built as upstream's `make posix` builds it (Debian's patched
# Makefile wants libtool: the one compile line is spelled out here).
# Debian's source package does not carry Lua's test suite (lua.org's
# lua-5.4.4-tests is not in the archive), so the suite is
# tools/realworld/lua/*.lua: one script per area (strings and patterns,
# tables and sort, closures and varargs, coroutines, metatables, integer
# and float math, string.pack, os/io, errors and pcall, goto, gc with
# finalizers); each asserts its results and prints "OK name".
# Workload: lua/bench.lua (table churn, string building, closures).
PKG=lua5.4
LIBCS=musl
build() {
	cd src && echo "#define DEB_HOST_MULTIARCH \"x86_64-linux-gnu\"" >lua5.4-deb-multiarch.h &&
	$CC -std=gnu99 -O2 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_POSIX \
		-o lua $(ls *.c | grep -v '^luac.c$') -lm
}
tests() {
	n=0 p=0 lua=$PWD/src/lua
	for t in "$ROOT"/tools/realworld/lua/t_*.lua; do
		n=$((n + 1))
		if (cd "$ROOT/tools/realworld/lua" && timeout 120 "$lua" "$t"); then p=$((p + 1)); else echo "FAIL $t"; fi
	done
	echo "RESULT $p $n"
}
workload() {
	echo "./src/lua $ROOT/tools/realworld/lua/bench.lua >/dev/null"
}
