/* bigbss: a program whose bss reaches from just above its code (0x400000)
 * almost to the top of the user address space. The kernel cannot exec it
 * (it dies with SIGSEGV after the point of no return); gortload must refuse
 * it with one line naming the mapping it clashes with. Built with
 * -mcmodel=medium, so that the array goes to .lbss, after everything else. */
__attribute__((used)) static char big[0x7fffe0000000ul - 0x800000];
int main(void) { return 0; }
