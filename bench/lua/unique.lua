-- A new user name in every request (SignUp, AdminCreateUser): BENCH_BODY holds the JSON body with
-- @NAME@ where the name goes; names are BENCH_PREFIX followed by a counter, so no two requests collide.
-- bench/run.py runs wrk with one thread, so one counter is enough.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

bench_setup_request(os.getenv("BENCH_TARGET"))
local template = os.getenv("BENCH_BODY")
local prefix = os.getenv("BENCH_PREFIX")
local counter = 0

request = function()
  counter = counter + 1
  local body = string.gsub(template, "@NAME@", prefix .. counter)
  return wrk.format(nil, nil, nil, body)
end

done = bench_report
