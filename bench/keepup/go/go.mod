// bench/keepup/go/go.mod: module of the Go twin of bench/keepup (standard library only).
module gortbench/keepup

go 1.19
