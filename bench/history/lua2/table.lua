local L = {}
function L.f0() if false then  end return 0 end
function L.f1() if false then L.f0() end return 1 end
function L.f2() if false then L.f0() L.f1() end return 2 end
function L.f3() if false then L.f0() L.f1() L.f2() end return 3 end
function L.f4() if false then L.f0() L.f1() L.f2() L.f3() end return 4 end
function L.f5() if false then L.f0() L.f1() L.f2() L.f3() L.f4() end return 5 end
function L.f6() if false then L.f0() L.f1() L.f2() L.f3() L.f4() L.f5() end return 6 end
function L.f7() if false then L.f0() L.f1() L.f2() L.f3() L.f4() L.f5() L.f6() end return 7 end
function L.f8() if false then L.f0() L.f1() L.f2() L.f3() L.f4() L.f5() L.f6() L.f7() end return 8 end
function L.f9() if false then L.f1() L.f2() L.f3() L.f4() L.f5() L.f6() L.f7() L.f8() end return 9 end
function L.f10() if false then L.f2() L.f3() L.f4() L.f5() L.f6() L.f7() L.f8() L.f9() end return 10 end
function L.f11() if false then L.f3() L.f4() L.f5() L.f6() L.f7() L.f8() L.f9() L.f10() end return 11 end
function L.f12() if false then L.f4() L.f5() L.f6() L.f7() L.f8() L.f9() L.f10() L.f11() end return 12 end
function L.f13() if false then L.f5() L.f6() L.f7() L.f8() L.f9() L.f10() L.f11() L.f12() end return 13 end
function L.f14() if false then L.f6() L.f7() L.f8() L.f9() L.f10() L.f11() L.f12() L.f13() end return 14 end
function L.f15() if false then L.f7() L.f8() L.f9() L.f10() L.f11() L.f12() L.f13() L.f14() end return 15 end
function L.f16() if false then L.f8() L.f9() L.f10() L.f11() L.f12() L.f13() L.f14() L.f15() end return 16 end
function L.f17() if false then L.f9() L.f10() L.f11() L.f12() L.f13() L.f14() L.f15() L.f16() end return 17 end
function L.f18() if false then L.f10() L.f11() L.f12() L.f13() L.f14() L.f15() L.f16() L.f17() end return 18 end
function L.f19() if false then L.f11() L.f12() L.f13() L.f14() L.f15() L.f16() L.f17() L.f18() end return 19 end
function L.f20() if false then L.f12() L.f13() L.f14() L.f15() L.f16() L.f17() L.f18() L.f19() end return 20 end
function L.f21() if false then L.f13() L.f14() L.f15() L.f16() L.f17() L.f18() L.f19() L.f20() end return 21 end
function L.f22() if false then L.f14() L.f15() L.f16() L.f17() L.f18() L.f19() L.f20() L.f21() end return 22 end
function L.f23() if false then L.f15() L.f16() L.f17() L.f18() L.f19() L.f20() L.f21() L.f22() end return 23 end
function L.f24() if false then L.f16() L.f17() L.f18() L.f19() L.f20() L.f21() L.f22() L.f23() end return 24 end
function L.f25() if false then L.f17() L.f18() L.f19() L.f20() L.f21() L.f22() L.f23() L.f24() end return 25 end
function L.f26() if false then L.f18() L.f19() L.f20() L.f21() L.f22() L.f23() L.f24() L.f25() end return 26 end
function L.f27() if false then L.f19() L.f20() L.f21() L.f22() L.f23() L.f24() L.f25() L.f26() end return 27 end
function L.f28() if false then L.f20() L.f21() L.f22() L.f23() L.f24() L.f25() L.f26() L.f27() end return 28 end
function L.f29() if false then L.f21() L.f22() L.f23() L.f24() L.f25() L.f26() L.f27() L.f28() end return 29 end
function L.f30() if false then L.f22() L.f23() L.f24() L.f25() L.f26() L.f27() L.f28() L.f29() end return 30 end
function L.f31() if false then L.f23() L.f24() L.f25() L.f26() L.f27() L.f28() L.f29() L.f30() end return 31 end
function L.f32() if false then L.f24() L.f25() L.f26() L.f27() L.f28() L.f29() L.f30() L.f31() end return 32 end
function L.f33() if false then L.f25() L.f26() L.f27() L.f28() L.f29() L.f30() L.f31() L.f32() end return 33 end
function L.f34() if false then L.f26() L.f27() L.f28() L.f29() L.f30() L.f31() L.f32() L.f33() end return 34 end
function L.f35() if false then L.f27() L.f28() L.f29() L.f30() L.f31() L.f32() L.f33() L.f34() end return 35 end
function L.f36() if false then L.f28() L.f29() L.f30() L.f31() L.f32() L.f33() L.f34() L.f35() end return 36 end
function L.f37() if false then L.f29() L.f30() L.f31() L.f32() L.f33() L.f34() L.f35() L.f36() end return 37 end
function L.f38() if false then L.f30() L.f31() L.f32() L.f33() L.f34() L.f35() L.f36() L.f37() end return 38 end
function L.f39() if false then L.f31() L.f32() L.f33() L.f34() L.f35() L.f36() L.f37() L.f38() end return 39 end
function L.f40() if false then L.f32() L.f33() L.f34() L.f35() L.f36() L.f37() L.f38() L.f39() end return 40 end
function L.f41() if false then L.f33() L.f34() L.f35() L.f36() L.f37() L.f38() L.f39() L.f40() end return 41 end
function L.f42() if false then L.f34() L.f35() L.f36() L.f37() L.f38() L.f39() L.f40() L.f41() end return 42 end
function L.f43() if false then L.f35() L.f36() L.f37() L.f38() L.f39() L.f40() L.f41() L.f42() end return 43 end
function L.f44() if false then L.f36() L.f37() L.f38() L.f39() L.f40() L.f41() L.f42() L.f43() end return 44 end
function L.f45() if false then L.f37() L.f38() L.f39() L.f40() L.f41() L.f42() L.f43() L.f44() end return 45 end
function L.f46() if false then L.f38() L.f39() L.f40() L.f41() L.f42() L.f43() L.f44() L.f45() end return 46 end
function L.f47() if false then L.f39() L.f40() L.f41() L.f42() L.f43() L.f44() L.f45() L.f46() end return 47 end
function L.f48() if false then L.f40() L.f41() L.f42() L.f43() L.f44() L.f45() L.f46() L.f47() end return 48 end
function L.f49() if false then L.f41() L.f42() L.f43() L.f44() L.f45() L.f46() L.f47() L.f48() end return 49 end
function L.f50() if false then L.f42() L.f43() L.f44() L.f45() L.f46() L.f47() L.f48() L.f49() end return 50 end
function L.f51() if false then L.f43() L.f44() L.f45() L.f46() L.f47() L.f48() L.f49() L.f50() end return 51 end
function L.f52() if false then L.f44() L.f45() L.f46() L.f47() L.f48() L.f49() L.f50() L.f51() end return 52 end
function L.f53() if false then L.f45() L.f46() L.f47() L.f48() L.f49() L.f50() L.f51() L.f52() end return 53 end
function L.f54() if false then L.f46() L.f47() L.f48() L.f49() L.f50() L.f51() L.f52() L.f53() end return 54 end
function L.f55() if false then L.f47() L.f48() L.f49() L.f50() L.f51() L.f52() L.f53() L.f54() end return 55 end
function L.f56() if false then L.f48() L.f49() L.f50() L.f51() L.f52() L.f53() L.f54() L.f55() end return 56 end
function L.f57() if false then L.f49() L.f50() L.f51() L.f52() L.f53() L.f54() L.f55() L.f56() end return 57 end
function L.f58() if false then L.f50() L.f51() L.f52() L.f53() L.f54() L.f55() L.f56() L.f57() end return 58 end
function L.f59() if false then L.f51() L.f52() L.f53() L.f54() L.f55() L.f56() L.f57() L.f58() end return 59 end
return 1
