/* runtime/gdb_scripts.S: owns the .debug_gdb_scripts section that makes gdb
 * load tools/gdb/gort-gdb.py for every gort program.
 *
 * The entry is of type 4 (SECTION_SCRIPT_ID_PYTHON_TEXT): the script's whole
 * text, inlined with .incbin, after a first line naming it. So each program
 * carries the script matching the runtime it was linked with (the script
 * reads struct g/m/p/gort_chan and the status enums), from the build tree, after
 * `make install` and on another machine alike, with no file to find. gdb
 * runs it once the program's directory is in its auto-load safe-path (see
 * README.md, "Debugging goroutines in gdb and lldb"). The section is not
 * allocated (no memory at run time) and `strip` removes it with the other
 * debug sections; equal entries from several objects are merged ("MS").
 *
 * Nothing refers to this object: ldscripts/libgort.a.in names
 * gort_gdb_scripts in EXTERN so the linker takes it out of the archive.
 * The Makefile runs the assembler from the top of the tree, where the
 * .incbin path is resolved (tools/gdb/rules.mk adds the dependency). */

/* An absolute symbol: one defined in a debug section would be a debugging
 * symbol, which the archive's index leaves out (EXTERN could not find it). */
	.globl	gort_gdb_scripts
	.hidden	gort_gdb_scripts
	.set	gort_gdb_scripts, 0

	.pushsection ".debug_gdb_scripts", "MS", @progbits, 1
	.byte	4
	.ascii	"gort-gdb.py\n"
	.incbin	"tools/gdb/gort-gdb.py"
	.byte	0
	.popsection

	.section .note.GNU-stack,"",@progbits
