-- strings and patterns
assert(("hello"):upper() == "HELLO")
assert(string.format("%5.2f|%d|%s|%q", 3.14159, 42, "x", "a\nb") == ' 3.14|42|x|"a\\\nb"')
assert(("a,b,,c"):gsub(",", ";") == "a;b;;c")
local t = {}
for w in ("one two  three"):gmatch("%a+") do t[#t + 1] = w end
assert(#t == 3 and t[3] == "three")
assert(("key = value"):match("^(%w+)%s*=%s*(%w+)$") == "key")
assert(select(2, ("key = value"):match("^(%w+)%s*=%s*(%w+)$")) == "value")
assert(("abc"):rep(3, "-") == "abc-abc-abc")
assert(("%d"):format(2^31) == "2147483648")
assert(utf8.len("häll€") == 5 and utf8.char(8364) == "€")
assert(("THE (quick) fox"):find("%((%a+)%)") == 5)
assert(("x"):byte() == 120 and string.char(72, 105) == "Hi")
assert(tostring(1e15) == "1e+15" and tostring(0.1) == "0.1")
assert(tonumber("0x10") == 16 and tonumber("  12  ") == 12 and tonumber("z", 36) == 35)
print("OK strings")
