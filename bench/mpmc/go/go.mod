// bench/mpmc/go/go.mod: module of the Go twin of bench/mpmc (standard library only).
module gortbench/mpmc

go 1.19
