# zlib recipe (sourced by run.sh): Debian's zlib 1.2.13, static library,
# its own `make test` (example + minigzip self-tests, 32- and 64-bit
# offsets); workload: minigzip round trip of a 4x copy of the zlib sources.
PKG=zlib
LIBCS=musl
build() {
	./configure --static && make -j$J
}
tests() {
	make test >test.out 2>&1 || true
	cat test.out
	echo "RESULT $(grep -c 'test OK' test.out) 2"
}
workload() {
	f=$RW/corpus.tar
	[ -f "$f" ] || { for i in 1 2 3 4; do tar cf - -C "$RW/src" zlib; done >"$f.tmp" && mv "$f.tmp" "$f"; }
	echo "./minigzip -c <$f >wl.gz && ./minigzip -d -c <wl.gz | cmp -s - $f"
}
