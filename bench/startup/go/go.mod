// bench/startup/go/go.mod: module of the Go twin of bench/startup (standard library only).
module gortbench/startup

go 1.19
