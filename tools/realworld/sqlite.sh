# SQLite recipe (sourced by run.sh): Debian's sqlite3 3.40.1; the
# amalgamation and shell.c generated as upstream's Makefile does, the shell
# compiled as Debian configures it (threadsafe, FTS5, JSON, math functions).
# SQLite's TCL suite needs testfixture linked with a libtcl, and Debian's
# libtcl is glibc's: the musl column runs sqlite/checks.sql instead, SQL
# checks each printing 1 (passed) or 0, through the built shell.
# Workload: sqlite/workload.sql (bulk inserts in transactions, indexes,
# joins, aggregates, window functions, FTS5, updates; about 1 s).
PKG=sqlite3
LIBCS=musl
build() {
	./configure -q --disable-tcl --disable-shared && make -j$J sqlite3.c shell.c &&
	$CC -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_MATH_FUNCTIONS \
		-DSQLITE_ENABLE_DBSTAT_VTAB -DHAVE_USLEEP -o sqlite3-shell shell.c sqlite3.c -lm -lpthread
}
tests() {
	rm -f checks.db
	./sqlite3-shell checks.db <"$ROOT/tools/realworld/sqlite/checks.sql" >checks.out 2>&1 || true
	cat checks.out
	echo "RESULT $(grep -cx 1 checks.out) $(grep -c '^SELECT' "$ROOT/tools/realworld/sqlite/checks.sql")"
}
workload() {
	echo "rm -f wl.db && ./sqlite3-shell wl.db <$ROOT/tools/realworld/sqlite/workload.sql >/dev/null"
}
