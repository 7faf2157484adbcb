# Redis recipe (sourced by run.sh): Debian's redis 7.0.15 (its patches),
# `make MALLOC=libc` (jemalloc's configure does not know gortcc), musl
# (static) and glibc columns. Tests: a wide set of its own `runtest`
# units (tcl), counted by "[ok]"; any [err]/[exception] is a failure.
# Workload: redis-benchmark (SET, GET, INCR, LPUSH, LPOP, 50 clients,
# pipelined) against the build's own redis-server, time to complete.
PKG=redis
LIBCS="musl glibc"
REDIS_UNITS="unit/printver unit/auth unit/keyspace unit/type/string unit/type/incr
unit/type/list unit/type/hash unit/type/set unit/type/zset unit/expire unit/multi
unit/pubsub unit/scripting unit/bitops unit/dump unit/sort unit/protocol unit/info-command
unit/querybuf unit/limits unit/tracking unit/lazyfree unit/latency-monitor unit/acl"
build() {
	make -j$J CC="$CC" MALLOC=libc USE_SYSTEMD=no BUILD_TLS=no V=1
}
tests() {
	s=
	for u in $REDIS_UNITS; do s="$s --single $u"; done
	timeout 1500 ./runtest --clients 2 --timeout 600 $s >runtest.raw 2>&1 || true
	# runtest colours its output even into a file: strip the escapes.
	sed 's/\x1b\[[0-9;]*m//g' runtest.raw >runtest.out
	cat runtest.out
	ok=$(grep -c '^\[ok\]' runtest.out)
	bad=$(grep -c '^\[err\]\|^\[exception\]' runtest.out)
	echo "RESULT $ok $((ok + bad))"
}
workload() {
	port=$((20000 + $$ % 10000))
	echo "./src/redis-server --port $port --save '' --appendonly no --daemonize no >/dev/null & pid=\$!;" \
		"for i in 1 2 3 4 5 6 7 8 9 10; do ./src/redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.2; done;" \
		"./src/redis-benchmark -p $port -q -n 200000 -c 50 -P 16 -t set,get,incr,lpush,lpop >/dev/null; r=\$?;" \
		"kill \$pid; wait \$pid; exit \$r"
}
