# tools/rules.mk: the tools (gortcc is a script; gortload, gortdump and the
# debugger extensions have their own fragments, tools/*/rules.mk).
TOOLS :=
INSTALL_TOOLS :=
include $(wildcard tools/*/rules.mk)
tools: $(TOOLS)
