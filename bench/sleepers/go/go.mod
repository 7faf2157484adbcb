// bench/sleepers/go/go.mod: module of the Go twin of bench/sleepers (standard library only).
module gortbench/sleepers

go 1.19
