-- Lua workload: table churn, string building, closures, sort (about 1 s).
local t = {}
for r = 1, 6 do
  local words = {}
  for i = 1, 100000 do words[i] = string.format("w%07d", (i * 7919) % 100003) end
  table.sort(words)
  local freq = {}
  for _, w in ipairs(words) do local k = w:sub(1, 4); freq[k] = (freq[k] or 0) + 1 end
  local parts = {}
  for k, v in pairs(freq) do parts[#parts + 1] = k .. "=" .. v end
  t[r] = #table.concat(parts, ";")
  local fs = {}
  for i = 1, 100000 do fs[i] = function(x) return x + i end end
  local s = 0
  for i = 1, #fs do s = s + fs[i](1) end
  t[r] = t[r] + s
end
print(t[1], t[6])
