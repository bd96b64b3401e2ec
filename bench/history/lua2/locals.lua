local function f0() if false then  end return 0 end
local function f1() if false then f0() end return 1 end
local function f2() if false then f0() f1() end return 2 end
local function f3() if false then f0() f1() f2() end return 3 end
local function f4() if false then f0() f1() f2() f3() end return 4 end
local function f5() if false then f0() f1() f2() f3() f4() end return 5 end
local function f6() if false then f0() f1() f2() f3() f4() f5() end return 6 end
local function f7() if false then f0() f1() f2() f3() f4() f5() f6() end return 7 end
local function f8() if false then f0() f1() f2() f3() f4() f5() f6() f7() end return 8 end
local function f9() if false then f1() f2() f3() f4() f5() f6() f7() f8() end return 9 end
local function f10() if false then f2() f3() f4() f5() f6() f7() f8() f9() end return 10 end
local function f11() if false then f3() f4() f5() f6() f7() f8() f9() f10() end return 11 end
local function f12() if false then f4() f5() f6() f7() f8() f9() f10() f11() end return 12 end
local function f13() if false then f5() f6() f7() f8() f9() f10() f11() f12() end return 13 end
local function f14() if false then f6() f7() f8() f9() f10() f11() f12() f13() end return 14 end
local function f15() if false then f7() f8() f9() f10() f11() f12() f13() f14() end return 15 end
local function f16() if false then f8() f9() f10() f11() f12() f13() f14() f15() end return 16 end
local function f17() if false then f9() f10() f11() f12() f13() f14() f15() f16() end return 17 end
local function f18() if false then f10() f11() f12() f13() f14() f15() f16() f17() end return 18 end
local function f19() if false then f11() f12() f13() f14() f15() f16() f17() f18() end return 19 end
local function f20() if false then f12() f13() f14() f15() f16() f17() f18() f19() end return 20 end
local function f21() if false then f13() f14() f15() f16() f17() f18() f19() f20() end return 21 end
local function f22() if false then f14() f15() f16() f17() f18() f19() f20() f21() end return 22 end
local function f23() if false then f15() f16() f17() f18() f19() f20() f21() f22() end return 23 end
local function f24() if false then f16() f17() f18() f19() f20() f21() f22() f23() end return 24 end
local function f25() if false then f17() f18() f19() f20() f21() f22() f23() f24() end return 25 end
local function f26() if false then f18() f19() f20() f21() f22() f23() f24() f25() end return 26 end
local function f27() if false then f19() f20() f21() f22() f23() f24() f25() f26() end return 27 end
local function f28() if false then f20() f21() f22() f23() f24() f25() f26() f27() end return 28 end
local function f29() if false then f21() f22() f23() f24() f25() f26() f27() f28() end return 29 end
local function f30() if false then f22() f23() f24() f25() f26() f27() f28() f29() end return 30 end
local function f31() if false then f23() f24() f25() f26() f27() f28() f29() f30() end return 31 end
local function f32() if false then f24() f25() f26() f27() f28() f29() f30() f31() end return 32 end
local function f33() if false then f25() f26() f27() f28() f29() f30() f31() f32() end return 33 end
local function f34() if false then f26() f27() f28() f29() f30() f31() f32() f33() end return 34 end
local function f35() if false then f27() f28() f29() f30() f31() f32() f33() f34() end return 35 end
local function f36() if false then f28() f29() f30() f31() f32() f33() f34() f35() end return 36 end
local function f37() if false then f29() f30() f31() f32() f33() f34() f35() f36() end return 37 end
local function f38() if false then f30() f31() f32() f33() f34() f35() f36() f37() end return 38 end
local function f39() if false then f31() f32() f33() f34() f35() f36() f37() f38() end return 39 end
local function f40() if false then f32() f33() f34() f35() f36() f37() f38() f39() end return 40 end
local function f41() if false then f33() f34() f35() f36() f37() f38() f39() f40() end return 41 end
local function f42() if false then f34() f35() f36() f37() f38() f39() f40() f41() end return 42 end
local function f43() if false then f35() f36() f37() f38() f39() f40() f41() f42() end return 43 end
local function f44() if false then f36() f37() f38() f39() f40() f41() f42() f43() end return 44 end
local function f45() if false then f37() f38() f39() f40() f41() f42() f43() f44() end return 45 end
local function f46() if false then f38() f39() f40() f41() f42() f43() f44() f45() end return 46 end
local function f47() if false then f39() f40() f41() f42() f43() f44() f45() f46() end return 47 end
local function f48() if false then f40() f41() f42() f43() f44() f45() f46() f47() end return 48 end
local function f49() if false then f41() f42() f43() f44() f45() f46() f47() f48() end return 49 end
local function f50() if false then f42() f43() f44() f45() f46() f47() f48() f49() end return 50 end
local function f51() if false then f43() f44() f45() f46() f47() f48() f49() f50() end return 51 end
local function f52() if false then f44() f45() f46() f47() f48() f49() f50() f51() end return 52 end
local function f53() if false then f45() f46() f47() f48() f49() f50() f51() f52() end return 53 end
local function f54() if false then f46() f47() f48() f49() f50() f51() f52() f53() end return 54 end
local function f55() if false then f47() f48() f49() f50() f51() f52() f53() f54() end return 55 end
local function f56() if false then f48() f49() f50() f51() f52() f53() f54() f55() end return 56 end
local function f57() if false then f49() f50() f51() f52() f53() f54() f55() f56() end return 57 end
local function f58() if false then f50() f51() f52() f53() f54() f55() f56() f57() end return 58 end
local function f59() if false then f51() f52() f53() f54() f55() f56() f57() f58() end return 59 end
return 1
