// bench/fib/go/go.mod: module of the Go twin of bench/fib (standard library only).
module gortbench/fib

go 1.19
