-- os and io: files, popen, time, environment
local name = os.tmpname()
local f = assert(io.open(name, "w"))
for i = 1, 1000 do f:write(i, "\n") end
f:close()
local n, s = 0, 0
for l in io.lines(name) do n = n + 1; s = s + tonumber(l) end
assert(n == 1000 and s == 500500)
f = assert(io.open(name, "rb"))
assert(f:seek("end") == 3893)
f:close()
assert(os.remove(name))
assert(io.open(name) == nil)
local p = assert(io.popen("echo popen-works"))
assert(p:read("l") == "popen-works")
assert(p:close())
assert(os.getenv("HOME") ~= nil or os.getenv("PATH") ~= nil)
assert(os.time{year = 2000, month = 1, day = 1, hour = 12} > 0)
assert(os.date("!%Y-%m-%d", 0) == "1970-01-01")
local t0 = os.clock()
local x = 0
for i = 1, 3000000 do x = x + i end
assert(os.clock() >= t0)
assert(os.execute("exit 3") == nil)
print("OK os_io")
