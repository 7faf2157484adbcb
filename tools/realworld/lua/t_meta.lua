-- metatables, OOP, __index/__newindex/__call/__eq/__lt/__concat/__close
local V = {}
V.__index = V
function V.new(x, y) return setmetatable({x = x, y = y}, V) end
V.__add = function(a, b) return V.new(a.x + b.x, a.y + b.y) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__lt = function(a, b) return a.x < b.x end
V.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
V.__concat = function(a, b) return tostring(a) .. tostring(b) end
function V:len2() return self.x ^ 2 + self.y ^ 2 end
local p = V.new(1, 2) + V.new(3, 4)
assert(p == V.new(4, 6) and tostring(p) == "(4,6)" and p:len2() == 52)
assert(V.new(1, 0) < V.new(2, 0) and V.new(1, 1) .. V.new(2, 2) == "(1,1)(2,2)")
local log = {}
local proxy = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v) end,
  __call = function(self, a) return a * 2 end})
proxy.a = 1; proxy.a = 2
assert(#log == 1 and proxy(21) == 42)
local closed = false
do local x <close> = setmetatable({}, {__close = function() closed = true end}) end
assert(closed)
local weak = setmetatable({}, {__mode = "k"})
weak[{}] = 1
collectgarbage(); collectgarbage()
assert(next(weak) == nil)
print("OK meta")
