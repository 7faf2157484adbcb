#!/bin/sh
# run.sh [PROG...]: the real-program matrix (`make realworld`). For each
# program (a recipe tools/realworld/PROG.sh) it gets Debian 12's source
# package (fetch.sh), builds it twice per libc column -- "gort" with
# tools/gortcc, "crt1" with the libc's own startup files (musl-gcc -static,
# or gcc for glibc) -- runs the program's own test suite on both builds,
# and times one workload A/B interleaved (abtime.py, medians). Everything
# lives in $REALWORLD_DIR (default build/realworld), outside git; builds
# are kept (delete a build dir to redo it), except that a gort build older
# than the runtime it links (the archives libgort.a names, the gortcc
# driver) is made again: a matrix run after a runtime change tests the
# change. Prints a table; the rows are also in $REALWORLD_DIR/results/.
#
# A recipe sets PKG (Debian source package), LIBCS (columns: musl, glibc)
# and defines build (in the copied source dir, with $CC/$CXX set), tests
# (runs the suite, last line "RESULT passed total") and workload (prints a
# shell command run in the build dir). Recipes run one after another and
# use make -j$J (default 2): the machine is shared.
set -e
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
RW=${REALWORLD_DIR:-$ROOT/build/realworld}
J=${REALWORLD_JOBS:-2}
RUNS=${REALWORLD_RUNS:-5}
export RW ROOT J
mkdir -p "$RW/src" "$RW/build" "$RW/results"
# Default: every recipe there is, in this order first.
if [ $# = 0 ]; then
	progs=
	for p in zlib lua xz sqlite redis $(cd "$here" && ls *.sh | sed 's/\.sh$//'); do
		case " $progs run fetch deps " in *" $p "*) continue ;; esac
		[ -f "$here/$p.sh" ] && progs="$progs $p"
	done
else
	progs=$*
fi

setcc() { # libc kind
	case $1-$2 in
	musl-gort) CC="$ROOT/tools/gortcc"; CXX= ;;
	musl-crt1) CC="musl-gcc -static"; CXX= ;;
	glibc-gort) CC="$ROOT/tools/gortcc --gort-libc=glibc"; CXX="$ROOT/tools/gortc++ --gort-libc=glibc" ;;
	glibc-crt1) CC=gcc; CXX=g++ ;;
	esac
	export CC CXX
}

# stale STAMP LIBC: whether the runtime a gort build links is newer.
stale() {
	b=$ROOT/build
	[ $2 = glibc ] && b=$ROOT/build/glibc
	for f in "$b"/libgort*.a "$ROOT/tools/gortcc" "$ROOT/tools/gortc++" "$ROOT/build/gort.ld"; do
		[ -f "$f" ] && [ "$f" -nt "$1" ] && return 0
	done
	return 1
}

for p in $progs; do
	[ -f "$here/$p.sh" ] || { echo "realworld: no recipe $p" >&2; exit 1; }
	(
	LIBCS=musl
	. "$here/$p.sh"
	if command -v need >/dev/null 2>&1 && ! need; then
		echo "realworld: $p: skipped ($(need_why))"
		for libc in $LIBCS; do
			printf '%s\t%s\tskipped: %s\t-\t-\t-\n' "$p" "$libc" "$(need_why)" >"$RW/results/$p-$libc"
		done
		exit 0
	fi
	"$here/fetch.sh" "$PKG" "$RW/src/$PKG"
	for libc in $LIBCS; do
		row="$p	$libc"
		ok=1
		for kind in gort crt1; do
			setcc $libc $kind
			d=$RW/build/$p-$libc-$kind
			if [ -f "$d.built" ] && [ $kind = gort ] && stale "$d.built" $libc; then
				echo "realworld: $p ($libc, gort): the runtime changed since it was built"
				rm -f "$d.built"
			fi
			if [ ! -f "$d.built" ]; then
				echo "realworld: building $p ($libc, $kind)"
				rm -rf "$d"; cp -a "$RW/src/$PKG" "$d"
				if (cd "$d" && build) >"$d.build.log" 2>&1; then touch "$d.built"
				else echo "realworld: $p ($libc, $kind): build FAILED, see $d.build.log"; tail -5 "$d.build.log"; ok=0; fi
			fi
		done
		if [ $ok = 0 ]; then
			printf '%s\tbuild failed\t-\t-\t-\n' "$row" >"$RW/results/$p-$libc"; continue
		fi
		res=
		for kind in gort crt1; do
			setcc $libc $kind
			d=$RW/build/$p-$libc-$kind
			echo "realworld: testing $p ($libc, $kind)"
			(cd "$d" && tests) >"$d.test.log" 2>&1 || true
			r=$(sed -n 's/^RESULT //p' "$d.test.log" | tail -1)
			[ -n "$r" ] || r="0 ?"
			set -- $r
			res="$res	$1/$2"
		done
		echo "realworld: timing $p ($libc), $RUNS runs each, interleaved"
		wg=$(cd "$RW/build/$p-$libc-gort" && workload)
		wc=$(cd "$RW/build/$p-$libc-crt1" && workload)
		# Braces: a workload that starts a server with & must run all of
		# it in the build dir (cd X && a & b runs b in the caller's dir).
		t=$(python3 "$here/abtime.py" "$RUNS" "cd $RW/build/$p-$libc-gort && { $wg; }" "cd $RW/build/$p-$libc-crt1 && { $wc; }" 2>&1 | tail -1) || true
		set -- $t
		if [ $# = 3 ]; then ratio="$3 ($1 s / $2 s)"; else ratio="failed: $t"; fi
		printf '%s\tbuilt\t%s\t%s\n' "$row" "$(echo "$res" | sed 's/^\t//')" "$ratio" >"$RW/results/$p-$libc"
		cat "$RW/results/$p-$libc"
	done
	) || echo "realworld: $p: recipe failed"
done
echo
echo "| program | libc | build | tests passed gort | tests passed crt1 | workload time gort/crt1 |"
echo "|---|---|---|---|---|---|"
for p in $progs; do
	for f in "$RW/results/$p"-*; do
		[ -f "$f" ] && awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$f"
	done
done
