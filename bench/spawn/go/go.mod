// bench/spawn/go/go.mod: module of the Go twin of bench/spawn (standard library only).
module gortbench/spawn

go 1.19
