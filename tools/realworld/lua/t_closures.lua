-- closures, upvalues, varargs, tail calls, goto
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local a, b = counter(), counter()
a(); a()
assert(a() == 3 and b() == 1)
local function sum(...)
  local s = 0
  for _, v in ipairs({...}) do s = s + v end
  return s, select("#", ...)
end
local s, n = sum(1, 2, 3, 4)
assert(s == 10 and n == 4)
local function loop(n, acc) if n == 0 then return acc end return loop(n - 1, acc + 1) end
assert(loop(1000000, 0) == 1000000)  -- proper tail calls: no stack growth
local fs = {}
for i = 1, 3 do fs[i] = function() return i end end
assert(fs[1]() == 1 and fs[3]() == 3)
local i = 1
::top::
i = i + 1
if i < 10 then goto top end
assert(i == 10)
local function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end
assert(deep(150000) == 150000)  -- deep C-stack-free Lua recursion
print("OK closures")
