// bench/pipeio/go/go.mod: module of the Go twin of bench/pipeio (standard library only).
module gortbench/pipeio

go 1.19
