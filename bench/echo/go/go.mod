// bench/echo/go/go.mod: module of the Go twin of bench/echo (standard library only).
module gortbench/echo

go 1.19
