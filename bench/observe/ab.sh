#!/bin/sh
# bench/observe/ab.sh OLD_BUILD NEW_BUILD [ROUNDS]: what the tracer and the
# metrics hooks cost when off (issue #16): spawn, yield and pingpong built
# against two trees (each BUILD is a build/ directory holding bench/spawn,
# bench/yield, bench/pingpong), run alternately old, new, old, new...;
# prints the median over the rounds of each process's best figure.
# Not part of `make bench` (it needs two trees); figures in bench/README.md.
set -eu
OLD=$1 NEW=$2 ROUNDS=${3:-7}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
run() { # tag procs prog args...
	tag=$1 procs=$2
	shift 2
	GOMAXPROCS=$procs "$@" | sed -n 's/.* best_ns=\([0-9.]*\).*/\1/p' >>"$TMP/$tag"
}
i=0
while [ $i -lt "$ROUNDS" ]; do
	for side in old new; do
		b=$OLD
		[ $side = new ] && b=$NEW
		run spawn1.$side 1 "$b/bench/spawn" 1000000 3
		run yield.$side 1 "$b/bench/yield" 2000000 3
		run pingpong1.$side 1 "$b/bench/pingpong" 1000000 3
		run pingpong2.$side 2 "$b/bench/pingpong" 1000000 3
	done
	i=$((i + 1))
done
med() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
for t in spawn1 yield pingpong1 pingpong2; do
	o=$(med "$TMP/$t.old") n=$(med "$TMP/$t.new")
	printf '%-10s old %8s ns   new %8s ns   new/old %s   (old: %s; new: %s)\n' "$t" "$o" "$n" \
		"$(awk -v a="$n" -v b="$o" 'BEGIN { printf "%.3f", a / b }')" \
		"$(tr '\n' ' ' <"$TMP/$t.old")" "$(tr '\n' ' ' <"$TMP/$t.new")"
done
