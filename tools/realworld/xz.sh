# xz-utils recipe (sourced by run.sh): Debian's xz-utils 5.4.1, static
# (--disable-shared), its own `make check` (automake's harness: the PASS
# count); workload: multi-threaded (pthreads, -T2) compression and
# decompression of the shared corpus (run.sh's zlib corpus).
PKG=xz-utils
LIBCS=musl
build() {
	./configure --disable-shared --disable-nls --disable-doc -q && make -j$J
}
tests() {
	make -j$J check >check.out 2>&1 || true
	cat check.out
	echo "RESULT $(sed -n 's/^# PASS: *//p' check.out) $(sed -n 's/^# TOTAL: *//p' check.out)"
}
workload() {
	f=$RW/corpus.tar
	[ -f "$f" ] || { for i in 1 2 3 4; do tar cf - -C "$RW/src" zlib; done >"$f.tmp" && mv "$f.tmp" "$f"; }
	echo "./src/xz/xz -T2 -6 --block-size=4MiB -c <$f >wl.xz && ./src/xz/xz -T2 -d -c <wl.xz | cmp -s - $f"
}
