-- garbage collector: generational and incremental, finalizers, big heaps
local fin = 0
for i = 1, 1000 do setmetatable({}, {__gc = function() fin = fin + 1 end}) end
collectgarbage(); collectgarbage()
assert(fin == 1000)
collectgarbage("generational")
local keep = {}
for i = 1, 200000 do local t = {i, tostring(i)}; if i % 100 == 0 then keep[#keep + 1] = t end end
collectgarbage("incremental")
for i = 1, 200000 do local s = ("x"):rep(i % 64) .. i end
collectgarbage()
assert(#keep == 2000 and keep[2000][2] == "200000")
assert(collectgarbage("count") > 0)
print("OK gc")
