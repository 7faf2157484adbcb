# tools/lldb/rules.mk: the lldb extension (tools/lldb/gort_lldb.py), loaded
# with `command script import` (README.md, "Debugging goroutines in gdb and
# lldb"); `make install` puts it under share/gort.
INSTALL_TOOLS += install -m 644 tools/lldb/gort_lldb.py $(DESTDIR)$(PREFIX)/share/gort/gort_lldb.py;
