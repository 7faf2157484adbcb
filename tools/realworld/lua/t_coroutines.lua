-- coroutines: generators, yield across pcall, wrap, close
local function gen(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end)
end
local s = 0
for v in gen(1000) do s = s + v end
assert(s == 500500)
local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  local ok, e = pcall(function() coroutine.yield(c * 2); error("boom") end)
  assert(not ok and e:find("boom"))
  return "done"
end)
assert(select(2, coroutine.resume(co, 1, 2)) == 3)
assert(select(2, coroutine.resume(co, 5)) == 10)
assert(select(2, coroutine.resume(co)) == "done")
assert(coroutine.status(co) == "dead")
local cos = {}
for i = 1, 2000 do cos[i] = coroutine.create(function() coroutine.yield(i); return i * 2 end) end
local t = 0
for i = 1, 2000 do t = t + select(2, coroutine.resume(cos[i])) end
for i = 1, 2000 do t = t + select(2, coroutine.resume(cos[i])) end
assert(t == 3 * 2000 * 2001 // 2)
local c2 = coroutine.create(function() coroutine.yield() end)
coroutine.resume(c2)
assert(coroutine.close(c2) and coroutine.status(c2) == "dead")
print("OK coroutines")
