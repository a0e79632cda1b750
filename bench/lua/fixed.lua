-- The same request again and again: BENCH_TARGET is the operation, BENCH_BODY its JSON body.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

bench_setup_request(os.getenv("BENCH_TARGET"))
wrk.body = os.getenv("BENCH_BODY")

done = bench_report
