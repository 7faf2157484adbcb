# tools/gdb/rules.mk: the gdb extension (tools/gdb/gort-gdb.py). Its text is
# inlined into every gort program's .debug_gdb_scripts section by
# runtime/gdb_scripts.S, so that object depends on it; `make install` also
# puts a copy under share/gort for `source` by hand.
$(B)/musl/runtime/gdb_scripts.o $(B)/glibc/runtime/gdb_scripts.o: tools/gdb/gort-gdb.py

INSTALL_TOOLS += install -m 644 tools/gdb/gort-gdb.py $(DESTDIR)$(PREFIX)/share/gort/gort-gdb.py;
