-- tables, sort, table library
local t = {}
for i = 1, 10000 do t[i] = (i * 7919) % 10007 end
table.sort(t)
for i = 2, #t do assert(t[i - 1] <= t[i]) end
table.sort(t, function(a, b) return a > b end)
assert(t[1] >= t[#t])
assert(table.concat({1, 2, 3}, ",") == "1,2,3")
local u = table.pack(1, nil, 3)
assert(u.n == 3 and select("#", table.unpack(u, 1, u.n)) == 3)
table.insert(u, 1, 0); assert(u[1] == 0 and u[2] == 1)
assert(table.remove(u, 1) == 0)
local m = table.move({1, 2, 3}, 1, 3, 2, {})
assert(m[2] == 1 and m[4] == 3)
local h = {}
for i = 1, 5000 do h["k" .. i] = i end
local s = 0
for k, v in pairs(h) do s = s + v end
assert(s == 5000 * 5001 // 2)
for i = 1, 5000, 2 do h["k" .. i] = nil end
local c = 0
for _ in pairs(h) do c = c + 1 end
assert(c == 2500)
print("OK tables")
