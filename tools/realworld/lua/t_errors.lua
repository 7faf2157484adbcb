-- errors, pcall/xpcall, error objects, tracebacks, load
local ok, e = pcall(error, {code = 7})
assert(not ok and e.code == 7)
ok, e = pcall(function() local x = nil; return x.y end)
assert(not ok and e:find("attempt to index"))
local tb
ok = xpcall(function() error("deep") end, function(m) tb = debug.traceback(m); return m end)
assert(not ok and tb:find("deep") and tb:find("traceback"))
local f = load("return 1 + ...")
assert(f(41) == 42)
assert(load("syntax error here") == nil)
ok, e = pcall(string.rep, "x", -1)
assert(ok and e == "")
ok, e = pcall(function() return ("x"):rep(1e10) end)
assert(not ok)  -- not enough memory / resulting string too large
local function so(n) return so(n + 1) + 1 end
ok, e = pcall(so, 1)
assert(not ok and e:find("stack overflow"))
print("OK errors")
