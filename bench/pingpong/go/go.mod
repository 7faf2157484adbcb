// bench/pingpong/go/go.mod: module of the Go twin of bench/pingpong (standard library only).
module gortbench/pingpong

go 1.19
