// bench/yield/go/go.mod: module of the Go twin of bench/yield (standard library only).
module gortbench/yield

go 1.19
