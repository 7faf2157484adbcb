// bench/pipeecho/go/go.mod: module of the Go twin of bench/pipeecho (standard library only).
module gortbench/pipeecho

go 1.19
