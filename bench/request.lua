-- wrk: POST one chat completion (non-streamed), with the key in BENCH_KEY (none for the upstream).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_KEY") or ""
if key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
wrk.body = '{"model":"bench/echo","messages":[{"role":"user","content":"What is the capital of Mexico?"}],"max_tokens":64}'
