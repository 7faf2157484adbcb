module noblock

go 1.19
