-- wrk: POST one chat completion, with the key in BENCH_KEY (none for the upstream), the model in
-- BENCH_MODEL, and "stream": true when BENCH_STREAM is set (the streamed phase).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_KEY") or ""
if key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
local model = os.getenv("BENCH_MODEL") or "bench/echo"
local stream = (os.getenv("BENCH_STREAM") or "") ~= ""
if stream then
  wrk.body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"What is the capital of Mexico?"}],'
    .. '"max_tokens":64,"stream":true,"stream_options":{"include_usage":true}}'
else
  wrk.body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"What is the capital of Mexico?"}],"max_tokens":64}'
end
