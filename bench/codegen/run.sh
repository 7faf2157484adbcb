#!/bin/sh
# bench/codegen/run.sh: the cost of gortcc's code-generation flags
# (-fno-omit-frame-pointer -fno-optimize-sibling-calls) on five kernels of
# a program's own code (kernels.c): 9 interleaved rounds (3 with --short,
# reduced sizes) of the build with them and the build without, median per
# kernel, and the ratio with/without. Information, no target: the README
# says why gortcc keeps frame pointers and how to drop them.
. "$(dirname "$0")/../common/lib.sh"
bench_init codegen "$@"
ROUNDS=9 SCALE=1
[ "$SHORT" = 1 ] && ROUNDS=3 SCALE=0
fp='' nofp='' i=0
while [ $i -lt $ROUNDS ]; do
	measure codegen "$BIN/codegen_fp" $SCALE
	fp="$fp
$LINE"
	measure codegen "$BIN/codegen_nofp" $SCALE
	nofp="$nofp
$LINE"
	i=$((i + 1))
done
[ "$(echo "$fp" | sed -n 's/.*check=//p' | sort -u)" = "$(echo "$nofp" | sed -n 's/.*check=//p' | sort -u)" ] ||
	{ echo "codegen: the two builds computed different results" >&2; exit 1; }
median() { # KEY LINES
	echo "$2" | sed -n "s/.* $1=\([0-9]*\).*/\1/p" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
echo "codegen: gortcc's frame-pointer flags on the program's own code, median of $ROUNDS interleaved runs"
for k in fib qsort sha lz tree; do
	a=$(median ${k}_ns "$fp") b=$(median ${k}_ns "$nofp")
	printf 'codegen    %-6s with %8s ms   without %8s ms   with/without %sx\n' "$k" \
		"$(fmt "$(calc "$a / 1e6")")" "$(fmt "$(calc "$b / 1e6")")" "$(fmt "$(calc "$a / $b")")"
done
